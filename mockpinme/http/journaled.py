"""The one wrapper around every handler: the journal entry and the scenario of each request to
PinMe's paths, and a JSON 500 (kept for ``check()``) for a failure inside the mock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..engine.journal import Entry, mask
from ..engine.session import Session
from ..engine.state import SCENARIO_HEADER
from ..engine.verdict.record import retry_after_s
from ..openrouter.errors import openrouter_body
from ..scenario import ScenarioError
from .keys import ENTRY, SERVER, SESSION, SESSION_PROBLEM
from .respond import json_response

log = logging.getLogger("mockpinme")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def journaled(handler: Handler) -> Handler:
    """``handler`` with a journal entry for PinMe's paths (logged at debug level, keys masked) and
    the request's scenario looked up once; a failure inside the mock answers JSON 500 and the
    server keeps serving."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        entry = _start(request) if request.path.startswith("/api/") else None
        status: int | None = None
        try:
            try:
                response = await handler(request)
            except (asyncio.CancelledError, ConnectionError, web.HTTPException):
                raise
            except Exception as exc:
                response = _failure(request, exc)
            status = response.status
            if entry is not None and "Retry-After" in response.headers:
                entry.retry_after_s = retry_after_s(response.headers["Retry-After"])
            return response
        finally:
            if entry is not None:
                entry.finish(status, request.app[SERVER].runtime.clock.now())
                if log.isEnabledFor(logging.DEBUG):
                    _log_entry(entry)

    wrapper.__doc__ = handler.__doc__
    return wrapper


def _start(request: web.Request) -> Entry:
    state = request.app[SERVER]
    name = request.headers.get(SCENARIO_HEADER)
    try:
        request[SESSION] = state.scenarios.lookup(name)
    except ScenarioError as exc:
        request[SESSION_PROBLEM] = exc
    scenario = name or state.scenarios.active.name
    entry = state.runtime.journal.record(
        request.method,
        request.path,
        request.query,
        request.headers,
        scenario,
        at_s=state.runtime.clock.now(),
        raw_query=request.raw_path.partition("?")[2],
    )
    request[ENTRY] = entry
    return entry


def session_of(request: web.Request) -> Session | web.Response:
    """The scenario session this request runs under, or the 400 for a scenario header that names none."""
    if SESSION in request:
        return request[SESSION]
    problem = request[SESSION_PROBLEM].problems[0].message
    return json_response(openrouter_body(400, f"mockpinme: {SCENARIO_HEADER}: {problem}", None, None), 400)


def _failure(request: web.Request, exc: Exception) -> web.Response:
    request.app[SERVER].runtime.failures.append(exc)
    log.exception("mockpinme failed on %s %s", request.method, request.path)
    return json_response({"error": {"message": f"mockpinme internal error: {exc!r}", "code": 500}}, 500)


def _log_entry(entry: Entry) -> None:
    log.debug(
        "%s %s key=%s status=%s rule=%s chunks=%d%s",
        entry.method,
        entry.path,
        mask(entry.api_key),
        entry.status,
        entry.rule,
        entry.chunks_sent,
        " cancelled" if entry.cancelled else "",
    )
