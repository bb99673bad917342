"""The baseline: a bare aiohttp server answering with precomputed bytes, pacing streams with asyncio.sleep.

    python baseline.py PORT BYTES_DIR

BYTES_DIR holds ``reply.json`` (the JSON body) and ``stream.sse`` (the stream's events, one per
blank-line-separated block), both captured from mockpinme so the two send the same bytes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from aiohttp import web

CHUNK_DELAY_S = 0.020


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    reply = (folder / "reply.json").read_bytes()
    events = [e + b"\n\n" for e in (folder / "stream.sse").read_bytes().split(b"\n\n") if e]

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if json.loads(body).get("stream") is not True:
            return web.Response(body=reply, content_type="application/json")
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        for index, event in enumerate(events):
            if 1 < index < len(events) - 3:
                await asyncio.sleep(CHUNK_DELAY_S)
            await response.write(event)
        await response.write_eof()
        return response

    async def health(request: web.Request) -> web.Response:
        return web.Response(body=b'{"status":"ok"}', content_type="application/json")

    app = web.Application()
    app.router.add_post("/api/v1/chat/completions", chat)
    app.router.add_get("/__mockpinme/health", health)
    print(f"baseline listening on http://127.0.0.1:{port}", flush=True)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, backlog=1024)


if __name__ == "__main__":
    main()
