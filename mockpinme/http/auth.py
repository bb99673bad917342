"""The auth proxy under ``/api/v1/auth/``: create_user, verify_token, user, list_users."""

from __future__ import annotations

from aiohttp import web

from ..engine import authcalls
from .email import read_call, write_answer
from .journaled import session_of
from .keys import ENTRY, SERVER


def base_url(request: web.Request) -> str:
    """This server as the caller reached it (for the links in verification mails)."""
    return f"{request.scheme}://{request.host}"


async def create_user(request: web.Request) -> web.StreamResponse:
    """``POST create_user?project_name=`` ``{email, password, display_name?}``."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    call = await read_call(request)
    runtime = request.app[SERVER].runtime
    return write_answer(authcalls.create_user(session, runtime, call, request[ENTRY], base_url(request)))


async def verify_token(request: web.Request) -> web.StreamResponse:
    """``POST verify_token?project_name=`` ``{id_token}``."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    call = await read_call(request)
    runtime = request.app[SERVER].runtime
    return write_answer(authcalls.verify_token(session, runtime, call, request[ENTRY]))


async def get_user(request: web.Request) -> web.StreamResponse:
    """``GET user?project_name=&uid=``."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    return write_answer(authcalls.get_user(session, await read_call(request), request[ENTRY]))


async def list_users(request: web.Request) -> web.StreamResponse:
    """``GET list_users?project_name=&page_token=&max_results=``."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    return write_answer(authcalls.list_users(session, await read_call(request), request[ENTRY]))
