"""The pytest plugin, as a user's project sees it (pytester), plain and under xdist."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import httpx
import openai
import pytest


def client(server):
    return openai.OpenAI(
        base_url=server.url_for("/api/v1"),
        api_key="unused",
        default_headers={"X-API-Key": "k"},
        default_query={"project_name": "demo"},
        max_retries=0,
    )


def ask(server):
    return client(server).chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )


def test_default_scenario_and_the_journal(mockpinme):
    assert mockpinme.base_url.startswith("http://127.0.0.1:")
    ask(mockpinme)
    entry = mockpinme.last_request
    assert entry.path == "/api/v1/chat/completions"
    assert entry.query == {"project_name": "demo"}
    assert entry.headers["x-api-key"] == "k"
    assert entry.json["model"] == "openai/gpt-4o-mini"
    assert (entry.status, entry.rule, entry.stream) == (200, "fallback", False)
    mockpinme.assert_requests(1, path="/api/v1/chat/completions", status=200)


@pytest.mark.mockpinme(scenario="low-balance")
def test_marker_picks_the_scenario(mockpinme):
    with pytest.raises(openai.PermissionDeniedError):
        ask(mockpinme)
    assert mockpinme.last_request.error == "pinme.insufficient_balance"


def test_nothing_leaks_from_the_previous_test(mockpinme):
    assert mockpinme.requests == []
    ask(mockpinme)


@pytest.mark.mockpinme(scenario="rate-limited")
def test_counters_start_fresh_1(mockpinme):
    ask(mockpinme)
    ask(mockpinme)
    with pytest.raises(openai.RateLimitError):
        ask(mockpinme)


@pytest.mark.mockpinme(scenario="rate-limited")
def test_counters_start_fresh_2(mockpinme):
    ask(mockpinme)
    ask(mockpinme)


def test_switch_inside_a_test(mockpinme):
    mockpinme.use({"rules": [{"respond": {"content": "scripted"}}]})
    assert ask(mockpinme).choices[0].message.content == "scripted"


@pytest.mark.mockpinme(seed=5)
def test_seed_from_the_marker(mockpinme):
    assert mockpinme.scenario.seed == 5


async def test_async_tests_work_too(mockpinme):
    async with httpx.AsyncClient() as session:
        response = await session.get(mockpinme.url_for("/api/v1/models"), headers={"X-API-Key": "k"})
    assert response.status_code == 200
"""


@pytest.mark.parametrize("xdist", [False, True])
def test_user_suite_passes(pytester: pytest.Pytester, xdist: bool) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    args = ["-p", "no:cacheprovider", "-v"] + (["-n", "2"] if xdist else [])
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=8)


def test_port_pinned_by_environment(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MOCKPINME_PORT", str(port))
    pytester.makepyfile(
        test_port=f"def test_port(mockpinme):\n    assert mockpinme.base_url == 'http://127.0.0.1:{port}'\n"
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_failure_inside_the_server_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_boom="""
import httpx
from mockpinme.engine import prepared


def test_boom(mockpinme, monkeypatch):
    def broken(reply):
        raise RuntimeError("boom inside the server")

    monkeypatch.setattr(prepared, "completion_body", broken)
    response = httpx.post(
        mockpinme.url_for("/api/v1/chat/completions?project_name=p"),
        headers={"X-API-Key": "k"},
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]},
    )
    assert response.status_code == 500
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*RuntimeError: boom inside the server*"])


VERDICT_TESTS = """
import httpx
import pytest

BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def send(server, times):
    with httpx.Client(base_url=server.base_url, headers={"X-API-Key": "k"}) as http:
        for _ in range(times):
            http.post("/api/v1/chat/completions?project_name=demo", json=BODY)


@pytest.mark.mockpinme(scenario="low-balance", verdict=True)
def test_gives_up_at_once(mockpinme):
    send(mockpinme, 1)


@pytest.mark.mockpinme(scenario="low-balance", verdict=True)
def test_keeps_retrying(mockpinme):
    send(mockpinme, 3)


@pytest.mark.mockpinme(scenario="low-balance")
def test_keeps_retrying_unjudged(mockpinme):
    send(mockpinme, 3)
    assert not mockpinme.verdict().ok
"""


def test_verdict_true_fails_a_test_whose_client_did_not_behave(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_verdict=VERDICT_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*retries.no_retry: re-sent a request whose answer cannot change by retrying*",
            "*FAILED test_verdict.py::test_keeps_retrying*",
        ]
    )
