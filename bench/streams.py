"""Open N concurrent streams against a server and report how well their pacing held.

    python streams.py URL N EXPECTED_GAP_MS

A load generator, not a client under test: each connection is a bare asyncio protocol (on uvloop
when installed) that only stamps the arrival of each piece of data; events are parsed after the
run. A client that parsed as it went spent 90% of its core at 500 streams here and measured itself.
Prints one JSON line: completed streams, content chunks, and the inter-chunk gap errors
(|gap - expected|) in milliseconds: p50, p99, max; and the time from the request's write to the
first content event (TTFB): p50, p99.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
import time
from collections.abc import Coroutine
from typing import Any, cast
from urllib.parse import urlsplit

BODY = json.dumps(
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}], "stream": True}
).encode()
CONTENT = re.compile(rb'"content": ?"[^"]')


class StreamReader(asyncio.Protocol):
    """Keeps each piece of data with its arrival time; the events are parsed after the run, so the
    client does as little as it can while streams are coming in."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.received: list[tuple[float, bytes]] = []
        self.sent = 0.0
        self.done = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.sent = time.perf_counter()
        cast(asyncio.Transport, transport).write(self.request)

    def data_received(self, data: bytes) -> None:
        self.received.append((time.perf_counter(), data))
        if b"data: [DONE]" in data and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)

    def arrivals(self) -> tuple[list[float], bool]:
        """When each content event was complete, and whether ``[DONE]`` came."""
        arrivals: list[float] = []
        finished = False
        buffer = b""
        for now, data in self.received:
            buffer += data
            *events, buffer = buffer.split(b"\n\n")
            for event in events:
                if CONTENT.search(event):
                    arrivals.append(now)
                elif b"data: [DONE]" in event:
                    finished = True
        return arrivals, finished


async def one(host: str, port: int, request: bytes) -> StreamReader:
    loop = asyncio.get_running_loop()
    transport, reader = await loop.create_connection(lambda: StreamReader(request), host, port)
    await asyncio.wait_for(reader.done, timeout=120)
    transport.close()
    return reader


async def main(url: str, count: int, gap_ms: float) -> dict[str, object]:
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    request = (
        f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nX-API-Key: bench\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
    ).encode() + BODY
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    readers = await asyncio.gather(*(one(host, port, request) for _ in range(count)), return_exceptions=True)
    errors: list[float] = []
    firsts: list[float] = []
    completed = chunks = 0
    for reader in readers:
        if isinstance(reader, BaseException):
            continue
        arrivals, finished = reader.arrivals()
        if not finished:
            continue
        completed += 1
        chunks += len(arrivals)
        firsts += [(arrivals[0] - reader.sent) * 1000] if arrivals else []
        errors += [abs((b - a) * 1000 - gap_ms) for a, b in itertools.pairwise(arrivals)]
    errors.sort()
    firsts.sort()

    def pct(p: float, values: list[float] = errors) -> float:
        return round(values[min(len(values) - 1, int(p * len(values)))], 3) if values else float("nan")

    return {
        "streams": count,
        "completed": completed,
        "chunks": chunks,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": round(errors[-1], 3) if errors else None,
        "ttfb_p50_ms": pct(0.5, firsts),
        "ttfb_p99_ms": pct(0.99, firsts),
    }


def run(coro: Coroutine[Any, Any, dict[str, object]]) -> dict[str, object]:
    """On uvloop when it is installed: the cheaper the client, the less it measures itself."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


if __name__ == "__main__":
    print(json.dumps(run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))))
