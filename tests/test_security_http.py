"""The connection level, over raw sockets: malformed requests are answered in JSON with one log
line, an oversized body is answered then the connection closed, and slow clients are dropped by
the header, body and idle timeouts while fast ones are served."""

from __future__ import annotations

import logging
import socket
import threading

import httpx
import pytest

from mockpinme import MockPinme

from .attacks import BODY, alive, no_traceback, raw, request_bytes, watched_log
from .conftest import KEY, ServerFactory, chat_url

__all__ = ["watched_log"]

HOST = b"Host: 127.0.0.1\r\n"
MALFORMED = {
    "junk request line": b"JUNK\r\n\r\n",
    "TLS on the HTTP port": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40,
    "a header over 8 KB": b"GET /api/v1/models HTTP/1.1\r\n" + HOST + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n",
    "over 128 headers": b"GET /api/v1/models HTTP/1.1\r\n"
    + HOST
    + b"".join(b"X-%d: a\r\n" % i for i in range(200))
    + b"\r\n",
    "bad chunk framing": b"POST /api/v1/chat/completions HTTP/1.1\r\n"
    + HOST
    + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    "length and chunked": b"POST /api/v1/chat/completions HTTP/1.1\r\n"
    + HOST
    + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    "no Host": b"GET /__mockpinme/health HTTP/1.1\r\n\r\n",
    "NUL in the path": b"GET /__mockpinme/\x00 HTTP/1.1\r\n" + HOST + b"\r\n",
    "bad Content-Length": b"POST /api/v1/chat/completions HTTP/1.1\r\n"
    + HOST
    + b"Content-Length: -1\r\n\r\n",
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_requests_get_json_and_one_log_line(
    server: MockPinme, name: str, watched_log: pytest.LogCaptureFixture
) -> None:
    answer = raw(server, MALFORMED[name], until_closed=5)
    assert answer.status == 400 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"code", "msg", "data"} and (body["code"], body["msg"]) == (400, "error")
    assert body["data"]["error"].startswith("Bad Request: ") and "\n" not in body["data"]["error"]
    assert answer.closed
    lines = [r for r in watched_log.records if "malformed request" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    alive(server)
    no_traceback(watched_log, server)


def test_an_oversized_body_is_answered_then_the_connection_closed(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    head = request_bytes("POST", chat_url(), {"X-API-Key": KEY, "Content-Length": str(50 << 20)})
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + b"{" * 65536)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert answer.endswith(
            b'{"code":413,"msg":"error","data":{"error":"Request body too large (max 1MB)"}}'
        )
        sent = 0
        with pytest.raises(OSError):
            while sent < 50 << 20:
                sock.sendall(b"x" * 65536)
                sent += 65536
        assert sent < 50 << 20
    (entry,) = server.requests
    assert entry.status == 413 and entry.error == "pinme.body_too_large"
    alive(server)
    no_traceback(watched_log, server)


def _slow(server: MockPinme, data: bytes, results: list[bytes], trickle: bool) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        received = b""
        try:
            for i in range(len(data) if trickle else 1):
                sock.sendall(data[i : i + 1] if trickle else data)
                sock.settimeout(0.05 if trickle else 30)
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                received += chunk
                if not chunk:
                    break
            sock.settimeout(30)
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:
            pass
        results.append(received)


def test_slow_clients_are_dropped_while_fast_ones_are_served(
    start_server: ServerFactory, watched_log: pytest.LogCaptureFixture
) -> None:
    server = start_server(header_timeout_s=0.5, body_timeout_s=0.5, idle_timeout_s=1.0)
    headers_only = (
        b"POST " + chat_url().encode() + b" HTTP/1.1\r\n" + HOST + b"X-API-Key: k\r\nX-Pad: " + b"p" * 200
    )
    short_body = request_bytes("POST", chat_url(), {"X-API-Key": KEY, "Content-Length": "500"}) + b'{"model"'
    results: list[bytes] = []
    threads = [
        threading.Thread(target=_slow, args=(server, data, results, trickle))
        for data, trickle in [(headers_only, True)] * 20
        + [(headers_only, False)] * 20
        + [(short_body, False)] * 20
    ]
    for thread in threads:
        thread.start()
    served = 0
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as fast:
        while any(t.is_alive() for t in threads):
            assert fast.post(chat_url(), json=BODY).status_code == 200
            served += 1
    for thread in threads:
        thread.join()
    assert served > 0 and len(results) == 60
    header_late = b'{"code":408,"msg":"error","data":{"error":"request headers not received within 0.5 s"}}'
    body_late = b'{"code":408,"msg":"error","data":{"error":"the request body did not arrive within 0.5 s"}}'
    assert sum(r.startswith(b"HTTP/1.1 408 ") and r.endswith(header_late) for r in results) == 40
    assert sum(r.startswith(b"HTTP/1.1 408 ") and r.endswith(body_late) for r in results) == 20
    alive(server)
    no_traceback(watched_log, server)


def test_idle_connections_are_closed(start_server: ServerFactory) -> None:
    server = start_server(idle_timeout_s=0.5)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        assert sock.recv(1) == b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request_bytes("GET", "/__mockpinme/health"))
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        assert received.startswith(b"HTTP/1.1 200 OK") and received.count(b"HTTP/1.1") == 1
    assert httpx.get(server.url_for("/__mockpinme/health")).status_code == 200
