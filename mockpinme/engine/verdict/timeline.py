"""Time between journal moments, on the scenario clock.

At speed 0 the scenario clock stands still (but for ``advance``): the mock skips its own delays, but
clients still wait in real time, so there the real seconds between two moments count too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..clock import Clock
from ..journal import Entry

Moment = tuple[float, float]
"""Scenario seconds and real (``perf_counter``) seconds."""


def arrived(entry: Entry) -> Moment:
    return (entry.at_s, entry._start)


def ended(entry: Entry) -> Moment | None:
    """When the answer ended (the client left, or the mock was done); None while it is still open."""
    if entry.ended_at_s is None or entry.duration_ms is None:
        return None
    return (entry.ended_at_s, entry._start + entry.duration_ms / 1000)


@dataclass(frozen=True)
class Timeline:
    """How long passed between moments, as the verdict counts it."""

    speed: float
    now: Moment

    @classmethod
    def of(cls, clock: Clock) -> Timeline:
        return cls(clock.speed, (clock.now(), time.perf_counter()))

    def between(self, start: Moment, end: Moment) -> float:
        scenario = end[0] - start[0]
        return scenario + (end[1] - start[1] if self.speed == 0 else 0.0)

    def seen_failing(self, entry: Entry) -> Moment:
        """When the client could tell the answer failed: when it went silent, else when it ended."""
        return entry.stalled_at or ended(entry) or self.now
