"""What a scenario or a stream of requests could make slow or large: regexes match in linear time,
RE2's refusals are validation problems, and prepared replies are bounded by bytes."""

from __future__ import annotations

import json

import httpx
import pytest

from mockpinme import MockPinme, load_scenario
from mockpinme.scenario import ScenarioError, load_text

from .attacks import alive, no_traceback, watched_log
from .conftest import KEY, ServerFactory, chat_url

__all__ = ["watched_log"]


def say(server: MockPinme, text: str) -> str:
    body = json.dumps({"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": text}]})
    answer = httpx.post(server.url_for(chat_url()), content=body, headers={"X-API-Key": KEY}, timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["choices"][0]["message"]["content"])


def test_a_catastrophic_pattern_matches_in_linear_time(
    start_server: ServerFactory, watched_log: pytest.LogCaptureFixture
) -> None:
    server = start_server(
        {
            "rules": [
                {"when": {"last_user": {"regex": "^(a+)+$"}}, "respond": {"content": "all a"}},
                {"when": {"any_message": {"regex": "(x+x+)+y"}}, "respond": {"content": "xy"}},
            ],
            "fallback": {"content": "no"},
        }
    )
    assert say(server, "a" * 26 + "!") == "no"
    assert say(server, "a" * 200_000 + "!") == "no"
    assert say(server, "a" * 200_000) == "all a"
    assert say(server, "x" * 100_000) == "no"
    assert say(server, "\ud800" + "a" * 30) == "no"
    alive(server)
    no_traceback(watched_log, server)


def test_what_re2_cannot_run_is_a_validation_problem() -> None:
    rules = [
        {"when": {"last_user": {"regex": pattern}}, "respond": {"content": "x"}}
        for pattern in ("(a)\\1", "(?=a)b", "a" * 2001, "((((((((((a{100}){100}){100}){100})))))))")
    ]
    with pytest.raises(ScenarioError) as caught:
        load_scenario({"rules": rules})
    prefix = "<inline>:1:1: rules[{}].when.last_user.regex: not a valid regular expression (RE2 syntax): "
    assert [str(p) for p in caught.value.problems] == [
        prefix.format(0) + "invalid escape sequence: \\1",
        prefix.format(1) + "invalid perl operator: (?=",
        prefix.format(2) + "longer than 2000 characters",
        prefix.format(3) + "invalid repetition size: {100}",
    ]


def test_prepared_replies_are_bounded_by_bytes(start_server: ServerFactory) -> None:
    server = start_server({"rules": [{"respond": {"content": "{last_user}" + "x" * 50_000}}]})
    cache = server.state.scenarios.active.replies
    cache.max_bytes = 1 << 20
    for n in range(20):
        assert say(server, f"question {n}").startswith(f"question {n}x")
    assert cache.bytes <= cache.max_bytes and len(cache) == 5
    assert say(server, "question 19").startswith("question 19x")


def test_infinite_or_nan_numbers_in_a_scenario_are_problems() -> None:
    text = "stream: {ttft_ms: .inf}\nrules:\n  - respond: {content: x, latency_ms: .nan}\n"
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "odd.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "odd.yaml:1:10: stream.ttft_ms: expected a finite number, got inf",
        "odd.yaml:3:27: rules[0].respond.latency_ms: expected a finite number, got nan",
    ]
