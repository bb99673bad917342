"""The control API under ``/__mockpinme/``: never colliding with PinMe's paths."""

from __future__ import annotations

from aiohttp import web

from .runtime import compact_json
from .state import SERVER

PREFIX = "/__mockpinme"


async def health(request: web.Request) -> web.Response:
    """``GET /__mockpinme/health``: alive, and which scenario is active."""
    active = request.app[SERVER].active
    body = {"status": "ok", "scenario": active.scenario.name}
    return web.Response(body=compact_json(body), content_type="application/json")


def add_routes(app: web.Application) -> None:
    """Mount the control API on ``app``."""
    app.router.add_get(f"{PREFIX}/health", health)
