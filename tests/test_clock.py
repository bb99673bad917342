"""The clock: every delay scaled by speed; speed 0 never sleeps."""

from __future__ import annotations

import asyncio

import pytest

from mockpinme.scenario.model import StreamProfile
from mockpinme.wire import sse
from mockpinme.wire.clock import Clock


async def test_speed_zero_never_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", record)
    await Clock(0).sleep(30)
    assert slept == []


async def test_speed_divides_every_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", record)
    for speed in (1, 10, 0.5):
        await Clock(speed).sleep(2)
    assert slept == [2, 0.2, 4]


def test_scenario_time_stands_still_at_speed_zero_but_advances() -> None:
    clock = Clock(0)
    assert clock.now() == 0
    clock.advance(5)
    assert clock.now() == 5


def test_negative_speed_is_refused() -> None:
    with pytest.raises(ValueError):
        Clock(-1)


def test_stream_plan_keeps_alive_while_waiting_then_paces_by_tokens() -> None:
    profile = StreamProfile(ttft_ms=250, keepalive_ms=100, tokens_per_s=10)
    steps = sse.plan([b"a", b"b", b"c"], [0, 2, 5], profile)
    assert [s.data for s in steps] == [sse.KEEPALIVE, sse.KEEPALIVE, sse.KEEPALIVE, b"a", b"b", b"c"]
    waits = [round(s.wait_s, 6) for s in steps]
    assert waits == [0.0, 0.1, 0.1, 0.05, 0.2, 0.5]
    assert sum(waits[:4]) == pytest.approx(0.25)


def test_fixed_chunk_delay_overrides_tokens_per_second() -> None:
    profile = StreamProfile(ttft_ms=0, chunk_delay_ms=40, tokens_per_s=1)
    steps = sse.plan([b"a", b"b"], [0, 9], profile)
    assert [s.wait_s for s in steps] == [0.0, 0.0, 0.04]


@pytest.mark.parametrize("mode", ["char", "word", "token"])
def test_chunkers_give_the_text_back(mode: str) -> None:
    text = "Hello, wonderful world!  Internationalization 12345 ok.\nNext line."
    pieces = sse.split(text, mode)  # type: ignore[arg-type]
    assert "".join(pieces) == text
    assert len(pieces) > 5
