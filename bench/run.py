"""mockpinme's benchmark: mockpinme beside a bare aiohttp baseline and its peers, in one run, as ratios.

    python bench/run.py [--quick] [--peers] [--streams N]

Needs ``wrk`` (Debian package) for throughput and ``valgrind`` for instruction counts. Servers run
pinned to CPU 0, load generators to CPU 1; everything talks to 127.0.0.1 only and every step is
bounded in time. ``--quick`` is the test suite's short run: one round, no peers unless ``--peers``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import callgrind
import peers
import pyprofile
from cases import CHUNK_DELAY_MS, Case, default_case, rule_case
from load import capture, median_of, streams, wrk_rps
from report import BARE, MOCK, Results, render
from servers import HERE, PINME_CHAT, Server, Started, baseline, mockpinme, running, spawn_to_first_200

OUT = HERE / ".out"
PROFILE = OUT / "request-profile.txt"


@dataclass(frozen=True)
class Settings:
    seconds: int
    rounds: int
    streams: int
    requests: int
    warmup: int
    callgrind_cases: tuple[str, ...]
    peers: bool
    loop: str


def settings() -> Settings:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round, for a smoke test")
    parser.add_argument("--peers", action="store_true", help="run the peers with --quick too")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument(
        "--loop", choices=["auto", "uvloop", "asyncio"], default="auto", help="mockpinme's loop"
    )
    args = parser.parse_args()
    if args.quick:
        return Settings(2, 1, args.streams, 30, 5, ("rule-and-added-model",), args.peers, args.loop)
    return Settings(4, 5, args.streams, 300, 30, ("default", "rule-and-added-model"), True, args.loop)


Peers = dict[str, Callable[[Case, Path], Server]]


def servers_for(case: Case, folder: Path, installed: Peers, loop: str) -> list[Server]:
    """mockpinme, the bare server (bytes from ``folder/case``), then each installed peer."""
    return [mockpinme(case.scenario, loop), baseline(folder / case.name),
            *(make(case, folder) for make in installed.values())]  # fmt: skip


def attempt(results: Results, server: Server, action: Callable[[], Any]) -> Any:
    """A peer's measurement, or None with its reason kept; mockpinme's and the bare one's raise."""
    if server.name in results.skipped:
        return None
    try:
        return action()
    except Exception as exc:
        if server.name in (MOCK, BARE):
            raise
        results.skipped[server.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
        return None


def measure_case(case: Case, folder: Path, installed: Peers, plan: Settings, results: Results) -> None:
    """JSON throughput of every server for ``case`` (and streams, for the default case)."""
    servers = servers_for(case, folder, installed, plan.loop)
    with ExitStack() as stack:
        first = stack.enter_context(running(servers[0]))
        capture(first.url + PINME_CHAT, case.body(), folder / case.name, stream=case.name == "default")
        live: dict[str, tuple[Server, Started]] = {servers[0].name: (servers[0], first)}
        for server in servers[1:]:
            started = attempt(results, server, lambda s=server: stack.enter_context(running(s)))
            if started:
                live[server.name] = (server, started)
        rps: dict[str, list[float]] = {name: [] for name in live}
        for _ in range(plan.rounds):
            for name, (server, started) in live.items():
                url = started.url + server.chat_path
                found = attempt(results, server, lambda u=url: wrk_rps(u, case.body(), plan.seconds))
                rps[name] += [found] if found is not None else []
        results.rps[case.name] = {name: statistics.median(v) for name, v in rps.items() if v and name in live
                                  and name not in results.skipped}  # fmt: skip
        if case.name == "default":
            measure_streams(live, plan, results)


def measure_streams(live: dict[str, tuple[Server, Started]], plan: Settings, results: Results) -> None:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in live}
    for _ in range(plan.rounds):
        for name, (server, started) in live.items():
            url = started.url + server.chat_path
            found = attempt(
                results, server, lambda u=url, p=started.pid: streams(u, plan.streams, p, CHUNK_DELAY_MS)
            )
            runs[name] += [found] if found is not None else []
    results.stream = {name: median_of(v) for name, v in runs.items() if v and name not in results.skipped}


def measure_spawn(case: Case, folder: Path, installed: Peers, plan: Settings, results: Results) -> None:
    """Spawn to the first 200, the servers interleaved in each round."""
    servers = servers_for(case, folder, installed, plan.loop)
    spawns: dict[str, list[float]] = {server.name: [] for server in servers}
    for _ in range(plan.rounds):
        for server in servers:
            found = attempt(results, server, lambda s=server: spawn_to_first_200(s))
            spawns[server.name] += [found] if found is not None else []
    results.spawn = {name: statistics.median(v) for name, v in spawns.items() if v}


def measure_instructions(cases: list[Case], folder: Path, plan: Settings, results: Results) -> None:
    missing = callgrind.available()
    if missing:
        raise RuntimeError(f"callgrind {missing}: apt-get install valgrind")
    for case in (c for c in cases if c.name in plan.callgrind_cases):
        pair = [mockpinme(case.scenario, plan.loop), baseline(folder / case.name)]
        where = OUT / "callgrind" / case.name
        results.counts[case.name] = [
            callgrind.measure(s, case.body(), plan.requests, plan.warmup, where) for s in pair
        ]


def write_profile(case: Case, plan: Settings, results: Results) -> None:
    """Where a mockpinme request goes: callgrind's top C functions, then cProfile's Python ones."""
    mine = next(c for c in results.counts[case.name] if c.server == MOCK)
    callgrind.write_profile(mine, case.name, OUT / "callgrind" / case.name, PROFILE)
    python = pyprofile.measure(mockpinme(case.scenario, plan.loop), case.body(), max(plan.requests, 300),
                               plan.warmup, OUT / "cprofile.out")  # fmt: skip
    PROFILE.write_text(PROFILE.read_text() + "\n" + "\n".join(python) + "\n")


def in_process() -> dict[str, float]:
    command = [sys.executable, str(HERE / "inprocess.py")]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True, env=env)
    return dict(json.loads(out.stdout))


def machine() -> str:
    import aiohttp

    return (f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, aiohttp {aiohttp.__version__}")  # fmt: skip


def installed_peers(plan: Settings, results: Results) -> Peers:
    if not plan.peers:
        results.skipped.update({name: "--quick (add --peers)" for name in ("mocktopus", "aimock")})
        return {}
    found = peers.install_all()
    results.skipped.update({name: peer for name, peer in found.items() if isinstance(peer, str)})
    return {name: peer.server_for for name, peer in found.items() if not isinstance(peer, str)}


def main() -> int:
    plan = settings()
    results = Results(plan.rounds, plan.streams, order=[BARE, MOCK, "mocktopus", "aimock"])
    installed = installed_peers(plan, results)
    with tempfile.TemporaryDirectory(prefix="mockpinme-bench-") as scratch:
        folder = Path(scratch)
        cases = [default_case(), rule_case(folder)]
        for case in cases:
            measure_case(case, folder, installed, plan, results)
        measure_spawn(cases[1], folder, installed, plan, results)
        measure_instructions(cases, folder, plan, results)
        write_profile(cases[1], plan, results)
    results.inner = in_process()
    heading = f"mockpinme benchmark, {time.strftime('%Y-%m-%d')}, {machine()}, mockpinme loop: {plan.loop}"
    text, holds = render(results, heading)
    print(text)
    print(f"\nmockpinme's request path (callgrind and cProfile): {PROFILE}")
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
