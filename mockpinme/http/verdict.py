"""``GET /__mockpinme/verdict``: did the client behave, over everything since the last reset."""

from __future__ import annotations

from aiohttp import web

from ..engine.verdict import judge
from .keys import SERVER
from .respond import json_response


async def get_verdict(request: web.Request) -> web.Response:
    """``GET verdict``: ``{"ok", "judged", "findings": [{"check", "ok", "detail", "requests"}]}``."""
    state = request.app[SERVER]
    return json_response(judge(state.runtime, state.scenarios).to_json())
