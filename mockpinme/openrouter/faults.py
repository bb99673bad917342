"""Ways for a reply to go wrong after its status line, and what each does to a stream or a JSON body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from .checks import AtLeast, AtMost, exactly_one

FaultKind = Literal["stream_error", "disconnect", "truncate", "stall", "malformed"]
JsonEffect = Literal["error_on_choice", "reset", "stall_then_reset", "cut_body"]
_KINDS: tuple[FaultKind, ...] = ("stream_error", "disconnect", "truncate", "stall", "malformed")


@dataclass(frozen=True)
class StreamError:
    """OpenRouter's in-band error chunk, sent after the 200 status and some content."""

    code: Annotated[int, AtLeast(400), AtMost(599)] = 502
    message: str = "Provider disconnected"
    error_type: str = "provider_unavailable"
    done: bool = True


@dataclass(frozen=True)
class Stall:
    """Stop writing but keep the socket open, for at most ``max_s`` scenario seconds."""

    max_s: Annotated[float, AtLeast(0)] = 300


@dataclass(frozen=True)
class Fault:
    """One way for a reply to go wrong after ``after_chunks`` content chunks."""

    after_chunks: Annotated[int, AtLeast(0)] = 0
    stream_error: StreamError | None = None
    disconnect: bool = False
    truncate: bool = False
    stall: Stall | bool = False
    malformed: bool = False

    def _problems(self) -> list[tuple[str, str]]:
        return exactly_one(self, _KINDS)

    @property
    def kind(self) -> FaultKind:
        """Which fault this is."""
        return next(k for k in _KINDS if getattr(self, k) not in (None, False))

    @property
    def stall_limit_s(self) -> float:
        """How long a stall holds the socket open before the reset."""
        return self.stall.max_s if isinstance(self.stall, Stall) else Stall().max_s


TRUNCATED = StreamError(message="Provider disconnected mid-stream")


def choice_error(fault: Fault | None) -> StreamError | None:
    """The error a non-streaming reply carries on its choice: a ``stream_error``'s, or for
    ``truncate`` what OpenRouter sends when the provider stops half-way (HTTP 200, partial content)."""
    if fault is None:
        return None
    if fault.stream_error is not None:
        return fault.stream_error
    return TRUNCATED if fault.truncate else None


def json_effect(fault: Fault) -> JsonEffect:
    """What the fault does to a non-streaming reply (never half a JSON body but for ``malformed``)."""
    match fault.kind:
        case "stream_error" | "truncate":
            return "error_on_choice"
        case "disconnect":
            return "reset"
        case "stall":
            return "stall_then_reset"
        case "malformed":
            return "cut_body"
