"""The recording proxy: PinMe's paths relayed to the upstream, streams passed on as they arrive
(each piece written to the client before it is looked at), each finished exchange recorded."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from ..http.respond import json_response, reset_connection
from .exchange import Exchange
from .redact import Redactor
from .splitter import EventSplitter
from .upstream import Upstream, relayed
from .writer import ScenarioWriter

log = logging.getLogger("mockpinme.record")

_UPSTREAM_FAILURES = (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


@dataclass
class Recorder:
    """What the proxy shares: the upstream, the writer, the redactor, the HTTP client."""

    upstream: Upstream
    writer: ScenarioWriter
    redactor: Redactor
    forward_side_effects: bool = False
    client: aiohttp.ClientSession | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    fetching_listing: bool = False

    def session(self) -> aiohttp.ClientSession:
        assert self.client is not None, "the recorder's app is not running"
        return self.client

    def learn_secrets(self, request: web.Request) -> None:
        """The caller's credentials are secrets too: kept out wherever they would be written."""
        self.redactor.add_secret(request.headers.get("X-API-Key"))
        self.redactor.add_secret(request.headers.get("Authorization", "").removeprefix("Bearer ").strip())


RECORDER = web.AppKey("mockpinme_recorder", Recorder)


def _error(status: int, text: str) -> web.Response:
    return json_response(
        {"code": status, "msg": "error", "data": {"error": f"mockpinme record: {text}"}}, status
    )


def _upstream_down(recorder: Recorder, exc: Exception) -> web.Response:
    log.warning("upstream %s failed: %s", recorder.upstream.base, exc)
    return _error(502, f"cannot reach the upstream {recorder.upstream.base}: {exc.__class__.__name__}")


async def _fetch_listing(recorder: Recorder, headers: dict[str, str]) -> None:
    try:
        async with recorder.session().get(recorder.upstream.url("/api/v1/models"), headers=headers) as got:
            if got.status == 200:
                recorder.writer.save_listing(await got.json(content_type=None))
            else:
                log.warning(
                    "the upstream's /models answered %d: the scenario keeps the built-in catalog", got.status
                )
    except (aiohttp.ClientError, ValueError) as exc:
        log.warning(
            "could not fetch the upstream's /models (%s): the scenario keeps the built-in catalog", exc
        )
    finally:
        recorder.fetching_listing = False


def _want_listing(recorder: Recorder, request: web.Request) -> None:
    """Once, with the first caller's credentials: the upstream's model listing for the scenario."""
    if recorder.writer.has_listing or recorder.fetching_listing:
        return
    recorder.fetching_listing = True
    task = asyncio.create_task(_fetch_listing(recorder, recorder.upstream.headers(request.headers)))
    recorder.tasks.add(task)
    task.add_done_callback(recorder.tasks.discard)


async def models(request: web.Request) -> web.StreamResponse:
    """``GET /api/v1/models``: relayed; an unfiltered listing is kept beside the scenario."""
    recorder = request.app[RECORDER]
    recorder.learn_secrets(request)
    upstream = recorder.upstream
    try:
        async with recorder.session().get(
            upstream.url("/api/v1/models"),
            params=upstream.query(request.query),
            headers=upstream.headers(request.headers),
        ) as got:
            body = await got.read()
            status, headers = got.status, relayed(got.headers)
    except aiohttp.ClientError as exc:
        return _upstream_down(recorder, exc)
    if status == 200 and not upstream.query(request.query) and not recorder.writer.has_listing:
        try:
            recorder.writer.save_listing(json.loads(body))
        except ValueError:
            log.warning("the upstream's /models listing is not JSON; not kept")
    else:
        _want_listing(recorder, request)
    return web.Response(status=status, body=body, headers=headers)


async def chat(request: web.Request) -> web.StreamResponse:
    """``POST /api/v1/chat/completions``: relayed as it comes; recorded once it has ended."""
    recorder = request.app[RECORDER]
    recorder.learn_secrets(request)
    _want_listing(recorder, request)
    upstream = recorder.upstream
    raw = await request.read()
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = None
    started = time.monotonic()
    try:
        got = await recorder.session().post(
            upstream.url("/api/v1/chat/completions"),
            params=upstream.query(request.query),
            headers=upstream.headers(request.headers),
            data=raw,
        )
    except aiohttp.ClientError as exc:
        return _upstream_down(recorder, exc)
    async with got:
        exchange = Exchange(
            parsed if isinstance(parsed, dict) else {}, got.status, dict(relayed(got.headers))
        )
        if got.status == 200 and got.content_type == "text/event-stream":
            response = await _relay_stream(request, got, exchange, started)
        else:
            try:
                exchange.body = await got.read()
            except aiohttp.ClientError as exc:
                return _upstream_down(recorder, exc)
            exchange.elapsed_s = time.monotonic() - started
            response = web.Response(status=got.status, body=exchange.body, headers=exchange.headers)
    if isinstance(parsed, dict) and exchange.ending != "abandoned":
        recorder.writer.add(exchange)
    return response


async def _chunks(got: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    async for data in got.content.iter_any():
        yield data


async def _relay_stream(
    request: web.Request, got: aiohttp.ClientResponse, exchange: Exchange, started: float
) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers=exchange.headers)
    await response.prepare(request)
    splitter = EventSplitter()
    try:
        async for data in _chunks(got):
            try:
                await response.write(data)
            except ConnectionError:
                exchange.ending = "abandoned"
                log.info("the client left a stream; that exchange is not recorded")
                return response
            exchange.events += splitter.feed(data, time.monotonic() - started)
    except _UPSTREAM_FAILURES as exc:
        log.info("the upstream broke off a stream (%s); recorded as a disconnect", exc.__class__.__name__)
        exchange.events += splitter.close(time.monotonic() - started)
        exchange.ending = "reset"
        reset_connection(request)
        return response
    exchange.events += splitter.close(time.monotonic() - started)
    exchange.ending = "eof"
    await response.write_eof()
    return response


async def side_effect(request: web.Request) -> web.StreamResponse:
    """``send_email`` and the auth calls: not forwarded unless ``--forward-side-effects``; never recorded."""
    recorder = request.app[RECORDER]
    if not recorder.forward_side_effects:
        return _error(403, f"{request.path} is not forwarded while recording (pass --forward-side-effects)")
    if recorder.upstream.openrouter:
        return _error(404, f"{request.path} is PinMe's; an OpenRouter upstream has no such service")
    try:
        async with recorder.session().request(
            request.method,
            recorder.upstream.url(request.path),
            params=request.query,
            headers=recorder.upstream.headers(request.headers),
            data=await request.read(),
        ) as got:
            return web.Response(status=got.status, body=await got.read(), headers=relayed(got.headers))
    except aiohttp.ClientError as exc:
        return _upstream_down(recorder, exc)


async def unknown(request: web.Request) -> web.Response:
    """Anything else: PinMe's JSON 404."""
    return _error(404, f"not recorded: {request.method} {request.path}")


async def _client(app: web.Application) -> AsyncIterator[None]:
    recorder = app[RECORDER]
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30)
    async with aiohttp.ClientSession(timeout=timeout, auto_decompress=True) as client:
        recorder.client = client
        yield
        if recorder.tasks:
            await asyncio.wait(set(recorder.tasks), timeout=5)
        recorder.client = None


def create_app(recorder: Recorder) -> web.Application:
    """The recording proxy's application."""
    app = web.Application(client_max_size=2**62)
    app[RECORDER] = recorder
    app.router.add_get("/api/v1/models", models)
    app.router.add_post("/api/v1/chat/completions", chat)
    app.router.add_post("/api/v4/send_email", side_effect)
    app.router.add_route("*", "/api/v1/auth/{name}", side_effect)
    app.router.add_route("*", "/{path:.*}", unknown)
    app.cleanup_ctx.append(_client)
    return app
