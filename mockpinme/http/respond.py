"""Writing answers: JSON bodies, errors, and the SSE player; each answer's ids are rendered here."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import struct
import time
from collections.abc import Mapping
from typing import Any, Protocol

from aiohttp import web

from ..engine.answer import Outcome, Refused, Replied
from ..engine.clock import Clock
from ..engine.verdict.record import note_reply, note_stall
from ..openrouter.encode import Encoded, compact_json
from ..openrouter.errors import RenderedError
from ..openrouter.faults import json_effect
from ..openrouter.plan import Step
from ..openrouter.timing import sample_ms
from .keys import ENTRY

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
    """Fresh ids for one answer: ``gen-<unix>-<20 hex>``, ``created`` and ``call_<24 hex>`` per call."""

    __slots__ = ("generation_id", "values")

    def __init__(self, ids: random.Random, tool_calls: int) -> None:
        created = int(time.time())
        generation = b"gen-%d-%020x" % (created, ids.getrandbits(80))
        self.generation_id = generation.decode()
        self.values = [generation, b"%d" % created]
        self.values += [b"call_%024x" % ids.getrandbits(96) for _ in range(tool_calls)]

    def __call__(self, encoded: Encoded) -> bytes:
        return encoded.render(self.values)

    def step(self, step: Step) -> bytes:
        """A step's bytes with the ids in."""
        return step.data if not step.slots else Encoded(step.data, step.slots).render(self.values)


async def write(
    request: web.Request, outcome: Outcome, clock: Clock, ids: random.Random
) -> web.StreamResponse:
    """Send the outcome: an error, a JSON reply, or a stream."""
    if isinstance(outcome, Refused):
        return error_response(outcome.error)
    stamp = Stamp(ids, len(outcome.prepared.reply.tool_calls))
    if outcome.stream:
        return await _stream(request, outcome, clock, stamp)
    return await _json_reply(request, outcome, clock, stamp)


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
    request: web.Request, replied: Replied, clock: Clock, stamp: Stamp
) -> web.StreamResponse:
    prepared, respond = replied.prepared, replied.respond
    note_reply(request.get(ENTRY), respond.fault, prepared.reply.content)
    if respond.latency_ms is not None:
        await clock.sleep(sample_ms(respond.latency_ms, random.Random(prepared.seed)) / 1000)
    fault = respond.fault
    body = stamp(prepared.json_body(fault))
    match json_effect(fault) if fault is not None else None:
        case "reset":
            reset_connection(request)
            return web.Response(status=204)
        case "stall_then_reset":
            assert fault is not None
            if ENTRY in request:
                note_stall(request[ENTRY], clock)
            await clock.hold(fault.stall_limit_s)
            reset_connection(request)
            return web.Response(status=204)
        case "cut_body":
            body = body[: len(body) // 2]
    return web.Response(body=body, headers={"Content-Type": JSON, "X-Generation-Id": stamp.generation_id})


async def _stream(request: web.Request, replied: Replied, clock: Clock, stamp: Stamp) -> web.StreamResponse:
    headers = {**_STREAM_HEADERS, "X-Generation-Id": stamp.generation_id}
    response = web.StreamResponse(status=200, headers=headers)
    await response.prepare(request)
    played: Progress = request.get(ENTRY) or _Unjournaled()
    played.status = 200
    note_reply(request.get(ENTRY), replied.respond.fault, replied.prepared.reply.content)
    steps = replied.prepared.steps(replied.profile, replied.respond.fault)
    try:
        await play(request, response, steps, clock, played, stamp)
    finally:
        if played.cancelled:
            log.debug("client left stream %s after %d chunks", stamp.generation_id, played.chunks_sent)
    return response


class Progress(Protocol):
    """Where a stream records what got out: content chunks sent, and whether the client left first."""

    status: int | None
    chunks_sent: int
    cancelled: bool
    stalled_at: tuple[float, float] | None


class _Unjournaled:
    status: int | None = None
    chunks_sent = 0
    cancelled = False
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

    ``played`` is updated as it goes, so it tells what got out even when the task is cancelled.
    """
    sleep, write_bytes, render = clock.sleep, response.write, stamp.step
    try:
        for step in steps:
            if step.wait_s:
                await sleep(step.wait_s)
            if step.action != "write":
                if step.action == "stall":
                    note_stall(played, clock)
                    await clock.hold(step.hold_s)
                reset_connection(request)
                return
            if step.data:
                await write_bytes(render(step))
                if step.content:
                    played.chunks_sent += 1
        await response.write_eof()
    except (ConnectionError, asyncio.CancelledError) as exc:
        played.cancelled = True
        if isinstance(exc, asyncio.CancelledError):
            raise
