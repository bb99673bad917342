"""One SSE reply as a timed plan of writes, faults included (the player lives in the http layer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from . import sse
from .completion import (
    Reply,
    annotation_chunks,
    content_chunk,
    finish_chunk,
    reasoning_chunk,
    reasoning_closing_chunk,
    stream_error_chunk,
    tool_call_chunks,
    usage_chunk,
)
from .encode import Encoded, SlotAt, Template
from .faults import Fault
from .timing import ChunkChars, ChunkMode, Pacer, Wire
from .tokens import count

Action = Literal["write", "reset", "stall"]
Event = bytes | Encoded


@dataclass(frozen=True)
class Step:
    """Wait ``wait_s`` scenario seconds, then do ``action``: write ``data`` (with each answer's ids
    at ``slots``), reset the connection, or stall for ``hold_s`` and then reset. ``content`` marks a
    content chunk.
    """

    wait_s: float
    data: bytes = b""
    action: Action = "write"
    content: bool = False
    hold_s: float = 0.0
    slots: tuple[SlotAt, ...] = ()
    template: Template | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.slots:
            object.__setattr__(self, "template", self.encoded.template())

    @property
    def encoded(self) -> Encoded:
        return Encoded(self.data, self.slots)


def _write(wait_s: float, event: Event, content: bool = False) -> Step:
    if isinstance(event, Encoded):
        return Step(wait_s, event.data, content=content, slots=event.slots)
    return Step(wait_s, event, content=content)


def _with(step: Step, encoded: Encoded, wait_s: float | None = None) -> Step:
    wait = step.wait_s if wait_s is None else wait_s
    return replace(step, wait_s=wait, data=encoded.data, slots=encoded.slots)


@dataclass(frozen=True)
class StreamEvents:
    """The data events of a normal stream, in order, and the error event a fault may send."""

    opening: Event
    pieces: Sequence[tuple[Event, int]]
    closing: Sequence[Event]
    error: Event


def stream_events(reply: Reply, mode: ChunkMode | ChunkChars, fault: Fault | None) -> StreamEvents:
    """Every event a stream of ``reply`` may send, encoded once: reasoning, content, tool calls."""
    error: Event = b""
    if fault is not None and fault.stream_error is not None:
        e = fault.stream_error
        error = sse.event(stream_error_chunk(reply, e.code, e.message, e.error_type))
    elif fault is not None and fault.malformed:
        error = sse.malformed_event(content_chunk(reply, "malformed"))
    pieces: list[tuple[Event, int]] = [
        (sse.event(reasoning_chunk(reply, p)), count(p)) for p in sse.split(reply.reasoning_text or "", mode)
    ]
    closing_reasoning = reasoning_closing_chunk(reply)
    if closing_reasoning is not None:
        pieces.append((sse.event(closing_reasoning), 1))
    pieces += [(sse.event(content_chunk(reply, p)), count(p)) for p in sse.split(reply.content or "", mode)]
    pieces += [(sse.event(c), 1) for c in tool_call_chunks(reply)]
    opening = Encoded(b"")
    for annotated in annotation_chunks(reply):
        opening = opening + sse.event(annotated)
    return StreamEvents(
        opening=opening,
        pieces=pieces,
        closing=[sse.event(finish_chunk(reply)), sse.event(usage_chunk(reply))],
        error=error,
    )


def _keepalives(wait_s: float, interval_s: float) -> tuple[list[Step], float]:
    steps: list[Step] = []
    while wait_s > interval_s + 1e-9:
        steps.append(Step(interval_s, sse.KEEPALIVE))
        wait_s -= interval_s
    return steps, wait_s


def waiting(wait_s: float, interval_s: float) -> list[Step]:
    """Keep-alive comments across a wait (server-tool work, the first token): one per interval."""
    steps, rest = _keepalives(wait_s, interval_s)
    return [*steps, Step(rest)] if rest > 0 else steps


def build_plan(
    events: StreamEvents, pacer: Pacer, fault: Fault | None, tool_wait_s: float = 0.0
) -> list[Step]:
    """The whole stream: a keep-alive at once, more while waiting, the paced events, the fault."""
    interval = pacer.profile.keepalive_ms / 1000
    steps = [Step(0.0, sse.KEEPALIVE), *waiting(tool_wait_s, interval)]
    alive, rest = _keepalives(pacer.first_token(), interval)
    steps += [*alive, _write(rest, events.opening)]
    cut = len(events.pieces) if fault is None else min(fault.after_chunks, len(events.pieces))
    for data, weight in events.pieces[:cut]:
        steps.append(_write(pacer.between(weight), data, content=True))
    if fault is None:
        return [*steps, *_finish(events, pacer, cut)]
    match fault.kind:
        case "malformed":
            steps.append(_write(pacer.between(1), events.error))
            steps += _finish(events, pacer, cut)
        case "stream_error":
            steps.append(_write(pacer.between(1), events.error))
            if fault.stream_error is not None and fault.stream_error.done:
                steps.append(Step(0.0, sse.DONE))
        case "disconnect":
            steps.append(Step(0.0, action="reset"))
        case "stall":
            steps.append(Step(0.0, action="stall", hold_s=fault.stall_limit_s))
        case "truncate":
            pass
    return steps


def _finish(events: StreamEvents, pacer: Pacer, cut: int) -> list[Step]:
    """The rest of a normal stream: the content after ``cut``, the finish and usage chunks, ``[DONE]``."""
    rest = [_write(pacer.between(weight), data, content=True) for data, weight in events.pieces[cut:]]
    return [*rest, *(_write(0.0, data) for data in events.closing), Step(0.0, sse.DONE)]


def apply_wire(steps: list[Step], wire: Wire) -> list[Step]:
    """Re-frame the writes: CRLF line ends, keep-alives between events, events batched or split."""
    if wire.crlf:
        steps = [_with(s, s.encoded.replace(b"\n", b"\r\n")) for s in steps]
    keepalive = sse.KEEPALIVE.replace(b"\n", b"\r\n") if wire.crlf else sse.KEEPALIVE
    if wire.keepalive_between:
        steps = [
            x
            for s in steps
            for x in ((Step(s.wait_s, keepalive), replace(s, wait_s=0.0)) if s.data else (s,))
        ]
    if wire.batch > 1:
        steps = _batched(steps, wire.batch)
    if wire.split > 1:
        steps = _split(steps, wire.split)
    return steps


def _batched(steps: list[Step], batch: int) -> list[Step]:
    batched: list[Step] = []
    for s in steps:
        last = batched[-1] if batched else None
        if last and s.data and last.data and last.data.count(b"\n\n") + last.data.count(b"\r\n\r\n") < batch:
            joined = _with(last, last.encoded + s.encoded, last.wait_s + s.wait_s)
            batched[-1] = replace(joined, content=last.content or s.content)
        else:
            batched.append(s)
    return batched


def _split(steps: list[Step], split: int) -> list[Step]:
    parted: list[Step] = []
    for s in steps:
        size = max(1, -(-len(s.data) // split))
        parts = s.encoded.split_at(range(size, len(s.data), size))
        parted.append(_with(s, parts[0]))
        parted += [_with(Step(0.0), part) for part in parts[1:]]
    return parted
