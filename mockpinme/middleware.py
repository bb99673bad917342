"""What wraps every request: the journal, JSON for unknown paths and failures, CORS."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .journal import Entry, mask
from .state import SERVER
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
    """Write what the handler learned (json, stream, rule, error, …) into the request's journal entry."""
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


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Around every request: CORS preflights (with ``--cors``), the journal for PinMe's paths (logged
    at debug level, keys masked), and JSON for unknown paths, wrong methods and failures."""
    state = request.app[SERVER]
    if request.method == "OPTIONS" and state.cors:
        return web.Response(status=204, headers=CORS_HEADERS)
    entry = None
    if request.path.startswith("/api/"):
        entry = state.journal.record(
            request.method,
            request.path,
            request.query,
            request.headers,
            request.headers.get("X-Mockpinme-Scenario") or state.active.scenario.name,
        )
        request[_ENTRY] = entry
    status: int | None = None
    try:
        try:
            response = await handler(request)
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception as exc:
            response = _error_response(request, exc)
        status = response.status
        return response
    finally:
        if entry is not None:
            entry.finish(status)
            if log.isEnabledFor(logging.DEBUG):
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


def _error_response(request: web.Request, exc: Exception) -> web.Response:
    """JSON for a wrong method or an unknown path; a failure inside the mock is kept for ``check()``."""
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(exc.allowed_methods))
        text = f"Method {request.method} not allowed for {request.path} (allowed: {allowed})"
        return pinme_error(405, text, {"Allow": allowed})
    if isinstance(exc, web.HTTPException):
        if exc.status == 404:
            return pinme_error(404, f"Not found: {request.method} {request.path}")
        raise exc
    request.app[SERVER].failures.append(exc)
    log.exception("mockpinme failed on %s %s", request.method, request.path)
    body = {"error": {"message": f"mockpinme internal error: {exc!r}", "code": 500}}
    return web.Response(status=500, body=compact_json(body), content_type="application/json")


async def cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """With ``--cors``: let browser pages read every answer, streams included (an on-prepare hook)."""
    response.headers.update(CORS_HEADERS)
