"""The control API against other sites: DNS rebinding (a foreign ``Host``), cross-site calls that
change state (a foreign ``Origin``), ``--cors``, the token's forms, and secrets in the journal."""

from __future__ import annotations

import httpx
import pytest

from mockpinme import MockPinme

from .attacks import BODY, alive, no_traceback, raw, request_bytes, watched_log
from .conftest import KEY, ServerFactory, chat_url

__all__ = ["watched_log"]

WRONG_HOST = {
    "error": {
        "message": "the control API answers only Host localhost, 127.0.0.1 or [::1] (see --allow-host)",
        "code": 421,
    }
}
CROSS_SITE = {
    "error": {
        "message": "the control API refuses calls that change state from another site's page",
        "code": 403,
    }
}


def chat(server: MockPinme, **headers: str) -> httpx.Response:
    return httpx.post(server.url_for(chat_url()), json=BODY, headers={"X-API-Key": KEY, **headers})


@pytest.mark.parametrize("path", ["requests", "health", "state", "scenario"])
def test_a_foreign_host_gets_421_from_the_control_api(
    server: MockPinme, path: str, watched_log: pytest.LogCaptureFixture
) -> None:
    chat(server)
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.nip.io", "[::2]:80"):
        answer = raw(server, request_bytes("GET", f"/__mockpinme/{path}", {"Host": host}))
        assert (answer.status, answer.json()) == (421, WRONG_HOST), host
    for host in (f"localhost:{server.port}", "127.0.0.1", "[::1]:9", "LOCALHOST"):
        assert raw(server, request_bytes("GET", f"/__mockpinme/{path}", {"Host": host})).status == 200
    assert (
        raw(server, request_bytes("GET", "/api/v1/models", {"Host": "evil.example", "X-API-Key": KEY})).status
        == 200
    )
    alive(server)
    no_traceback(watched_log, server)


def test_allow_host_adds_a_name(start_server: ServerFactory) -> None:
    server = start_server(allowed_hosts=["mock.internal"])
    assert (
        raw(server, request_bytes("GET", "/__mockpinme/state", {"Host": "mock.internal:8790"})).status == 200
    )
    assert raw(server, request_bytes("GET", "/__mockpinme/state", {"Host": "other.internal"})).status == 421


def test_a_cross_site_page_cannot_change_state(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    chat(server)
    for origin in ("https://evil.example", "null", "http://127.0.0.1.evil.example", "file://", "http://[::1"):
        for method, path, body, kind in (
            ("POST", "reset", b"{}", "text/plain"),
            ("PUT", "scenario", b'{"name": "low-balance"}', "text/plain"),
            ("POST", "clock", b'{"advance_s": 5}', "application/json"),
            ("DELETE", "requests", b"", "application/json"),
        ):
            headers = {"Origin": origin, "Content-Type": kind}
            answer = raw(server, request_bytes(method, f"/__mockpinme/{path}", headers, body))
            assert (answer.status, answer.json()) == (403, CROSS_SITE), (origin, method, path)
            assert "access-control-allow-origin" not in answer.headers
    assert len(server.requests) == 1
    assert server.scenario.name == "default"
    assert server.state.runtime.clock.now() < 5
    local = {"Origin": f"http://localhost:{server.port}", "Content-Type": "application/json"}
    assert raw(server, request_bytes("POST", "/__mockpinme/reset", local, b"{}")).status == 200
    assert len(server.requests) == 0
    assert httpx.post(server.url_for("/__mockpinme/reset")).status_code == 200
    read = raw(server, request_bytes("GET", "/__mockpinme/requests", {"Origin": "https://evil.example"}))
    assert read.status == 200 and "access-control-allow-origin" not in read.headers
    alive(server)
    no_traceback(watched_log, server)


def test_cors_opens_pinme_paths_but_never_the_control_api(
    start_server: ServerFactory, watched_log: pytest.LogCaptureFixture
) -> None:
    server = start_server(cors=True)
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"}
    control = raw(server, request_bytes("OPTIONS", "/__mockpinme/scenario", preflight))
    assert control.status == 405 and "access-control-allow-origin" not in control.headers
    assert control.json()["data"]["error"].startswith("Method OPTIONS not allowed for /__mockpinme/scenario")
    pinme = raw(server, request_bytes("OPTIONS", chat_url(), preflight))
    assert pinme.status == 204 and pinme.headers["access-control-allow-origin"] == "*"
    put = raw(
        server,
        request_bytes(
            "PUT",
            "/__mockpinme/scenario",
            {"Origin": "https://evil.example", "Content-Type": "application/json"},
            b'{"name": "low-balance"}',
        ),
    )
    assert (put.status, put.json()) == (403, CROSS_SITE)
    assert "access-control-allow-origin" not in put.headers
    read = httpx.get(server.url_for("/__mockpinme/requests"), headers={"Origin": "https://evil.example"})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    assert chat(server, Origin="https://evil.example").headers["access-control-allow-origin"] == "*"
    assert server.scenario.name == "default"
    alive(server)
    no_traceback(watched_log, server)


def test_the_token_goes_only_as_bearer_or_its_own_header(
    start_server: ServerFactory, watched_log: pytest.LogCaptureFixture
) -> None:
    server = start_server(control_token="s3cret-token")
    url = server.url_for("/__mockpinme/state")
    refused = {
        "error": {
            "message": "the control API needs the control token:"
            " send Authorization: Bearer TOKEN or X-Mockpinme-Token: TOKEN",
            "code": 401,
        }
    }
    for headers in (
        {},
        {"Authorization": "s3cret-token"},
        {"Authorization": "Basic s3cret-token"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer wrong"},
        {"X-Mockpinme-Token": "s3cret-tokenX"},
    ):
        answer = httpx.get(url, headers=headers)
        assert (answer.status_code, answer.json()) == (401, refused), headers
    for headers in (
        {"Authorization": "Bearer s3cret-token"},
        {"Authorization": "bearer  s3cret-token"},
        {"X-Mockpinme-Token": "s3cret-token"},
    ):
        assert httpx.get(url, headers=headers).status_code == 200, headers
    latin = raw(server, request_bytes("GET", "/__mockpinme/state", {"X-Mockpinme-Token": "s3cr\udce9t"}))
    assert (latin.status, latin.json()) == (401, refused)
    assert httpx.get(server.url_for("/__mockpinme/health")).status_code == 200
    no_traceback(watched_log, server)


def test_the_journal_masks_keys_and_authorization(server: MockPinme) -> None:
    key, bearer = "sk-live-1234567890", "Bearer sk-or-v1-abcdefabcdef"
    chat(server, **{"X-API-Key": key, "Authorization": bearer})
    response = httpx.get(server.url_for("/__mockpinme/requests"))
    (entry,) = response.json()["requests"]
    assert entry["headers"]["X-API-Key"] == "sk…90"
    assert entry["headers"]["Authorization"] == "Be…ef"
    assert key not in response.text and "abcdefabcdef" not in response.text
