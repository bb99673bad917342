"""Reading request bodies within limits: a size cap counted on the bytes sent, a time limit, and no
compressed bodies (PinMe documents none)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .keys import SERVER


class BodyProblem(Exception):
    """A body refused before it was read whole: ``status`` and a message saying why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _collect(request: web.Request, limit: int) -> bytes | None:
    body = bytearray()
    async for data in request.content.iter_any():
        body += data
        if len(body) > limit:
            return None
    return bytes(body)


async def read_capped(request: web.Request, limit: int) -> bytes | None:
    """The body, or None once it passes ``limit`` bytes (never buffered past it).

    Raises BodyProblem for a ``Content-Encoding`` (415) or a body that does not arrive within the
    settings' ``body_timeout_s`` (408).
    """
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        shown = encoding.encode("ascii", "replace").decode()[:40]
        raise BodyProblem(415, f"Content-Encoding {shown!r} is not supported: send the body uncompressed")
    length = request.content_length
    if length is not None and length > limit:
        return None
    if request.content.is_eof():
        whole = request.content.read_nowait()
        return whole if len(whole) <= limit else None
    seconds = request.app[SERVER].settings.body_timeout_s
    try:
        return await asyncio.wait_for(_collect(request, limit), seconds)
    except asyncio.TimeoutError:
        raise BodyProblem(408, f"the request body did not arrive within {seconds:g} s") from None
