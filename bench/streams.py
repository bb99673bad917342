"""Open N concurrent streams against a server and report how well their pacing held.

    python streams.py URL N EXPECTED_GAP_MS

A load generator, not a client under test: each connection is a bare asyncio protocol that stamps
the arrival of every content event (cheap enough that 500 streams at 20 ms do not outrun it).
Prints one JSON line: completed streams, content chunks, and the inter-chunk gap errors
(|gap - expected|) in milliseconds: p50, p99, max.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from urllib.parse import urlsplit

BODY = json.dumps(
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}], "stream": True}
).encode()


class StreamReader(asyncio.Protocol):
    """Collects the arrival time of each content event, and whether ``[DONE]`` came."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.arrivals: list[float] = []
        self.done = asyncio.get_running_loop().create_future()
        self.finished = False
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        *events, self.buffer = self.buffer.split(b"\n\n")
        for event in events:
            if b'"content":"' in event and b'"content":""' not in event:
                self.arrivals.append(now)
            elif b"data: [DONE]" in event:
                self.finished = True
        if self.finished and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def one(host: str, port: int, request: bytes) -> StreamReader:
    loop = asyncio.get_running_loop()
    transport, reader = await loop.create_connection(lambda: StreamReader(request), host, port)
    await asyncio.wait_for(reader.done, timeout=120)
    transport.close()
    return reader


async def main(url: str, count: int, gap_ms: float) -> dict[str, object]:
    parts = urlsplit(url)
    request = (
        f"POST {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nX-API-Key: bench\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
    ).encode() + BODY
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    readers = await asyncio.gather(*(one(host, port, request) for _ in range(count)), return_exceptions=True)
    errors: list[float] = []
    completed = chunks = 0
    for reader in readers:
        if isinstance(reader, BaseException) or not reader.finished:
            continue
        completed += 1
        chunks += len(reader.arrivals)
        errors += [abs((b - a) * 1000 - gap_ms) for a, b in itertools.pairwise(reader.arrivals)]
    errors.sort()

    def pct(p: float) -> float:
        return round(errors[min(len(errors) - 1, int(p * len(errors)))], 3) if errors else float("nan")

    return {
        "streams": count,
        "completed": completed,
        "chunks": chunks,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "max_ms": round(errors[-1], 3) if errors else None,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))))
