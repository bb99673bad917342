"""What wraps every handler: the journal, JSON for unknown paths, wrong methods and failures, CORS."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .journal import Entry, mask
from .state import SCENARIO_HEADER, SERVER
from .wire.encode import compact_json

log = logging.getLogger("mockpinme")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ENTRY = web.RequestKey("mockpinme_entry", Entry)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": (
        "X-Generation-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "600",
}


def note(request: web.Request, **fields: Any) -> None:
    """Write what the handler learned (stream, rule, error, …) into the request's journal entry."""
    entry = request.get(_ENTRY)
    if entry is not None:
        for key, value in fields.items():
            setattr(entry, key, value)


def entry_of(request: web.Request) -> Entry | None:
    """The journal entry of this request, if it is journaled."""
    return request.get(_ENTRY)


def pinme_error(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    """PinMe's wrapped error body."""
    body = {"code": status, "msg": "error", "data": {"error": text}}
    return web.Response(
        status=status, body=compact_json(body), content_type="application/json", headers=headers
    )


def guarded(handler: Handler) -> Handler:
    """``handler`` with the journal for PinMe's paths (logged at debug level, keys masked), and a
    JSON 500 for a failure inside the mock (kept for ``check()``); the server keeps serving."""

    async def guard(request: web.Request) -> web.StreamResponse:
        entry = None
        if request.path.startswith("/api/"):
            state = request.app[SERVER]
            entry = state.journal.record(
                request,
                request.headers.get(SCENARIO_HEADER) or state.active.scenario.name,
            )
            request[_ENTRY] = entry
        status: int | None = None
        try:
            try:
                response = await handler(request)
            except (asyncio.CancelledError, ConnectionError, web.HTTPException):
                raise
            except Exception as exc:
                response = _failure(request, exc)
            status = response.status
            return response
        finally:
            if entry is not None:
                entry.finish(status)
                if log.isEnabledFor(logging.DEBUG):
                    _log_entry(entry)

    guard.__doc__ = handler.__doc__
    return guard


async def unrouted(request: web.Request) -> web.Response:
    """What no route answers: a CORS preflight (with ``--cors``), else JSON 405 or 404."""
    if request.method == "OPTIONS" and request.app[SERVER].cors:
        return web.Response(status=204, headers=CORS_HEADERS)
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            allowed |= (await resource.resolve(request))[1]
    if allowed:
        methods = ", ".join(sorted(allowed))
        text = f"Method {request.method} not allowed for {request.path} (allowed: {methods})"
        return pinme_error(405, text, {"Allow": methods})
    return pinme_error(404, f"Not found: {request.method} {request.path}")


def _failure(request: web.Request, exc: Exception) -> web.Response:
    request.app[SERVER].failures.append(exc)
    log.exception("mockpinme failed on %s %s", request.method, request.path)
    body = {"error": {"message": f"mockpinme internal error: {exc!r}", "code": 500}}
    return web.Response(status=500, body=compact_json(body), content_type="application/json")


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


async def cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """With ``--cors``: let browser pages read every answer, streams included (an on-prepare hook)."""
    response.headers.update(CORS_HEADERS)
