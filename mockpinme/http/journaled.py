"""The one wrapper around every handler: the journal entry and the scenario of each request to
PinMe's paths, and a JSON 500 (kept for ``check()``) for a failure inside the mock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..engine.journal import Entry, mask, printable
from ..engine.session import Session
from ..engine.state import SCENARIO_HEADER, ServerState
from ..engine.timeline import brief
from ..engine.verdict.record import retry_after_s
from ..openrouter.errors import openrouter_body
from ..scenario import ScenarioError
from .bodies import BodyProblem
from .fallback import pinme_error
from .keys import ENTRY, SERVER, SESSION, SESSION_PROBLEM
from .requestlog import request_log
from .respond import json_response

log = logging.getLogger("mockpinme")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def journaled(handler: Handler) -> Handler:
    """``handler`` with a journal entry for PinMe's paths (one log line at info level, keys masked)
    and the request's scenario looked up once; a failure inside the mock answers JSON 500 and the
    server keeps serving."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        entry = None
        if request.path.startswith("/api/"):
            state = request.app[SERVER]
            name = request.headers.get(SCENARIO_HEADER)
            if name and name not in state.scenarios.by_name:
                await _load_named(request, state, name)
            else:
                request[SESSION] = state.scenarios.lookup(name)
            entry = request[ENTRY] = _record(request, state, name)
        status: int | None = None
        try:
            try:
                response = await handler(request)
            except (asyncio.CancelledError, ConnectionError, web.HTTPException):
                raise
            except BodyProblem as problem:
                response = pinme_error(problem.status, problem.message)
                if entry is not None:
                    entry.error = f"http.{problem.status}"
            except Exception as exc:
                response = _failure(request, exc)
            status = response.status
            if entry is not None:
                _note_answer(entry, response)
            return response
        finally:
            if entry is not None:
                _finish(request, entry, status)

    wrapper.__doc__ = handler.__doc__
    return wrapper


def _record(request: web.Request, state: ServerState, name: str | None) -> Entry:
    runtime = state.runtime
    return runtime.journal.record(
        request.method,
        request.path,
        request.query,
        request.headers,
        name or state.scenarios.active.scenario.name,
        runtime.clock.now(),
        request.raw_path.partition("?")[2],
    )


def _note_answer(entry: Entry, response: web.StreamResponse) -> None:
    if entry.answer_headers is None and isinstance(response, web.Response):
        body = response.body
        entry.answered(dict(response.headers), body if isinstance(body, bytes) else None)
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None:
        entry.retry_after_s = retry_after_s(retry_after)


def _finish(request: web.Request, entry: Entry, status: int | None) -> None:
    runtime = request.app[SERVER].runtime
    runtime.journal.finish(entry, status, runtime.clock.now())
    if request_log.enabled():
        request_log.emit(log_line(entry))


async def _load_named(request: web.Request, state: ServerState, name: str) -> None:
    """A scenario named by the header for the first time, loaded off the event loop."""
    try:
        request[SESSION] = await asyncio.to_thread(state.scenarios.lookup, name)
    except ScenarioError as exc:
        request[SESSION_PROBLEM] = exc


def session_of(request: web.Request) -> Session | web.Response:
    """The scenario session this request runs under, or the 400 for a scenario header that names none."""
    if SESSION in request:
        return request[SESSION]
    problem = request[SESSION_PROBLEM].problems[0].message
    return json_response(openrouter_body(400, f"mockpinme: {SCENARIO_HEADER}: {problem}", None, None), 400)


def _failure(request: web.Request, exc: Exception) -> web.Response:
    request.app[SERVER].runtime.failures.append(exc)
    log.exception("mockpinme failed on %s %s", request.method, printable(request.path))
    return json_response({"error": {"message": f"mockpinme internal error: {exc!r}", "code": 500}}, 500)


def log_line(entry: Entry) -> str:
    """One greppable line: method, path, status, scenario, rule or error, key (masked), for a
    stream its time to first content, chunks and end, and the duration."""
    parts = [entry.method, entry.path, str(entry.status), f"scenario={entry.scenario}"]
    if entry.rule is not None:
        parts.append(f"rule={entry.rule}")
    if entry.error is not None:
        parts.append(f"error={entry.error}")
    parts.append(f"key={mask(entry.api_key)}")
    stream = brief(entry)
    if stream is not None:
        parts.append(f"ttft_ms={stream['ttft_ms']} chunks={stream['chunks']} end={stream['ended']}")
    elif entry.ended is not None:
        parts.append(f"end={entry.ended}")
    parts.append(f"duration_ms={entry.duration_ms}")
    return printable(" ".join(parts))
