"""The clock: every delay scaled by speed; speed 0 never sleeps."""

from __future__ import annotations

import asyncio
import time

import pytest

from mockpinme.engine.clock import Clock
from mockpinme.openrouter import sse


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``asyncio.sleep`` the clock asks for, instead of sleeping."""
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", record)
    return waits


async def test_speed_zero_never_sleeps(slept: list[float]) -> None:
    await Clock(0).sleep(30)
    assert slept == []


async def test_speed_divides_every_delay(slept: list[float]) -> None:
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


@pytest.mark.parametrize("mode", ["char", "word", "token"])
def test_chunkers_give_the_text_back(mode: str) -> None:
    text = "Hello, wonderful world!  Internationalization 12345 ok.\nNext line."
    pieces = sse.split(text, mode)  # type: ignore[arg-type]
    assert "".join(pieces) == text
    assert len(pieces) > 5


async def test_hold_is_scaled_but_not_skipped(slept: list[float]) -> None:
    await Clock(0).hold(3)
    await Clock(10).hold(3)
    assert slept == [3, 0.3]


def test_a_new_speed_keeps_the_time_already_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: real[0])
    clock = Clock(10)
    real[0] += 2
    assert clock.now() == 20
    clock.speed = 0
    real[0] += 5
    assert clock.now() == 20
    clock.speed = 1
    real[0] += 3
    assert clock.now() == 23
