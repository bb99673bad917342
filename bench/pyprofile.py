"""Where a request's time goes at the level of Python functions: the server under ``cProfile``.

callgrind names the interpreter's C functions; this names mockpinme's and aiohttp's. The server
runs twice, answering a warm-up alone and then the warm-up and N requests; each function's calls
and times in the second run less those in the first, divided by N, are its cost per request.
"""

from __future__ import annotations

import pstats
import sys
from pathlib import Path
from typing import Any

from callgrind import send
from servers import Server, running

TOP = 40


def profiled(server: Server, out: Path) -> Server:
    """The same Python server, started under ``python -m cProfile -o out``."""
    command = server.command

    def wrapped(port: int) -> list[str]:
        argv = command(port)
        return [sys.executable, "-m", "cProfile", "-o", str(out), *argv[1:]]

    return Server(server.name, wrapped, server.chat_path, server.health_path, server.env)


def one_run(server: Server, body: dict[str, Any], requests: int, out: Path) -> dict[str, tuple[float, ...]]:
    """Calls, own and cumulative seconds of each function, after ``requests`` requests."""
    out.unlink(missing_ok=True)
    target = profiled(server, out)
    with running(target, limit_s=60, grace_s=60) as live:
        send(live.url, target.chat_path, body, requests)
    stats: Any = pstats.Stats(str(out)).stats
    return {
        f"{_short(path)}:{line}({name})": (calls, own, cum)
        for (path, line, name), (_, calls, own, cum, _) in stats.items()
    }


def measure(server: Server, body: dict[str, Any], count: int, warmup: int, out: Path) -> list[str]:
    """Lines for the report: per request, cumulative and own time and calls, most costly first."""
    out.parent.mkdir(parents=True, exist_ok=True)
    before = one_run(server, body, warmup, out)
    after = one_run(server, body, warmup + count, out)
    rows = []
    for where, (calls, own, cum) in after.items():
        calls0, own0, cum0 = before.get(where, (0, 0.0, 0.0))
        if calls - calls0 >= count / 2:
            rows.append(((cum - cum0) / count, (own - own0) / count, (calls - calls0) / count, where))
    rows.sort(reverse=True)
    head = [
        f"# {server.name} under cProfile: per request, from {count} requests after {warmup} (cProfile's "
        "own overhead included)",
        f"{'cum us':>9} {'own us':>9} {'calls':>6}  function",
    ]
    return head + [f"{c * 1e6:9.1f} {o * 1e6:9.1f} {n:6.1f}  {w}" for c, o, n, w in rows[:TOP]]


def _short(path: str) -> str:
    for marker in ("site-packages/", "lib/python3.", "/mockpinme/"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return ("mockpinme/" + tail) if marker == "/mockpinme/" else tail
    return path
