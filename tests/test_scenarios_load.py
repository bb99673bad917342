"""Scenario files: strict validation with file, line, column and key path, extends, built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockpinme import ScenarioError, load_scenario
from mockpinme.scenario import builtins

ISSUE_2_BUILTINS = {
    "default",
    "low-balance",
    "llm-disabled",
    "not-configured",
    "invalid-key",
    "upstream-down",
    "proxy-error",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_every_builtin_loads_with_a_description() -> None:
    found = {b.name: b for b in builtins()}
    assert ISSUE_2_BUILTINS <= set(found)
    for info in found.values():
        assert info.description, info.name
        assert load_scenario(info.name).name == info.name


def test_all_problems_are_reported_at_once_with_places(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        "version: 1\n"
        "seed: seven\n"
        "stream:\n"
        "  ttft_ms: -5\n"
        "rules:\n"
        "  - when: {last_user: {regex: '(open'}}\n"
        "    respond: {content: hi, delay_ms: 3}\n"
        "  - respond: {error: openrouter.rate_limit}\n",
    )
    found = problems_of(path)
    assert found == [
        f"{path}:2:1: seed: expected a whole number, got 'seven'",
        f"{path}:4:3: stream.ttft_ms: must be at least 0",
        f"{path}:6:24: rules[0].when.last_user.regex: not a valid regular expression (RE2 syntax):"
        " missing ): (open",
        f"{path}:7:28: rules[0].respond.delay_ms: unknown key (expected one of: content, generate,"
        " tool_calls, reasoning, web_search, error, message, retry_after_s, status, body, headers,"
        " stream, fault, latency_ms, finish_reason, usage, annotations, provider, model)",
        f"{path}:8:15: rules[1].respond.error: unknown error name 'openrouter.rate_limit'"
        " (did you mean openrouter.rate_limited?)",
    ]


def test_yaml_syntax_error_names_the_place(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "name: x\nrules: [\n  {a: 1\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:")
    assert "not valid YAML" in problem


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "seed: 1\nseed: 2\n")
    assert problems_of(path) == [f"{path}:2:1: (top): duplicate key 'seed'"]


def test_extends_by_relative_path_merges_maps_and_replaces_lists(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base.yaml",
        "seed: 3\nstream: {ttft_ms: 10, keepalive_ms: 5}\nrules:\n  - respond: {content: base}\n",
    )
    child = write(
        tmp_path,
        "child.yaml",
        "extends: base.yaml\nstream: {ttft_ms: 99}\nrules:\n  - respond: {content: child}\n",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.seed == 3
    assert (scenario.stream.ttft_ms, scenario.stream.keepalive_ms) == (99, 5)
    assert [r.respond.content for r in scenario.rules] == ["child"]


def test_extends_a_builtin_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", "extends: low-balance\nseed: 11\n")
    scenario = load_scenario(path)
    assert scenario.projects["*"].balance_usd == 0
    assert scenario.seed == 11


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "extends: a.yaml\n")
    (problem,) = problems_of(b)
    assert "extends itself" in problem


def test_problems_inside_an_extended_file_name_that_file(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", "seed: 1\nstream: {chunk: sentence}\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nseed: 2\n")
    (problem,) = problems_of(child)
    assert problem.startswith(f"{base}:2:10: stream.chunk: expected one of 'char', 'word', 'token'")


def test_rule_stream_overrides_the_scenario_stream_key_by_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        "stream: {ttft_ms: 10, chunk: char}\nrules:\n  - respond: {content: x, stream: {ttft_ms: 70}}\n",
    )
    profile = load_scenario(path).rules[0].respond.stream
    assert profile is not None
    assert (profile.ttft_ms, profile.chunk) == (70, "char")


def test_a_respond_with_two_answers_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "rules:\n  - respond: {content: x, error: pinme.proxy_failed}\n")
    assert problems_of(path) == [
        f"{path}:2:27: rules[0].respond.error: 'content' and 'error' cannot be used together"
    ]


def test_missing_file_names_the_builtins(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nope.yaml")
    assert "no scenario file" in str(caught.value)
    assert "low-balance" in str(caught.value)


def test_inline_mapping_is_validated_too() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario({"seed": "x"})
    assert str(caught.value) == "<inline>:1:1: seed: expected a whole number, got 'x'"
