"""One SSE reply as a timed plan of writes, and the player that sends it, faults included."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from aiohttp import web

from ..reply.completion import (
    Reply,
    content_chunk,
    finish_chunk,
    opening_chunk,
    reasoning_chunk,
    stream_error_chunk,
    tool_call_chunks,
    usage_chunk,
)
from ..reply.tokens import count
from ..scenario.model import ChunkChars, ChunkMode, Fault, Wire
from . import sse
from .clock import Clock
from .pace import Pacer

Action = Literal["write", "reset", "stall"]


@dataclass(frozen=True)
class Step:
    """Wait ``wait_s`` scenario seconds, then do ``action``: write ``data``, reset the connection,
    or stall for ``hold_s`` and then reset. ``content`` marks a content chunk.
    """

    wait_s: float
    data: bytes = b""
    action: Action = "write"
    content: bool = False
    hold_s: float = 0.0


@dataclass(frozen=True)
class StreamEvents:
    """The data events of a normal stream, in order, and the error event a fault may send."""

    opening: bytes
    pieces: Sequence[tuple[bytes, int]]
    closing: Sequence[bytes]
    error: bytes


def stream_events(reply: Reply, mode: ChunkMode | ChunkChars, fault: Fault | None) -> StreamEvents:
    """Every event a stream of ``reply`` may send, encoded once: reasoning, content, tool calls."""
    error = b""
    if fault is not None and fault.stream_error is not None:
        e = fault.stream_error
        error = sse.event(stream_error_chunk(reply, e.code, e.message, e.error_type))
    elif fault is not None and fault.malformed:
        error = sse.malformed_event(content_chunk(reply, "malformed"))
    pieces = [
        (sse.event(reasoning_chunk(reply, p)), count(p)) for p in sse.split(reply.reasoning or "", mode)
    ]
    pieces += [(sse.event(content_chunk(reply, p)), count(p)) for p in sse.split(reply.content or "", mode)]
    pieces += [(sse.event(c), 1) for c in tool_call_chunks(reply)]
    return StreamEvents(
        opening=sse.event(opening_chunk(reply)),
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
    steps += [*alive, Step(rest, events.opening)]
    cut = len(events.pieces) if fault is None else min(fault.after_chunks, len(events.pieces))
    for data, weight in events.pieces[:cut]:
        steps.append(Step(pacer.between(weight), data, content=True))
    if fault is None or fault.malformed:
        if fault is not None and fault.malformed:
            steps.append(Step(pacer.between(1), events.error))
        for data, weight in events.pieces[cut:]:
            steps.append(Step(pacer.between(weight), data, content=True))
        steps += [Step(0.0, data) for data in events.closing]
        steps.append(Step(0.0, sse.DONE))
    elif fault.stream_error is not None:
        steps.append(Step(pacer.between(1), events.error))
        if fault.stream_error.done:
            steps.append(Step(0.0, sse.DONE))
    elif fault.disconnect:
        steps.append(Step(0.0, action="reset"))
    elif fault.stall:
        steps.append(Step(0.0, action="stall", hold_s=fault.stall_limit_s))
    return steps


def apply_wire(steps: list[Step], wire: Wire) -> list[Step]:
    """Re-frame the writes: CRLF line ends, keep-alives between events, events batched or split."""
    if wire.crlf:
        steps = [replace(s, data=s.data.replace(b"\n", b"\r\n")) for s in steps]
    keepalive = sse.KEEPALIVE.replace(b"\n", b"\r\n") if wire.crlf else sse.KEEPALIVE
    if wire.keepalive_between:
        steps = [
            x
            for s in steps
            for x in ((Step(s.wait_s, keepalive), replace(s, wait_s=0.0)) if s.data else (s,))
        ]
    if wire.batch > 1:
        batched: list[Step] = []
        for s in steps:
            last = batched[-1] if batched else None
            if (
                last
                and s.data
                and last.data
                and last.data.count(b"\n\n") + last.data.count(b"\r\n\r\n") < wire.batch
            ):
                batched[-1] = Step(
                    last.wait_s + s.wait_s, last.data + s.data, content=last.content or s.content
                )
            else:
                batched.append(s)
        steps = batched
    if wire.split > 1:
        parted: list[Step] = []
        for s in steps:
            size = max(1, -(-len(s.data) // wire.split))
            parts = [s.data[i : i + size] for i in range(0, len(s.data), size)] or [b""]
            parted.append(replace(s, data=parts[0]))
            parted += [Step(0.0, part) for part in parts[1:]]
        steps = parted
    return steps


def reset(request: web.Request) -> None:
    """Drop the connection with a TCP reset: the client sees a connection error, not a clean end."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


@dataclass
class Played:
    """A record of progress for a stream nobody journals."""

    chunks_sent: int = 0
    cancelled: bool = False


class Progress(Protocol):
    """Where a stream records what got out: content chunks sent, and whether the client left first."""

    chunks_sent: int
    cancelled: bool


async def play(
    request: web.Request,
    response: web.StreamResponse,
    steps: list[Step],
    clock: Clock,
    played: Progress,
    stamp: Callable[[bytes], bytes],
) -> None:
    """Write the plan: each step waits its time after the previous write, as a provider's tokens
    come one after another, so each gap holds even when the loop is busy.

    ``played`` is updated as it goes, so it tells what got out even when the task is cancelled.
    """
    sleep, write = clock.sleep, response.write
    try:
        for step in steps:
            if step.wait_s:
                await sleep(step.wait_s)
            if step.action != "write":
                if step.action == "stall":
                    await clock.hold(step.hold_s)
                reset(request)
                return
            if step.data:
                await write(stamp(step.data))
                if step.content:
                    played.chunks_sent += 1
        await response.write_eof()
    except (ConnectionError, asyncio.CancelledError) as exc:
        played.cancelled = True
        if isinstance(exc, asyncio.CancelledError):
            raise
