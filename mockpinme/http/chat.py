"""``POST /api/v1/chat/completions?project_name=…``: read, answer, write."""

from __future__ import annotations

from aiohttp import web

from ..engine.answer import answer
from ..engine.gate import MAX_BODY_BYTES
from ..engine.request import ChatCall
from .journaled import session_of
from .keys import ENTRY, SERVER
from .respond import write


async def read_body(request: web.Request) -> bytes | None:
    """The body, or None once it passes PinMe's 1 MB limit (never buffered past it)."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        return None
    if request.content.is_eof():
        whole = request.content.read_nowait()
        return whole if len(whole) <= MAX_BODY_BYTES else None
    if length is not None:
        return await request.read()
    body = bytearray()
    async for data in request.content.iter_any():
        body += data
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


async def chat_completions(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/chat/completions?project_name=…``."""
    session = session_of(request)
    if isinstance(session, web.Response):
        return session
    call = ChatCall(await read_body(request), request.headers, request.query)
    outcome = answer(session, call, request[ENTRY])
    runtime = request.app[SERVER].runtime
    return await write(request, outcome, runtime.clock, runtime.ids)
