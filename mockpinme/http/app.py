"""The aiohttp application of one server state, and starting it on a host and port."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from aiohttp import web

from ..engine.settings import Settings
from ..engine.state import ServerState
from . import auth
from .chat import chat_completions
from .control import PREFIX, control_app
from .email import send_email
from .fallback import cors_headers, unrouted
from .index import index
from .journaled import journaled
from .keys import SERVER
from .models import models
from .protocol import MAX_FIELD_BYTES, MAX_HEADERS, MAX_LINE_BYTES, GuardedServer
from .watch import watching

LISTEN_BACKLOG = 1024


def create_app(state: ServerState, *, watch: Path | None = None) -> web.Application:
    """The application for one server state; with ``watch``, that scenario file is reloaded on change."""
    app = web.Application(client_max_size=2**62)
    app[SERVER] = state
    if state.settings.cors:
        app.on_response_prepare.append(cors_headers)
    app.router.add_get("/", journaled(index))
    app.router.add_get("/api/v1/models", journaled(models))
    app.router.add_post("/api/v1/chat/completions", journaled(chat_completions))
    app.router.add_post("/api/v4/send_email", journaled(send_email))
    app.router.add_post("/api/v1/auth/create_user", journaled(auth.create_user))
    app.router.add_post("/api/v1/auth/verify_token", journaled(auth.verify_token))
    app.router.add_get("/api/v1/auth/user", journaled(auth.get_user))
    app.router.add_get("/api/v1/auth/list_users", journaled(auth.list_users))
    app.add_subapp(PREFIX, control_app(state))
    app.router.add_route("*", "/{path:.*}", journaled(unrouted))
    if watch is not None:
        app.cleanup_ctx.append(watching(watch))
    return app


def is_loopback(host: str) -> bool:
    """Does ``host`` name only this machine?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """A host as it stands in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host else host


async def start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving ``app``; returns the runner and the bound port (useful with port 0).

    Connections idle longer than the settings' ``idle_timeout_s`` are closed, as are those whose
    request headers take over ``header_timeout_s``; bodies are read as they come (never decompressed)
    and an answer given before a body is read whole closes the connection instead of draining it.
    """
    settings = app[SERVER].settings if SERVER in app else Settings()
    runner = web.AppRunner(
        app,
        access_log=None,
        handle_signals=False,
        shutdown_timeout=0.5,
        handler_cancellation=True,
        keepalive_timeout=settings.idle_timeout_s,
        lingering_time=0,
        auto_decompress=False,
        max_line_size=MAX_LINE_BYTES,
        max_field_size=MAX_FIELD_BYTES,
        max_headers=MAX_HEADERS,
    )
    await runner.setup()
    server = runner.server
    assert server is not None
    server.__class__ = GuardedServer
    assert isinstance(server, GuardedServer)
    server.header_timeout = settings.header_timeout_s
    site = web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, int(runner.addresses[0][1])
