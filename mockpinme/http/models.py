"""``GET /api/v1/models``."""

from __future__ import annotations

from aiohttp import web

from ..engine.listing import list_models
from .journaled import session_of
from .keys import ENTRY
from .respond import JSON, error_response


async def models(request: web.Request) -> web.StreamResponse:
    """``GET /api/v1/models``: the scenario's catalog in OpenRouter's envelope, with its filters."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    listing = list_models(session, request.headers.get("X-API-Key", "").strip(), request.query)
    if isinstance(listing, bytes):
        return web.Response(body=listing, content_type=JSON)
    request[ENTRY].error = listing.name
    return error_response(listing)
