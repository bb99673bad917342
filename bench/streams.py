"""Open N concurrent streams against a server and report how well their pacing held.

    python streams.py URL N EXPECTED_GAP_MS

Prints one JSON line: completed streams, content chunks, and the inter-chunk gap errors
(|gap - expected|) in milliseconds: p50, p99, max.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time

import aiohttp

BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}], "stream": True}


async def one(session: aiohttp.ClientSession, url: str) -> list[float]:
    arrivals: list[float] = []
    async with session.post(url, json=BODY, headers={"X-API-Key": "bench"}) as response:
        async for line in response.content:
            if line.startswith(b'data: {"id"') and b'"content":"' in line and b'"content":""' not in line:
                arrivals.append(time.perf_counter())
            elif line.startswith(b"data: [DONE]"):
                arrivals.append(-1.0)
    return arrivals


async def main(url: str, count: int, gap_ms: float) -> dict[str, object]:
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        runs = await asyncio.gather(*(one(session, url) for _ in range(count)), return_exceptions=True)
    errors: list[float] = []
    completed = chunks = 0
    for run in runs:
        if isinstance(run, BaseException) or not run or run[-1] != -1.0:
            continue
        completed += 1
        times = run[:-1]
        chunks += len(times)
        errors += [abs((b - a) * 1000 - gap_ms) for a, b in itertools.pairwise(times)]
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
