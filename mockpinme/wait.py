"""``mockpinme wait URL``: block until a mockpinme server answers its health check, or time runs out."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

HEALTH_PATH = "/__mockpinme/health"
READY, NOT_READY, BAD_URL = 0, 1, 2


@dataclass(frozen=True)
class Waited:
    """How the wait ended: the exit status and one line saying why."""

    status: int
    message: str


def health_url(url: str) -> str:
    """The health URL for a server's base URL (``http://127.0.0.1:8790``); any other path is kept."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.path in ("", "/"):
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, HEALTH_PATH, "", ""))
    return url


def _probe(url: str, timeout: float) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, str(getattr(reason, "strerror", None) or reason)
    try:
        scenario = json.loads(body).get("scenario")
    except (ValueError, AttributeError):
        scenario = None
    return True, f"scenario: {scenario}" if scenario else "healthy"


def wait(url: str, timeout: float, interval: float = 0.2) -> Waited:
    """Poll ``url``'s health until it answers 200 (status 0) or ``timeout`` seconds pass (status 1)."""
    try:
        target = health_url(url)
    except ValueError as exc:
        return Waited(BAD_URL, f"mockpinme wait: {exc}")
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        ok, detail = _probe(target, max(0.1, min(2.0, remaining)))
        if ok:
            return Waited(READY, f"mockpinme is up at {target} ({detail})")
        if time.monotonic() + interval > deadline:
            return Waited(
                NOT_READY, f"mockpinme wait: {target} not healthy after {timeout:g} s (last: {detail})"
            )
        time.sleep(interval)
