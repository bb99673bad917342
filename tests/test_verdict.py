"""The verdict on real clients: retries and Retry-After, what must not be retried, the guide's rules,
the expect section, and the ways in (control API, MockPinme, serve)."""

from __future__ import annotations

import re

import httpx
import openai
import pytest

from mockpinme import MockPinme, Verdict

from .conftest import HELLO, KEY, ServerFactory, chat_url, sdk

BODY = {"model": "openai/gpt-4o-mini", "messages": HELLO}


def failed_checks(verdict: Verdict) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for finding in verdict.failures:
        found.setdefault(finding.check, []).extend(finding.requests)
    return found


def passed(verdict: Verdict, check: str) -> list[int]:
    return [i for f in verdict.findings if f.check == check and f.ok for i in f.requests]


def ids(server: MockPinme, status: int | None = None) -> list[int]:
    return [e.id for e in server.requests if status is None or e.status == status]


def test_openai_sdk_default_retries_honour_retry_after_under_retry_then_succeed(
    start_server: ServerFactory,
) -> None:
    server = start_server("retry-then-succeed", speed=1)
    reply = sdk(server, max_retries=2).chat.completions.create(**BODY)
    assert reply.choices[0].message.content
    failed, succeeded = server.requests
    assert (failed.status, failed.retry_after_s, succeeded.status) == (503, 1, 200)
    assert succeeded.at_s - failed.ended_at_s >= 1  # type: ignore[operator]
    verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "retries.retry_after") == [failed.id, succeeded.id]


def test_openai_sdk_default_retries_honour_retry_after_under_rate_limited(
    start_server: ServerFactory,
) -> None:
    server = start_server("rate-limited", speed=1)
    client = sdk(server, max_retries=2)
    for _ in range(2):
        client.chat.completions.create(**BODY)
    first = server.requests[0]
    server.advance(58.5 - (server.state.runtime.clock.now() - first.at_s))  # frees in 1.5 s: Retry-After 2
    client.chat.completions.create(**BODY)
    statuses = [e.status for e in server.requests]
    assert statuses == [200, 200, 429, 200]
    limited = server.requests[2]
    assert limited.retry_after_s == 2
    verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "retries.retry_after") == [limited.id, limited.id + 1]


def test_a_naive_loop_is_named_with_the_requests_it_sent_too_soon(start_server: ServerFactory) -> None:
    server = start_server("rate-limited", speed=1)
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as http:
        for _ in range(5):
            if http.post(chat_url(), json=BODY).status_code == 200:
                continue
    limited = ids(server, 429)
    assert len(limited) == 3
    verdict = server.verdict()
    assert not verdict.ok
    assert failed_checks(verdict) == {"retries.retry_after": limited}
    with pytest.raises(AssertionError) as raised:
        verdict.assert_ok()
    message = str(raised.value)
    assert "retries.retry_after" in message
    assert f"#{limited[1]} came" in message and "whose Retry-After asked for 60 s" in message


def test_retrying_a_402_is_named_and_the_openai_sdk_does_not(start_server: ServerFactory) -> None:
    server = start_server("insufficient-credits", speed=0)
    with pytest.raises(openai.APIStatusError):
        sdk(server, max_retries=2).chat.completions.create(**BODY)
    assert len(server.requests) == 1
    server.verdict().assert_ok()

    server.clear()
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as http:
        statuses = [http.post(chat_url(), json=BODY).status_code for _ in range(3)]
    assert statuses == [402, 402, 402]
    verdict = server.verdict()
    assert failed_checks(verdict) == {"retries.no_retry": ids(server)}
    assert "402 (openrouter.insufficient_credits)" in verdict.explain()


def test_too_many_resends_and_the_same_request_means_same_key_path_and_parsed_body(
    start_server: ServerFactory,
) -> None:
    server = start_server("upstream-down", speed=0)
    with httpx.Client(base_url=server.base_url) as http:
        for spacing in ('{"model":"openai/gpt-4o-mini",', '{ "model": "openai/gpt-4o-mini", '):
            for _ in range(3):
                http.post(
                    chat_url(),
                    content=spacing + '"messages":[{"role":"user","content":"Hello!"}]}',
                    headers={"X-API-Key": KEY, "Content-Type": "application/json"},
                )
        http.post(chat_url(), json=BODY, headers={"X-API-Key": "another-key"})
        http.post(chat_url("other"), json=BODY, headers={"X-API-Key": KEY})
    verdict = server.verdict()
    assert failed_checks(verdict) == {"retries.max": ids(server)[:6]}
    assert "sent the same request 6 times: 5 re-sends, at most 3 expected" in verdict.explain()


def test_a_request_sent_again_after_a_success_is_not_a_resend(
    client: openai.OpenAI, server: MockPinme
) -> None:
    for _ in range(5):
        client.chat.completions.create(**BODY)
    verdict = server.verdict()
    verdict.assert_ok()
    assert {f.check for f in verdict.findings} == {"guide.api_key_header", "guide.project_name"}


def test_key_in_authorization_and_project_name_not_encoded(server: MockPinme) -> None:
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.url_for("/api/v1"), api_key=KEY, max_retries=0).chat.completions.create(
            **BODY
        )
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as http:
        http.post(chat_url("team%3Ademo%2Fx"), json=BODY)
        http.send(http.build_request("POST", "/api/v1/chat/completions?project_name=team:demo/x", json=BODY))
        assert server.last_request is not None and server.last_request.raw_query == "project_name=team:demo/x"
        http.get("/api/v1/models")
    sdk_call, encoded, raw, models = ids(server)
    verdict = server.verdict()
    assert failed_checks(verdict) == {
        "guide.api_key_header": [sdk_call],
        "guide.project_name": [sdk_call, raw],
    }
    text = verdict.explain()
    assert "the key went in Authorization, not X-API-Key" in text
    assert "project_name is not URL-encoded in the query ('team:demo/x'" in text
    assert "no project_name in the query" in text
    assert all(encoded not in f.requests and models not in f.requests for f in verdict.failures)


def test_checks_turn_off_and_tighten(start_server: ServerFactory) -> None:
    scenario = {
        "name": "strict-client",
        "extends": "upstream-down",
        "expect": {
            "retries": {"max": 1, "backoff": "exponential"},
            "guide": {"api_key_header": False, "project_name": False},
        },
    }
    server = start_server(scenario, speed=0)
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {KEY}"}) as http:
        http.post("/api/v1/chat/completions", json=BODY)
    server.verdict().assert_ok()

    def loop(waits: list[float]) -> Verdict:
        server.clear()
        with httpx.Client(base_url=server.base_url, headers={"X-API-Key": KEY}) as http:
            http.post(chat_url(), json=BODY)
            for wait in waits:
                server.advance(wait)
                http.post(chat_url(), json=BODY)
        return server.verdict()

    assert failed_checks(loop([1])) == {}
    doubling = loop([1, 2, 4])
    assert set(failed_checks(doubling)) == {"retries.max"}
    steady = loop([1, 1])
    assert set(failed_checks(steady)) == {"retries.max", "retries.backoff"}
    assert re.search(r"after 1\.0\d s, less than 1\.5\d s", steady.explain()), steady.explain()

    relaxed = {**scenario, "expect": {"retries": {"max": None, "retry_after": False, "no_retry": []}}}
    server.use(relaxed)
    assert loop([0] * 6).ok


def test_the_expect_section_is_validated(start_server: ServerFactory) -> None:
    from mockpinme import ScenarioError, load_scenario

    with pytest.raises(ScenarioError) as raised:
        load_scenario({"name": "x", "expect": {"retries": {"max": -1, "backof": "any"}, "streams": {"x": 1}}})
    problems = [str(p) for p in raised.value.problems]
    assert any("expect.retries.max: must be at least 0" in p for p in problems), problems
    assert any("expect.retries.backof: unknown key" in p for p in problems), problems
    assert any("expect.streams.x: unknown key" in p for p in problems), problems
    defaults = load_scenario("default").expect
    assert (defaults.retries.max, defaults.retries.no_retry, defaults.streams.stall_timeout_s) == (
        3,
        (400, 401, 402, 403, 413),
        60,
    )


def test_control_api_verdict_covers_everything_since_the_reset(server: MockPinme) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        for _ in range(2):
            http.post(chat_url(), json=BODY)
        body = http.get("/__mockpinme/verdict").json()
        assert body["ok"] is False and body["judged"] == 2
        assert {"check": "retries.no_retry", "ok": False} in [
            {k: f[k] for k in ("check", "ok")} for f in body["findings"]
        ]
        assert Verdict.from_json(body) == server.verdict()
        http.post("/__mockpinme/reset", json={})
        assert http.get("/__mockpinme/verdict").json() == {"ok": True, "judged": 0, "findings": []}


def test_a_verdict_at_speed_zero_counts_the_clients_real_waits(start_server: ServerFactory) -> None:
    server = start_server("retry-then-succeed", speed=0)
    sdk(server, max_retries=2).chat.completions.create(**BODY)
    assert [e.status for e in server.requests] == [503, 200]
    server.verdict().assert_ok()


def test_project_name_is_required_only_where_pinme_wants_it(http: httpx.Client, server: MockPinme) -> None:
    assert http.get("/api/v1/models").status_code == 200
    assert http.post("/api/v1/chat/completions", json=BODY).status_code == 400
    assert failed_checks(server.verdict()) == {"guide.project_name": [ids(server)[1]]}
