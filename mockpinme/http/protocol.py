"""The connection handler: aiohttp's, with a header timeout and its low-level errors (bad framing,
oversized or too many headers, a junk request line) answered in JSON and logged in one line."""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from ..engine.journal import printable
from ..openrouter.encode import compact_json
from .fallback import pinme_error

log = logging.getLogger("mockpinme")

MAX_LINE_BYTES = 8190
MAX_FIELD_BYTES = 8190
MAX_HEADERS = 128


def _reason(status: int, exc: BaseException | None, message: str | None) -> str:
    text = message or (exc.message if isinstance(exc, HttpProcessingError) else "") or ""
    text = " ".join(printable(str(text)).split())
    if len(text) > 200:
        text = text[:197] + "..."
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return f"{phrase}: {text}" if text and text != phrase else phrase


def _timeout_bytes(seconds: float) -> bytes:
    body = compact_json(
        {"code": 408, "msg": "error", "data": {"error": f"request headers not received within {seconds:g} s"}}
    )
    head = (
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class GuardedHandler(RequestHandler):
    """One connection: a request's headers must all arrive within ``header_timeout`` of its first
    byte; errors aiohttp answers itself are JSON in PinMe's shape."""

    __slots__ = ("_header_timer", "header_timeout")

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._header_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        waiting = self._waiter is not None and not self._waiter.done() and not self._messages
        if not waiting:
            self._stop_header_timer()
        elif self._header_timer is None and not self._force_close:
            self._header_timer = self._loop.call_later(self.header_timeout, self._headers_late)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self._waiter is None or self._waiter.done() or self._messages or self.transport is None:
            return
        log.info("dropped a connection: request headers not received within %g s", self.header_timeout)
        self.transport.write(_timeout_bytes(self.header_timeout))
        self.force_close()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A JSON answer for what never reached a route; one log line (a traceback only for a 500)."""
        reason = _reason(status, exc, message)
        if status >= 500:
            log.error("internal error answering %s: %s", request.remote, reason, exc_info=exc)
        else:
            log.info("refused a malformed request from %s: %s", request.remote, reason)
        if request.writer.output_size > 0:
            raise ConnectionError("the answer had begun; the connection is closed instead")
        response = pinme_error(status, reason)
        response.force_close()
        return response


class GuardedServer(web.Server):
    """aiohttp's server, making :class:`GuardedHandler` connections."""

    header_timeout: float = 10.0

    def __call__(self) -> RequestHandler:
        return GuardedHandler(self, loop=self._loop, header_timeout=self.header_timeout, **self._kwargs)
