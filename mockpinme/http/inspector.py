"""The inspector: its page (plain HTML, CSS and JavaScript shipped in the package), the live feed
of journal events at ``events``, a request's detail with why its rule answered, and what the
scenario tab draws. Routes of the control sub-app, behind its checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from aiohttp import web

from ..engine.events import Event, Subscription
from ..engine.explain import explain
from ..engine.gate import project_for
from ..engine.journal import Entry, mask
from ..engine.state import ServerState
from ..engine.timeline import brief
from ..scenario import builtins
from ..scenario.dump import scenario_yaml
from .journaled import Handler
from .keys import SERVER
from .respond import json_response

STATIC = {
    "": "text/html",
    "inspector.js": "text/javascript",
    "chart.js": "text/javascript",
    "inspector.css": "text/css",
}
"""The page's files (``""`` is the page itself, at ``/__mockpinme/``) and their types."""

PAGE_PATHS = frozenset({"/", *(f"/inspector/{name}" for name in STATIC if name)})
"""The page's own paths in the sub-app: static files holding no data, open without the token
(every call the page makes for data needs it, as any other control call)."""

_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "img-src 'self' data: http: https:; frame-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": _POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}
_SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
_files: dict[str, bytes] = {}


def _file(name: str) -> bytes:
    if name not in _files:
        _files[name] = (resources.files("mockpinme") / "inspector" / (name or "index.html")).read_bytes()
    return _files[name]


async def page(request: web.Request) -> web.Response:
    """``GET /__mockpinme/`` and ``GET /__mockpinme/inspector/FILE``: the inspector's files."""
    name = request.match_info.get("name", "")
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(body=_file(name), content_type=STATIC[name], charset="utf-8", headers=_HEADERS)


def summary(entry: Entry) -> dict[str, Any]:
    """An entry as the live list shows it."""
    return {
        "id": entry.id,
        "method": entry.method,
        "path": entry.path,
        "scenario": entry.scenario,
        "status": entry.status,
        "rule": entry.rule,
        "error": entry.error,
        "stream": entry.stream,
        "started_at": entry.started_at,
        "duration_ms": entry.duration_ms,
        "key": mask(entry.api_key),
        "timeline": brief(entry) if entry.duration_ms is not None else None,
    }


def _event(subscription: Subscription, event: Event) -> bytes:
    kind, entry = event
    data: dict[str, Any] = {"event": kind}
    if entry is not None:
        data.update(summary(entry))
        if kind == "start":
            data.update(status=None, rule=None, error=None, duration_ms=None, timeline=None)
    lost = subscription.take_lost()
    if lost:
        data["lost_before"] = lost
    ident = f"id: {entry.id}\n" if entry is not None else ""
    return f"{ident}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def events(request: web.Request) -> web.StreamResponse:
    """``GET events``: ``text/event-stream``, one event as each journal entry starts and as it ends
    (``{"event": "start"|"end"|"clear", "id", "method", "path", "status", "scenario", "rule",
    "error", "timeline"}``)."""
    feed = request.app[SERVER].runtime.journal.feed
    subscription = feed.subscribe()
    try:
        response = web.StreamResponse(headers=_SSE_HEADERS)
        await response.prepare(request)
        await response.write(b": mockpinme journal events\n\n")
        while True:
            await response.write(_event(subscription, await subscription.queue.get()))
    finally:
        feed.unsubscribe(subscription)


def _entry_id(request: web.Request) -> int | None:
    text = request.match_info["id"]
    return int(text) if text.isdigit() else None


async def request_detail(request: web.Request) -> web.Response:
    """``GET requests/{id}``: one entry in full, with ``why``: the rules checked before the one
    that answered and what each failed on."""
    state: ServerState = request.app[SERVER]
    entry_id = _entry_id(request)
    entry = state.runtime.journal.get(entry_id) if entry_id is not None else None
    if entry is None:
        return json_response({"error": {"message": "no such request in the journal", "code": 404}}, 404)
    session = state.scenarios.sessions().get(entry.scenario)
    why = explain(session, entry) if entry.path.endswith("/chat/completions") else None
    return json_response({**entry.to_json(), "why": why})


async def scenario_view(request: web.Request) -> web.Response:
    """``GET inspector/scenario``: the active scenario as YAML, the built-ins, the clock, balances
    (start and now) and rate-limit windows (used and allowed), for the scenario tab."""
    state: ServerState = request.app[SERVER]
    session = state.scenarios.active
    scenario, clock = session.scenario, state.runtime.clock
    limits = scenario.rate_limits
    named = [name for name, project in scenario.projects.items() if project.balance_usd is not None]
    balances = {}
    for name in dict.fromkeys([*named, *session.balances]):
        settings = project_for(scenario, name)
        start = settings.balance_usd if settings is not None else None
        balances[name] = {"start_usd": start, "now_usd": session.balance(name)}
    windows = {mask(key): used for key, used in session.limiter.state().items()}
    return json_response(
        {
            "name": scenario.name,
            "description": scenario.description,
            "yaml": scenario_yaml(scenario),
            "builtins": [{"name": b.name, "description": b.description} for b in builtins()],
            "clock_s": round(clock.now(), 3),
            "speed": clock.speed,
            "calls": session.calls,
            "balances": balances,
            "rate_limits": {
                "requests_per_minute": limits.requests_per_minute,
                "tokens_per_minute": limits.tokens_per_minute,
                "windows": windows,
            },
        }
    )


async def request_list(request: web.Request) -> web.Response:
    """``GET inspector/requests``: the journal's last ``limit`` (default 500) entries, in brief."""
    text = request.query.get("limit", "")
    limit = int(text) if text.isdigit() and int(text) > 0 else 500
    entries = list(request.app[SERVER].runtime.journal)[-limit:]
    return json_response({"requests": [summary(e) for e in entries]})


def add_routes(app: web.Application, gated: Callable[[Handler], Handler]) -> None:
    """The inspector's routes, on the control sub-app, each behind the control API's gate."""
    for path, handler in (
        ("/", page),
        ("/inspector/scenario", scenario_view),
        ("/inspector/requests", request_list),
        ("/inspector/{name}", page),
        ("/events", events),
        ("/requests/{id}", request_detail),
    ):
        app.router.add_get(path, gated(handler))
