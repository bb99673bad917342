"""``GET /``: where things are, for a browser or a curious ``curl`` (JSON unless HTML is preferred)."""

from __future__ import annotations

from html import escape

from aiohttp import web

from .._version import __version__
from .control import PREFIX
from .keys import SERVER
from .respond import json_response

DOCS = "README.md and docs/*.md of the mockpinme source (docs/control-api.md for the control API)"
ENDPOINTS = (
    ("GET", "/api/v1/models", "the model list (X-API-Key)"),
    ("POST", "/api/v1/chat/completions?project_name=NAME", "chat, JSON or SSE (X-API-Key)"),
    ("GET", f"{PREFIX}/", "the inspector page"),
    ("GET", f"{PREFIX}/health", "alive, scenario, version"),
    ("GET", f"{PREFIX}/scenarios", "the built-in scenarios"),
    ("GET", f"{PREFIX}/scenario", "the active scenario"),
    ("PUT", f"{PREFIX}/scenario", 'switch: {"name"}, {"path"}, {"scenario"} or a YAML body'),
    ("GET", f"{PREFIX}/requests", "the journal"),
    ("POST", f"{PREFIX}/reset", "journal, counters, balances back to the start"),
    ("GET", f"{PREFIX}/state", "balances, rate-limit windows, counters"),
    ("POST", f"{PREFIX}/clock", 'move scenario time: {"advance_s": N}'),
)


def _wants_html(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _html(scenario: str) -> str:
    rows = "".join(
        f"<tr><td>{m}</td><td><code>{escape(p)}</code></td><td>{escape(what)}</td></tr>"
        for m, p, what in ENDPOINTS
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>mockpinme</title></head><body>"
        f"<h1>mockpinme {escape(__version__)}</h1><p>Scenario: <b>{escape(scenario)}</b>. "
        f"<a href='{PREFIX}/'>The inspector</a> shows requests as they arrive.</p>"
        f"<table>{rows}</table><p>Documentation: {escape(DOCS)}.</p></body></html>"
    )


async def index(request: web.Request) -> web.Response:
    """``GET /``: the service's name, version, scenario, the inspector, the docs and the endpoints."""
    scenario = request.app[SERVER].scenarios.active.name
    if _wants_html(request):
        return web.Response(text=_html(scenario), content_type="text/html")
    return json_response(
        {
            "service": "mockpinme",
            "version": __version__,
            "scenario": scenario,
            "inspector": f"{PREFIX}/",
            "docs": DOCS,
            "endpoints": [{"method": m, "path": p, "what": what} for m, p, what in ENDPOINTS],
        }
    )
