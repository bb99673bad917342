"""How a reply is paced: delay distributions, stream profiles, wire framings, and the seeded pacer."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Annotated, Literal

from .checks import AtLeast, AtMost, Positive, exactly_one

NonNegative = Annotated[float, AtLeast(0)]
ChunkMode = Literal["char", "word", "token"]


@dataclass(frozen=True)
class ChunkChars:
    """Stream chunks of a fixed number of characters."""

    chars: Positive


@dataclass(frozen=True)
class Uniform:
    """Any value from ``lower`` to ``upper``, equally likely."""

    lower: NonNegative
    upper: NonNegative


@dataclass(frozen=True)
class Lognormal:
    """Mostly near ``median``, with a long tail set by ``sigma``, cut at ``max``."""

    median: NonNegative
    sigma: Annotated[float, AtLeast(0), AtMost(5)] = 0.5
    max: NonNegative | None = None


@dataclass(frozen=True)
class Distribution:
    """A delay drawn from the seed, in WireMock's vocabulary: ``fixed``, ``uniform``, ``lognormal``."""

    fixed: NonNegative | None = None
    uniform: Uniform | None = None
    lognormal: Lognormal | None = None

    def _problems(self) -> list[tuple[str, str]]:
        return exactly_one(self, ("fixed", "uniform", "lognormal"))


Delay = NonNegative | Distribution


@dataclass(frozen=True)
class Wire:
    """Legal SSE framings that client parsers must survive."""

    crlf: bool = False
    split: Annotated[int, AtLeast(1), AtMost(64)] = 1
    batch: Annotated[int, AtLeast(1), AtMost(64)] = 1
    keepalive_between: bool = False


@dataclass(frozen=True)
class StreamProfile:
    """The pace of an SSE reply, in scenario milliseconds."""

    ttft_ms: Delay = 200
    keepalive_ms: Annotated[float, AtLeast(1)] = 100
    tokens_per_s: Annotated[float, AtLeast(0.001)] | None = 80
    chunk_delay_ms: Delay | None = None
    jitter: Annotated[float, AtLeast(0), AtMost(1)] = 0
    search_ms: Delay = 800
    chunk: ChunkMode | ChunkChars = "word"
    wire: Wire = field(default_factory=Wire)


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
