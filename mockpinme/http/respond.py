"""Writing answers: JSON bodies, errors, and the SSE player; each answer's ids are rendered here."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import struct
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from ..engine.answer import Outcome, Refused, Replied
from ..engine.clock import Clock
from ..engine.journal import Entry
from ..engine.verdict.record import note_reply, note_stall
from ..openrouter.encode import Template, compact_json
from ..openrouter.errors import RenderedError
from ..openrouter.faults import json_effect
from ..openrouter.ids import CallId, generation_id, tool_call_id
from ..openrouter.plan import Step
from ..openrouter.timing import sample_ms

log = logging.getLogger("mockpinme")

JSON = "application/json"
_STREAM_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """``body`` as compact JSON."""
    return web.Response(status=status, body=compact_json(body), content_type=JSON, headers=headers)


def error_response(error: RenderedError) -> web.Response:
    """An error with its status, headers and body."""
    return json_response(error.body, error.status, error.headers)


class Stamp:
    """Fresh ids for one answer: ``gen-<unix>-<20 base62>``, ``created``, and one id per tool-call
    slot in the style its provider uses (``call_…``, ``toolu_bdrk_…``, ``tool_<name>_…``, …)."""

    __slots__ = ("generation_id", "values")

    def __init__(self, ids: random.Random, calls: Sequence[CallId] = ()) -> None:
        created = int(time.time())
        generation = generation_id(ids, created)
        self.generation_id = generation.decode()
        self.values: tuple[bytes, ...] = (generation, b"%d" % created)
        if calls:
            self.values += tuple(tool_call_id(ids, call) for call in calls)

    def __call__(self, template: Template) -> bytes:
        return template.fill(self.values)

    def step(self, step: Step) -> bytes:
        """A step's bytes with the ids in."""
        return step.data if step.template is None else step.template.fill(self.values)


async def write(
    request: web.Request, outcome: Outcome, clock: Clock, ids: random.Random, entry: Entry | None
) -> web.StreamResponse:
    """Send the outcome (an error, a JSON reply, or a stream), noting in ``entry`` how it went."""
    if isinstance(outcome, Refused):
        return error_response(outcome.error)
    calls = outcome.prepared.reply.tool_calls
    stamp = Stamp(ids, [call.id_style for call in calls] if calls else ())
    if outcome.stream:
        return await _stream(request, outcome, clock, stamp, entry)
    return await _json_reply(request, outcome, clock, stamp, entry)


def reset_connection(request: web.Request) -> None:
    """Drop the connection with a TCP reset: the client sees a connection error, not a clean end."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _json_reply(
    request: web.Request, replied: Replied, clock: Clock, stamp: Stamp, entry: Entry | None
) -> web.StreamResponse:
    prepared, respond = replied.prepared, replied.respond
    note_reply(entry, respond.fault, prepared.reply.content)
    if respond.latency_ms is not None:
        await clock.sleep(sample_ms(respond.latency_ms, random.Random(prepared.seed)) / 1000)
    fault = respond.fault
    body = stamp(prepared.json_body(fault))
    match json_effect(fault) if fault is not None else None:
        case "reset":
            _ended(entry, "reset")
            reset_connection(request)
            return web.Response(status=204)
        case "stall_then_reset":
            assert fault is not None
            _ended(entry, "stalled")
            if entry is not None:
                note_stall(entry, clock)
            await clock.hold(fault.stall_limit_s)
            reset_connection(request)
            return web.Response(status=204)
        case "cut_body":
            body = body[: len(body) // 2]
    return web.Response(body=body, headers={"Content-Type": JSON, "X-Generation-Id": stamp.generation_id})


def _ended(entry: Entry | None, how: str) -> None:
    if entry is not None:
        entry.ended = how


async def _stream(
    request: web.Request, replied: Replied, clock: Clock, stamp: Stamp, entry: Entry | None
) -> web.StreamResponse:
    headers = {**_STREAM_HEADERS, "X-Generation-Id": stamp.generation_id}
    response = web.StreamResponse(status=200, headers=headers)
    await response.prepare(request)
    played: Progress = entry or _Unjournaled()
    played.status = 200
    played.answer_headers = dict(response.headers)
    note_reply(entry, replied.respond.fault, replied.prepared.reply.content)
    steps = replied.prepared.steps(replied.profile, replied.respond.fault)
    played.plan, played.ids, played.writes = steps, stamp.values, []
    try:
        await play(request, response, steps, clock, played, stamp)
    finally:
        if played.cancelled:
            log.debug("client left stream %s after %d chunks", stamp.generation_id, played.chunks_sent)
    return response


class Progress(Protocol):
    """Where a stream records what got out: content chunks sent, each write's offset in ms from
    the request and its step, how it ended, and whether the client left first."""

    status: int | None
    chunks_sent: int
    cancelled: bool
    answer_headers: dict[str, str] | None
    plan: list[Step] | None
    ids: Sequence[bytes] | None
    writes: list[tuple[float, int]] | None
    ended: str | None

    @property
    def start(self) -> float: ...

    stalled_at: tuple[float, float] | None


class _Unjournaled:
    status: int | None = None
    chunks_sent = 0
    cancelled = False
    answer_headers: dict[str, str] | None = None
    plan: list[Step] | None = None
    ids: Sequence[bytes] | None = None
    writes: list[tuple[float, int]] | None = None
    ended: str | None = None
    start = 0.0
    stalled_at: tuple[float, float] | None = None


async def play(
    request: web.Request,
    response: web.StreamResponse,
    steps: list[Step],
    clock: Clock,
    played: Progress,
    stamp: Stamp,
) -> None:
    """Write the plan: each step waits its time after the previous write, as a provider's tokens
    come one after another, so each gap holds even when the loop is busy.

    ``played`` is updated as it goes, so it tells what got out even when the task is cancelled;
    each write is kept as ``(ms since the request, step index)``.
    """
    sleep, write_bytes, render, now = clock.sleep, response.write, stamp.step, time.perf_counter
    writes, start = played.writes if played.writes is not None else [], played.start
    try:
        for index, step in enumerate(steps):
            if step.wait_s:
                await sleep(step.wait_s)
            if step.action != "write":
                writes.append(((now() - start) * 1000, index))
                played.ended = "stalled" if step.action == "stall" else "reset"
                if step.action == "stall":
                    note_stall(played, clock)
                    await clock.hold(step.hold_s)
                reset_connection(request)
                return
            if step.data:
                writes.append(((now() - start) * 1000, index))
                await write_bytes(render(step))
                if step.content:
                    played.chunks_sent += 1
        await response.write_eof()
        played.ended = "eof"
    except (ConnectionError, asyncio.CancelledError) as exc:
        played.cancelled = True
        played.ended = "client_left"
        if isinstance(exc, asyncio.CancelledError):
            raise
