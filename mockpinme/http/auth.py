"""The auth proxy under ``/api/v1/auth/``: create_user, verify_token, user, list_users."""

from __future__ import annotations

from aiohttp import web

from ..engine import authcalls
from .email import serve_call
from .keys import SERVER


def base_url(request: web.Request) -> str:
    """This server as the caller reached it (for the links in verification mails)."""
    return f"{request.scheme}://{request.host}"


async def create_user(request: web.Request) -> web.StreamResponse:
    """``POST create_user?project_name=`` ``{email, password, display_name?}``."""
    runtime, links = request.app[SERVER].runtime, base_url(request)
    return await serve_call(
        request, lambda session, call, entry: authcalls.create_user(session, runtime, call, entry, links)
    )


async def verify_token(request: web.Request) -> web.StreamResponse:
    """``POST verify_token?project_name=`` ``{id_token}``."""
    runtime = request.app[SERVER].runtime
    return await serve_call(
        request, lambda session, call, entry: authcalls.verify_token(session, runtime, call, entry)
    )


async def get_user(request: web.Request) -> web.StreamResponse:
    """``GET user?project_name=&uid=``."""
    return await serve_call(request, authcalls.get_user)


async def list_users(request: web.Request) -> web.StreamResponse:
    """``GET list_users?project_name=&page_token=&max_results=``."""
    return await serve_call(request, authcalls.list_users)
