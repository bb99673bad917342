"""The control API over HTTP, from Python and from a Node script, and the Python API around it."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockpinme import Entry, MockPinme
from mockpinme.engine.state import SCENARIO_HEADER

from .conftest import HELLO, KEY, ServerFactory, chat_url
from .node_sdk import NODE_DIR, npm_installed

BODY: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": HELLO}


def control(server: MockPinme, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, server.url_for(f"/__mockpinme/{path}"), **kwargs)


def chat(server: MockPinme, **headers: str) -> httpx.Response:
    return httpx.post(server.url_for(chat_url()), json=BODY, headers={"X-API-Key": KEY, **headers})


def test_health_and_scenarios(server: MockPinme) -> None:
    health = control(server, "GET", "health").json()
    assert health["status"] == "ok" and health["scenario"] == "default"
    names = [s["name"] for s in control(server, "GET", "scenarios").json()["scenarios"]]
    assert {"default", "low-balance", "flaky", "conversation"} <= set(names)


def test_switch_by_name_path_inline_and_yaml(start_server: ServerFactory, tmp_path: Path) -> None:
    server = start_server(scenarios_dirs=[tmp_path])
    assert (
        control(server, "PUT", "scenario", json={"name": "low-balance"}).json()["scenario"] == "low-balance"
    )
    assert chat(server).status_code == 403
    file = tmp_path / "mine.yaml"
    file.write_text("rules:\n  - respond: {content: from a file}\n")
    control(server, "PUT", "scenario", json={"path": str(file)})
    assert chat(server).json()["choices"][0]["message"]["content"] == "from a file"
    control(server, "PUT", "scenario", json={"scenario": {"rules": [{"respond": {"content": "inline"}}]}})
    assert chat(server).json()["choices"][0]["message"]["content"] == "inline"
    yaml_body = "name: yaml-body\nrules:\n  - respond: {content: as yaml}\n"
    switched = control(
        server, "PUT", "scenario", content=yaml_body, headers={"Content-Type": "application/yaml"}
    )
    assert switched.json()["scenario"] == "yaml-body"
    assert control(server, "GET", "scenario").json()["name"] == "yaml-body"
    assert chat(server).json()["choices"][0]["message"]["content"] == "as yaml"


def test_invalid_scenarios_are_refused_with_validate_lines(server: MockPinme) -> None:
    bad = "seed: x\nrules:\n  - respond: {contnet: 1}\n"
    response = control(server, "PUT", "scenario", content=bad, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == [
        "<request body>:1:1: seed: expected a whole number, got 'x'",
        "<request body>:3:15: rules[0].respond.contnet: unknown key (expected one of: content, generate,"
        " tool_calls, reasoning, web_search, error, message, retry_after_s, status, body, headers, stream,"
        " fault, latency_ms, finish_reason, usage, annotations, provider, model)",
    ]
    unknown = control(server, "PUT", "scenario", json={"name": "nope"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["problems"][0].startswith(
        "(top): 'nope' is not a built-in scenario or a scenario in --scenarios-dir"
        " (and no --scenarios-dir was given); built-in scenarios: "
    )
    assert control(server, "PUT", "scenario", json={"name": "a", "path": "b"}).status_code == 400
    assert control(server, "GET", "scenario").json()["name"] == "default"


def test_journal_filters_and_reset(server: MockPinme) -> None:
    chat(server)
    httpx.get(server.url_for("/api/v1/models"), headers={"X-API-Key": KEY})
    chat(server, **{SCENARIO_HEADER: "low-balance"})
    entries = control(server, "GET", "requests").json()["requests"]
    assert [(e["path"], e["status"]) for e in entries] == [
        ("/api/v1/chat/completions", 200),
        ("/api/v1/models", 200),
        ("/api/v1/chat/completions", 403),
    ]
    first = entries[0]
    assert first["headers"]["X-API-Key"] == "te…ey" and first["query"] == {"project_name": "demo"}
    assert first["json"] == BODY and first["rule"] == "fallback" and first["duration_ms"] >= 0
    assert entries[2]["scenario"] == "low-balance" and entries[2]["error"] == "pinme.insufficient_balance"
    forbidden = control(server, "GET", "requests", params={"status": 403}).json()["requests"]
    assert [e["id"] for e in forbidden] == [entries[2]["id"]]
    since = control(server, "GET", "requests", params={"since": entries[0]["id"]}).json()["requests"]
    assert len(since) == 2
    assert len(control(server, "GET", "requests", params={"limit": 1}).json()["requests"]) == 1
    assert control(server, "GET", "requests", params={"limit": "x"}).status_code == 400
    control(server, "POST", "reset")
    assert control(server, "GET", "requests").json()["requests"] == []


def test_journal_keeps_the_bytes_sent_and_parses_them_when_asked(server: MockPinme) -> None:
    chat(server)
    broken = httpx.post(server.url_for(chat_url()), content=b'{"model": ', headers={"X-API-Key": KEY})
    assert broken.status_code == 400
    sent, invalid = server.requests
    assert sent.body is not None and json.loads(sent.body) == BODY and sent.json == BODY
    assert (invalid.body, invalid.json, invalid.error) == (b'{"model": ', None, "pinme.invalid_json")


def test_state_shows_balances_windows_counters_and_reset_restores(start_server: ServerFactory) -> None:
    server = start_server(
        {
            "projects": {"demo": {"balance_usd": 1.0}},
            "rate_limits": {"requests_per_minute": 10},
            "rules": [{"name": "only", "respond": {"content": "x"}}],
        }
    )
    chat(server)
    chat(server)
    state = control(server, "GET", "state").json()
    mine = state["scenarios"]["inline"]
    assert mine["calls"] == 2 and mine["rule_hits"] == {"only": 2}
    assert 0 < mine["balances"]["demo"] < 1.0
    assert mine["rate_limits"] == {KEY: {"requests": 2, "tokens": mine["rate_limits"][KEY]["tokens"]}}
    control(server, "POST", "reset")
    fresh = control(server, "GET", "state").json()["scenarios"]["inline"]
    assert (fresh["calls"], fresh["balances"], fresh["rate_limits"]) == (0, {}, {})


def test_clock_advance(start_server: ServerFactory) -> None:
    server = start_server("rate-limited")
    assert [chat(server).status_code for _ in range(3)] == [200, 200, 429]
    assert control(server, "POST", "clock", json={"advance_s": 60}).json()["clock_s"] == 60
    assert chat(server).status_code == 200


def test_token_required_once_set(start_server: ServerFactory) -> None:
    server = start_server(control_token="s3cret")
    assert control(server, "GET", "health").status_code == 200
    assert control(server, "GET", "state").status_code == 401
    assert control(server, "GET", "state", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert control(server, "GET", "state", headers={"X-Mockpinme-Token": "s3cret"}).status_code == 200
    assert control(server, "GET", "state", headers={"X-Mockpinme-Token": "wrong"}).status_code == 401


def test_off_loopback_without_token_refuses_control(start_server: ServerFactory) -> None:
    server = start_server(host="0.0.0.0")
    url = f"http://127.0.0.1:{server.port}/__mockpinme"
    assert httpx.get(f"{url}/health").status_code == 200
    refused = httpx.post(f"{url}/reset")
    assert refused.status_code == 403
    assert "--control-token" in refused.json()["error"]["message"]


def test_cors(start_server: ServerFactory) -> None:
    plain = start_server()
    assert "access-control-allow-origin" not in chat(plain).headers
    server = start_server(cors=True)
    preflight = httpx.options(
        server.url_for(chat_url()),
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" in chat(server).headers
    streamed = httpx.post(
        server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY}
    )
    assert streamed.headers["access-control-allow-origin"] == "*"
    assert "X-Generation-Id" in streamed.headers["access-control-expose-headers"]


def test_journal_is_bounded_and_logs_mask_keys(
    start_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="mockpinme")
    server = start_server(journal_limit=3)
    for _ in range(5):
        chat(server, **{"X-API-Key": "secret-key-123"})
    assert [e.id for e in server.requests] == [3, 4, 5]
    assert server.last_request is not None and server.last_request.api_key == "secret-key-123"
    lines = [r.getMessage() for r in caplog.records if "/api/v1/chat/completions" in r.getMessage()]
    assert lines and all("secret-key-123" not in line and "se…23" in line for line in lines)


def finished(server: MockPinme) -> Entry:
    """The last journal entry, once its answer is over (the client may be done before the server)."""
    for _ in range(100):
        entry = server.last_request
        if entry is not None and entry.duration_ms is not None:
            return entry
        time.sleep(0.02)
    raise AssertionError("the last request never finished")


def test_stream_entries_record_chunks_and_cancellation(start_server: ServerFactory) -> None:
    server = start_server()
    httpx.post(server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY})
    entry = finished(server)
    assert entry.stream and entry.status == 200 and entry.chunks_sent > 3
    assert not entry.cancelled
    slow = start_server({"stream": {"ttft_ms": 0, "chunk_delay_ms": 200}}, speed=1)
    with httpx.stream(
        "POST", slow.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY}
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: {") and '"content":""' not in line:
                break
    entry = finished(slow)
    assert entry.cancelled and entry.chunks_sent >= 1


def test_assert_requests_and_check(server: MockPinme) -> None:
    chat(server)
    server.assert_requests(1, path="/api/v1/chat/completions")
    with pytest.raises(AssertionError, match="expected 2 request"):
        server.assert_requests(2)
    server.check()


async def test_async_with_serves_in_the_running_loop() -> None:
    async with MockPinme("low-balance", speed=0) as server, httpx.AsyncClient() as session:
        response = await session.post(server.url_for(chat_url()), json=BODY, headers={"X-API-Key": KEY})
    assert response.status_code == 403


def test_a_node_script_drives_the_control_api(start_server: ServerFactory) -> None:
    server = start_server(control_token="t0k")
    result = subprocess.run(
        ["node", "control.mjs", "low-balance"],
        cwd=npm_installed(NODE_DIR),
        env={**os.environ, "BASE_URL": server.base_url, "TOKEN": "t0k"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["switch"] == {"status": 200, "body": {"status": "ok", "scenario": "low-balance"}}
    assert out["chat"]["status"] == 403
    (entry,) = out["journal"]["body"]["requests"]
    assert entry["query"] == {"project_name": "node demo"}
    assert entry["headers"]["X-API-Key"] == "no…ey"
    assert entry["status"] == 403 and entry["error"] == "pinme.insufficient_balance"
    assert out["state"]["body"]["scenario"] == "low-balance"
    assert out["after"]["body"]["requests"] == []
