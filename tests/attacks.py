"""Shared by the security tests: raw sockets, a liveness check, and the log watched for tracebacks."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from mockpinme import MockPinme

from .conftest import HELLO, KEY, chat_url

BODY: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": HELLO}


@dataclass
class Raw:
    """What came back on a raw connection: status, headers (lower-case names), body, closed."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    closed: bool = False

    def json(self) -> Any:
        return json.loads(self.body)


def raw(server: MockPinme, data: bytes, *, wait: float = 5.0, until_closed: float = 0.0) -> Raw:
    """Send bytes as they are and read one answer (by its Content-Length); with ``until_closed``,
    wait that long for the server to close the connection after it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(data)
        received = b""
        closed = False
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines[0] else 0
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length and not closed:
            chunk = sock.recv(65536)
            closed = not chunk
            body += chunk
        if not closed and until_closed:
            sock.settimeout(until_closed)
            try:
                while not closed:
                    closed = sock.recv(65536) == b""
            except ConnectionError:
                closed = True
            except TimeoutError:
                pass
        return Raw(status, headers, body[:length], closed)


def request_bytes(
    method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    """One HTTP/1.1 request, headers as given (Host 127.0.0.1 unless given), Content-Length added."""
    lines = [f"{method} {target} HTTP/1.1"]
    given = {"Host": "127.0.0.1", **(headers or {})}
    if body and "Content-Length" not in given and "Transfer-Encoding" not in given:
        given["Content-Length"] = str(len(body))
    lines += [f"{k}: {v}" for k, v in given.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def alive(server: MockPinme) -> None:
    """The server still answers: its health, and a chat call."""
    assert httpx.get(server.url_for("/__mockpinme/health")).status_code == 200
    answer = httpx.post(server.url_for(chat_url()), json=BODY, headers={"X-API-Key": KEY})
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"]


def no_traceback(caplog: pytest.LogCaptureFixture, server: MockPinme | None = None) -> None:
    """Nothing was logged with a traceback, nothing failed inside the server."""
    bad = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not bad, [r.getMessage() for r in bad]
    assert "Traceback" not in caplog.text
    if server is not None:
        assert server.state.runtime.failures == []


@pytest.fixture
def watched_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog
