"""Delays drawn from a stream profile: distributions and jitter, all from one seeded generator."""

from __future__ import annotations

import math
import random

from ..scenario.model import Delay, StreamProfile


def sample_ms(delay: Delay, rng: random.Random) -> float:
    """One draw of ``delay``, in milliseconds."""
    if isinstance(delay, int | float):
        return float(delay)
    if delay.fixed is not None:
        return delay.fixed
    if delay.uniform is not None:
        low, high = sorted((delay.uniform.lower, delay.uniform.upper))
        return rng.uniform(low, high)
    assert delay.lognormal is not None
    shape = delay.lognormal
    value = shape.median * math.exp(shape.sigma * rng.gauss(0.0, 1.0))
    return min(value, shape.max) if shape.max is not None else value


class Pacer:
    """The waits of one stream, in scenario seconds."""

    def __init__(self, profile: StreamProfile, rng: random.Random) -> None:
        self.profile = profile
        self.rng = rng

    def _jittered(self, seconds: float) -> float:
        jitter = self.profile.jitter
        return seconds * (1 + self.rng.uniform(-jitter, jitter)) if jitter else seconds

    def searching(self) -> float:
        """How long a web search takes before the answer starts."""
        return sample_ms(self.profile.search_ms, self.rng) / 1000

    def first_token(self) -> float:
        """Time to the first token."""
        return sample_ms(self.profile.ttft_ms, self.rng) / 1000

    def between(self, tokens: int) -> float:
        """The wait before a chunk that carries ``tokens`` tokens."""
        if self.profile.chunk_delay_ms is not None:
            return self._jittered(sample_ms(self.profile.chunk_delay_ms, self.rng) / 1000)
        if self.profile.tokens_per_s:
            return self._jittered(max(1, tokens) / self.profile.tokens_per_s)
        return 0.0
