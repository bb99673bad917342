"""What no route answers: CORS preflights (with ``--cors``), wrong methods and unknown paths, as JSON."""

from __future__ import annotations

from aiohttp import web

from ..openrouter.errors import pinme_wrapped
from .keys import CONTROL_PREFIX, SERVER
from .respond import json_response

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": (
        "X-Generation-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "600",
}


def pinme_error(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    """PinMe's wrapped error body."""
    return json_response(pinme_wrapped(status, "error", text), status, headers)


async def unrouted(request: web.Request) -> web.Response:
    """A CORS preflight (with ``--cors``), else JSON 405 with ``Allow``, else JSON 404."""
    opened = request.app[SERVER].settings.cors and not request.path.startswith(CONTROL_PREFIX)
    if request.method == "OPTIONS" and opened:
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


async def cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """With ``--cors``: let browser pages read every answer of PinMe's paths, streams included (an
    on-prepare hook); the control API never gets them."""
    if not request.path.startswith(CONTROL_PREFIX):
        response.headers.update(CORS_HEADERS)
