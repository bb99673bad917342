# mockpinme as a service container: binds 0.0.0.0:8790 inside the image (and only here).
# User scenarios go in /scenarios:  docker run -v "$PWD/scenarios:/scenarios" IMAGE --scenario /scenarios/my.yaml
# The server runs as uid 10001: mounted files must be readable by it (chmod a+r, or --user).
# Settings by environment: MOCKPINME_SCENARIO (a name or a path), MOCKPINME_CONTROL_TOKEN, and
# MOCKPINME_SCENARIOS_DIR (set to /scenarios).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    MOCKPINME_SCENARIOS_DIR=/scenarios \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/mockpinme
COPY pyproject.toml README.md ./
COPY mockpinme ./mockpinme
COPY scenarios ./scenarios
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 mockpinme \
    && mkdir /scenarios \
    && chown mockpinme /scenarios

USER 10001
WORKDIR /scenarios
VOLUME ["/scenarios"]
EXPOSE 8790

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8790/__mockpinme/health', timeout=2).status != 200)"]

ENTRYPOINT ["mockpinme", "serve", "--host", "0.0.0.0", "--port", "8790"]
