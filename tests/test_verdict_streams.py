"""The verdict on streams and on PinMe's guide code: a stalled stream abandoned in time or not, an
answer that ended early taken for whole or re-sent, web search with and without the guide's bounds."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import openai
import pytest

from mockpinme import MockPinme, Verdict

from .conftest import HELLO, ServerFactory, sdk
from .node_sdk import guide
from .test_verdict import failed_checks, passed

BODY: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": HELLO}
SPEED = 5
"""Stall tests: scenario seconds pass five times faster, so a 5 s timeout is 1 s of real time."""


def until(condition: Any, what: str, limit_s: float = 20) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def read_with_timeout(server: MockPinme, timeout_s: float) -> tuple[list[str], BaseException | None]:
    """A streaming client with a read timeout of ``timeout_s`` scenario seconds."""
    client = sdk(server, timeout=timeout_s / SPEED)
    pieces: list[str] = []
    try:
        with client.chat.completions.create(**BODY, stream=True) as stream:
            for chunk in stream:
                pieces += [c.delta.content or "" for c in chunk.choices]
    except (httpx.TimeoutException, openai.APITimeoutError) as exc:
        return pieces, exc
    return pieces, None


def test_a_client_with_a_5s_timeout_abandons_a_stalled_stream_in_time(start_server: ServerFactory) -> None:
    server = start_server("stalled-stream", speed=SPEED)
    pieces, error = read_with_timeout(server, 5)
    assert error is not None and len([p for p in pieces if p]) == 3
    (entry,) = server.requests
    until(lambda: entry.ended_at_s is not None, "the mock sees the client leave")
    assert entry.cancelled and entry.stalled_at is not None and entry.ending == "stalled"
    silence = entry.ended_at_s - entry.stalled_at[0]  # type: ignore[operator]
    assert 5 <= silence < 60
    verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "streams.stall") == [entry.id]


def test_a_json_answer_that_stalls_is_judged_the_same(start_server: ServerFactory) -> None:
    server = start_server("stalled-stream", speed=SPEED)
    with pytest.raises(openai.APITimeoutError):
        sdk(server, timeout=5 / SPEED).chat.completions.create(**BODY)
    (entry,) = server.requests
    until(lambda: entry.ended_at_s is not None, "the mock sees the client leave")
    assert entry.status is None and entry.ending == "stalled"
    verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "streams.stall") == [entry.id]


def test_a_tightened_stall_timeout_fails_the_same_client(start_server: ServerFactory) -> None:
    tight = {"name": "tight", "extends": "stalled-stream", "expect": {"streams": {"stall_timeout_s": 3}}}
    server = start_server(tight, speed=SPEED)
    read_with_timeout(server, 5)
    (entry,) = server.requests
    until(lambda: entry.ended_at_s is not None, "the mock sees the client leave")
    verdict = server.verdict()
    assert failed_checks(verdict) == {"streams.stall": [entry.id]}
    text = verdict.explain()
    assert "gave up on a stalled answer only after" in text and "(limit 3 s)" in text


def test_a_client_that_never_times_out_is_named_while_it_hangs(start_server: ServerFactory) -> None:
    server = start_server("stalled-stream", speed=SPEED)
    outcome: list[Any] = []

    def hang() -> None:
        try:
            with sdk(server, timeout=None).chat.completions.create(**BODY, stream=True) as stream:
                outcome.append(list(stream))
        except Exception as exc:
            outcome.append(exc)

    reader = threading.Thread(target=hang, daemon=True)
    reader.start()
    until(lambda: server.requests and server.requests[0].stalled_at is not None, "the stream stalls")
    (entry,) = server.requests
    assert server.verdict().ok  # not yet past the limit
    server.advance(60)
    verdict = server.verdict()
    assert failed_checks(verdict) == {"streams.stall": [entry.id]}
    assert "still waiting on a stalled answer after 60." in verdict.explain()
    assert reader.is_alive() and not outcome
    server.stop()
    reader.join(timeout=10)
    assert outcome and not reader.is_alive()


def stream_text(client: openai.OpenAI, messages: list[dict[str, str]]) -> str:
    text = ""
    try:
        for chunk in client.chat.completions.create(model=BODY["model"], messages=messages, stream=True):
            text += "".join(c.delta.content or "" for c in chunk.choices)
    except openai.APIError:
        pass
    return text


@pytest.mark.parametrize("scenario", ["mid-stream-error", "truncated-stream"])
def test_an_answer_that_ended_early_taken_for_whole_is_named(
    start_server: ServerFactory, scenario: str
) -> None:
    server = start_server(scenario)
    client = sdk(server)
    partial = stream_text(client, HELLO)
    assert partial
    follow_up = [{"role": "assistant", "content": partial}, {"role": "user", "content": "More?"}]
    stream_text(client, [*HELLO, *follow_up])
    first, second = server.requests
    assert first.ending == ("error" if scenario == "mid-stream-error" else "truncated")
    verdict = server.verdict()
    assert failed_checks(verdict) == {"streams.incomplete": [first.id, second.id]}
    assert f"#{second.id} sent back the partial text of #{first.id}" in verdict.explain()


def test_an_answer_that_ended_early_and_was_sent_again_passes(start_server: ServerFactory) -> None:
    server = start_server("mid-stream-error")
    client = sdk(server)
    stream_text(client, HELLO)
    stream_text(client, HELLO)
    first, _ = server.requests
    verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "streams.incomplete") == [first.id]


def test_the_guides_search_with_llm_passes_and_without_bounds_fails(start_server: ServerFactory) -> None:
    server = start_server("web-search")
    out = guide(server, "searchWithLLM", {"query": "What is PinMe?"})
    assert out["ok"], out["stderr"]
    verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "guide.web_search_bounds") == [server.requests[0].id]

    server.clear()
    out = guide(server, "searchWithLLMUnbounded", {"query": "What is PinMe?"})
    assert out["ok"], out["stderr"]
    verdict = server.verdict()
    assert failed_checks(verdict) == {"guide.web_search_bounds": [server.requests[0].id]}
    assert "the openrouter:web_search tool has no max_results or max_total_results" in verdict.explain()


def test_the_guides_call_llm_encodes_the_project_name(start_server: ServerFactory) -> None:
    server = start_server()
    out = guide(server, "callLLM", {"messages": HELLO}, PROJECT="team:demo/x")
    assert out["ok"], out["stderr"]
    (entry,) = server.requests
    assert entry.raw_query == "project_name=team%3Ademo%2Fx"
    assert entry.query == {"project_name": "team:demo/x"}
    verdict: Verdict = server.verdict()
    verdict.assert_ok()
    assert passed(verdict, "guide.project_name") == [entry.id]
