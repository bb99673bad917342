"""``serve --watch``: edits take effect within a second, broken edits keep the last good scenario,
streams in flight finish."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def reply(url: str) -> str:
    response = httpx.post(
        f"{url}/api/v1/chat/completions?project_name=p", json=BODY, headers={"X-API-Key": "k"}
    )
    return str(response.json()["choices"][0]["message"]["content"])


def wait_for(url: str, expected: str, seconds: float = 1.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds * 3:
        if reply(url) == expected:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"never answered {expected!r}")


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[str, Path, Path, subprocess.Popen[str]]]:
    base = tmp_path / "base.yaml"
    base.write_text("rules:\n  - respond: {content: one}\n")
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("extends: base.yaml\nstream: {ttft_ms: 0, chunk_delay_ms: 100}\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "mockpinme", "serve", "--port", "0", "--watch", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[3]
    yield url, scenario, base, process
    process.terminate()
    process.wait(timeout=5)


def test_edits_take_effect_and_broken_edits_are_kept_out(
    watched: tuple[str, Path, Path, subprocess.Popen[str]],
) -> None:
    url, scenario, base, process = watched
    assert reply(url) == "one"
    scenario.write_text("extends: base.yaml\nrules:\n  - respond: {content: two}\n")
    assert wait_for(url, "two") < 1.0
    base.write_text("fallback: {content: from the base}\n")
    scenario.write_text("extends: base.yaml\n")
    assert wait_for(url, "from the base") < 1.0
    scenario.write_text("extends: base.yaml\nrules:\n  - respond: {contnet: broken}\n")
    time.sleep(0.8)
    assert reply(url) == "from the base"
    process.terminate()
    _, err = process.communicate(timeout=5)
    assert f"{scenario}:3:15: rules[0].respond.contnet: unknown key" in err
    assert "Traceback" not in err


def test_streams_in_flight_are_not_dropped(watched: tuple[str, Path, Path, subprocess.Popen[str]]) -> None:
    url, scenario, _, _ = watched
    with httpx.stream(
        "POST",
        f"{url}/api/v1/chat/completions?project_name=p",
        json={**BODY, "stream": True},
        headers={"X-API-Key": "k"},
    ) as response:
        lines = iter(response.iter_lines())
        first = next(line for line in lines if line.startswith("data: {"))
        scenario.write_text("rules:\n  - respond: {content: after the edit}\n")
        rest = list(lines)
    assert first and "data: [DONE]" in rest
    assert '"content":"one"' in first + "".join(rest)
    assert wait_for(url, "after the edit") < 1.0


def test_watching_goes_on_after_edits_the_loader_refuses(
    watched: tuple[str, Path, Path, subprocess.Popen[str]],
) -> None:
    url, scenario, _, process = watched
    assert reply(url) == "one"
    for broken in (
        b"seed: &a [*a]\n",
        b"description: caf\xe9\n",
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef", strict=True)
            )
        ).encode(),
    ):
        scenario.write_bytes(b"extends: base.yaml\n" + broken)
        time.sleep(0.6)
        assert reply(url) == "one"
    scenario.write_text("extends: base.yaml\nrules:\n  - respond: {content: fixed}\n")
    assert wait_for(url, "fixed") < 1.0
    process.terminate()
    _, err = process.communicate(timeout=5)
    assert f"{scenario}:2:7: (top): an alias refers to the value that holds it" in err
    assert f"{scenario}:2:17: (top): not UTF-8 text (byte 0xe9)" in err
    assert f"{scenario}:3:4: (top): aliases expand past 10000 values" in err
    assert "Traceback" not in err
