"""The ``expect`` section: what a well-behaved client does, for the verdict. Every check is on by default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from ..openrouter.checks import AtLeast, AtMost
from ..openrouter.timing import NonNegative

Status = Annotated[int, AtLeast(100), AtMost(599)]
NO_RETRY_STATUSES: tuple[int, ...] = (400, 401, 402, 403, 413)


@dataclass(frozen=True)
class ExpectRetries:
    """How the same request may be sent again after a failure.

    ``retry_after``: not before a 429's or 503's ``Retry-After``; ``no_retry``: statuses never re-sent;
    ``max``: re-sends of one request (null: no limit); ``min_wait_s``: the least wait before any re-send;
    ``backoff: exponential``: each wait without ``Retry-After`` at least 1.5 times the one before.
    """

    retry_after: bool = True
    no_retry: tuple[Status, ...] = NO_RETRY_STATUSES
    max: Annotated[int, AtLeast(0)] | None = 3
    min_wait_s: NonNegative = 0.0
    backoff: Literal["any", "exponential"] = "any"


@dataclass(frozen=True)
class ExpectStreams:
    """Streams: a stalled one abandoned within ``stall_timeout_s`` (null: not judged); an incomplete one
    not taken for a whole answer (``incomplete``)."""

    stall_timeout_s: Annotated[float, AtLeast(0)] | None = 60.0
    incomplete: bool = True


@dataclass(frozen=True)
class ExpectGuide:
    """PinMe's guide: web search bounded, ``project_name`` URL-encoded in the query, the key in
    ``X-API-Key``."""

    web_search_bounds: bool = True
    project_name: bool = True
    api_key_header: bool = True


@dataclass(frozen=True)
class Expect:
    """What a well-behaved client does; the verdict judges the journal against it."""

    retries: ExpectRetries = field(default_factory=ExpectRetries)
    streams: ExpectStreams = field(default_factory=ExpectStreams)
    guide: ExpectGuide = field(default_factory=ExpectGuide)
