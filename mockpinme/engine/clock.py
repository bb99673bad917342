"""The one clock every simulated delay goes through."""

from __future__ import annotations

import asyncio
import time


def check_speed(value: float) -> float:
    """``value`` if it can be a speed; raises ValueError otherwise."""
    if not value >= 0 or value == float("inf"):
        raise ValueError("speed must be a finite number, 0 or more")
    return float(value)


class Clock:
    """Scales simulated delays by ``speed``: ``1`` is real time, ``10`` ten times faster, ``0`` never sleeps.

    ``now()`` reads scenario time: real elapsed time multiplied by ``speed``, so windows measured in
    scenario seconds (rate limits) shrink with the delays. At speed ``0`` scenario time stands
    still except through :meth:`advance`.
    """

    def __init__(self, speed: float = 1.0) -> None:
        self._speed = check_speed(speed)
        self._origin = time.monotonic()
        self._wall_origin = time.time()
        self._offset = 0.0

    @property
    def speed(self) -> float:
        """The factor on every delay; 0 or more."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        """A new speed from now on: scenario time already passed stays as it was."""
        speed = check_speed(value)
        self._offset, self._origin = self.now(), time.monotonic()
        self._speed = speed

    def now(self) -> float:
        """Scenario seconds since the clock was made."""
        return (time.monotonic() - self._origin) * self._speed + self._offset

    def unix(self) -> float:
        """Unix seconds on the scenario clock: the wall time it was made at, plus scenario seconds.

        Token times (``iat``, ``exp``) and the outbox's ``sent_at`` read it, so ``advance`` expires tokens.
        """
        return self._wall_origin + self.now()

    def advance(self, seconds: float) -> None:
        """Move scenario time forward without waiting (used by tests and by speed 0)."""
        self._offset += seconds

    async def hold(self, seconds: float) -> None:
        """A wait that speed 0 does not skip (a stall that ends at once would be a disconnect)."""
        await asyncio.sleep(seconds / self.speed if self.speed else seconds)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of scenario time."""
        if seconds <= 0:
            return
        if self.speed == 0:
            return
        await asyncio.sleep(seconds / self.speed)
