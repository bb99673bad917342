"""The Dockerfile: linted, and its own ENTRYPOINT, CMD and HEALTHCHECK run outside Docker."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def instruction(name: str) -> str:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = re.search(rf"^{name}\s+(.+)$", text, re.MULTILINE)
    assert found, name
    return found.group(1).strip()


def exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list) and all(isinstance(p, str) for p in parsed), value
    return parsed


def healthcheck() -> list[str]:
    value = instruction("HEALTHCHECK")
    return exec_form(value[value.index("CMD") + 3 :].strip())


def test_hadolint_finds_no_warnings() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_settings() -> None:
    assert instruction("FROM").startswith("python:3.11-slim")
    assert instruction("USER") != "root"
    assert instruction("EXPOSE") == "8790"
    assert "PYTHONUNBUFFERED=1" in instruction("ENV")
    assert exec_form(instruction("VOLUME")) == ["/scenarios"]
    assert exec_form(instruction("ENTRYPOINT"))[:3] == ["mockpinme", "serve", "--host"]


def _closed_port() -> tuple[socket.socket, int]:
    """A bound socket that does not listen: connecting to its port is refused, whatever else runs."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder, holder.getsockname()[1]


def test_entrypoint_and_healthcheck_run_outside_docker(tmp_path: Path) -> None:
    """The ENTRYPOINT as written, on a free port instead of 8790 (the last --port wins); the
    HEALTHCHECK's probe pointed at whichever port each step uses."""
    command = exec_form(instruction("ENTRYPOINT"))
    assert "0.0.0.0" in command and command[-2:] == ["--port", "8790"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MOCKPINME_SCENARIO", None)
    env.pop("MOCKPINME_CONTROL_TOKEN", None)
    probe = healthcheck()
    assert probe[0] == "python" and ":8790/" in probe[-1]
    probe[0] = sys.executable

    def probe_on(port: int) -> list[str]:
        return [*probe[:-1], probe[-1].replace(":8790/", f":{port}/")]

    holder, refused = _closed_port()
    with holder:
        assert subprocess.run(probe_on(refused), env=env, capture_output=True, timeout=10).returncode != 0
    server = subprocess.Popen(
        [*command, "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        line = server.stdout.readline()
        if "listening" not in line:
            pytest.fail(f"the image's command did not start: {line} {server.stderr.read()}")
        found = re.match(
            r"mockpinme listening on http://0\.0\.0\.0:(\d+) \(scenario: default\)$", line.strip()
        )
        assert found, line
        port = int(found.group(1))
        deadline = time.monotonic() + 5
        while subprocess.run(probe_on(port), env=env, capture_output=True, timeout=10).returncode != 0:
            assert time.monotonic() < deadline, "HEALTHCHECK never passed"
            time.sleep(0.1)
        chat = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/chat/completions?project_name=p",
            headers={"X-API-Key": "k"},
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert chat.status_code == 200
        refused_reset = httpx.post(f"http://127.0.0.1:{port}/__mockpinme/reset")
        assert refused_reset.status_code == 403
        message = refused_reset.json()["error"]["message"]
        assert "--control-token" in message and "$MOCKPINME_CONTROL_TOKEN" in message
    finally:
        server.terminate()
        server.wait(timeout=5)
    warning = server.stderr.read()
    assert "without a control token" in warning and "$MOCKPINME_CONTROL_TOKEN" in warning


def test_the_image_takes_its_scenario_and_token_from_the_environment(tmp_path: Path) -> None:
    command = [*exec_form(instruction("ENTRYPOINT")), "--port", "0"]
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "MOCKPINME_SCENARIO": "low-balance", "MOCKPINME_CONTROL_TOKEN": "ci"}
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.strip().endswith("(scenario: low-balance)"), line
        base = line.split()[3].replace("0.0.0.0", "127.0.0.1")
        assert httpx.post(f"{base}/__mockpinme/reset").status_code == 401
        authorised = httpx.post(f"{base}/__mockpinme/reset", headers={"Authorization": "Bearer ci"})
        assert authorised.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=5)
    assert server.stderr is not None and "without a control token" not in server.stderr.read()


def _ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        candidates = ["/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)]
        prefixes = ["/".join(parts[:j]) for j in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatchcase(c, bare) for c in (candidates if pattern.startswith("**/") else prefixes)):
            return True
    return False


def test_the_build_context_is_what_the_image_copies(tmp_path: Path) -> None:
    """.dockerignore leaves out node_modules, the venv, tests and docs: only the COPY sources stay."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copied = {
        source
        for line in DOCKERFILE.read_text().splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    }
    assert copied == {"pyproject.toml", "README.md", "mockpinme", "scenarios"}
    for source in copied:
        assert not _ignored(source, patterns), source
    for left_out in (
        "tests/node/node_modules/x.js",
        "examples/worker/node_modules/y",
        ".venv/bin/python",
        ".git/HEAD",
    ):
        assert _ignored(left_out, patterns), left_out
    for top in (p.name for p in ROOT.iterdir()):
        assert (
            top in copied or _ignored(top, patterns) or top in (".dockerignore", "Dockerfile", ".gitignore")
        ), top
    assert _ignored("mockpinme/__pycache__/cli.cpython-311.pyc", patterns)
