"""mockpinme's benchmark: mockpinme beside a bare aiohttp baseline, in one run, as ratios.

    python bench/run.py [--quick]

Needs ``wrk`` (Debian package) for the throughput test. Servers run pinned to CPU 0, load
generators to CPU 1. Everything talks to 127.0.0.1 only and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "scenario.yaml"
BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}
HEADERS = {"X-API-Key": "bench", "Content-Type": "application/json"}
CHAT = "/api/v1/chat/completions?project_name=bench"
SERVER_CPU, LOAD_CPU = "0", "1"


def _taskset(cpu: str) -> list[str]:
    return ["taskset", "-c", cpu] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


@contextmanager
def running(command: list[str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [*_taskset(SERVER_CPU), *command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        url = re.search(r"http://[\d.]+:\d+", process.stdout.readline())
        assert url, "the server did not print its URL"
        yield process, url.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def mockpinme_cmd(port: int = 0, loop: str = "auto") -> list[str]:
    return [sys.executable, "-m", "mockpinme", "serve", "--port", str(port), "--scenario", str(SCENARIO),
            "--log-level", "warning", "--loop", loop]  # fmt: skip


def baseline_cmd(port: int, folder: Path) -> list[str]:
    return [sys.executable, str(HERE / "baseline.py"), str(port), str(folder)]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def proc_stat(pid: int) -> tuple[float, int]:
    """CPU seconds used so far, and resident memory in KB."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))  # type: ignore[union-attr]
    return cpu, rss


def capture_bytes(url: str, folder: Path) -> None:
    """The JSON reply and the stream of mockpinme, saved for the baseline to send."""
    (folder / "reply.json").write_bytes(httpx.post(url + CHAT, json=BODY, headers=HEADERS).content)
    stream = httpx.post(url + CHAT, json={**BODY, "stream": True}, headers=HEADERS, timeout=30).content
    (folder / "stream.sse").write_bytes(stream)


def wrk_rps(url: str, seconds: int, connections: int = 32) -> float:
    script = HERE / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{json.dumps(BODY)}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["X-API-Key"] = "bench"\n'
    )
    command = [*_taskset(LOAD_CPU), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    out = subprocess.run(
        [*command, url + CHAT], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    script.unlink()
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def streams(url: str, count: int, pid: int) -> dict[str, Any]:
    cpu_before, rss_idle = proc_stat(pid)
    client = subprocess.Popen(
        [*_taskset(LOAD_CPU), sys.executable, str(HERE / "streams.py"), url + CHAT, str(count), "20"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    peak = rss_idle
    while client.poll() is None:
        peak = max(peak, proc_stat(pid)[1])
        time.sleep(0.05)
    assert client.stdout is not None
    result: dict[str, Any] = json.loads(client.stdout.read())
    cpu_after, _ = proc_stat(pid)
    result["cpu_per_chunk_us"] = (cpu_after - cpu_before) / max(1, result["chunks"]) * 1e6
    result["rss_idle_kb"] = rss_idle
    result["kb_per_stream"] = (peak - rss_idle) / count
    return result


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs; completed streams, the fewest of any run. (Memory is
    taken from the first run, when the server was still idle.)"""
    summary = {key: statistics.median(run[key] for run in runs) for key in ("p50_ms", "p99_ms", "max_ms",
               "cpu_per_chunk_us")}  # fmt: skip
    memory = {key: runs[0][key] for key in ("rss_idle_kb", "kb_per_stream")}
    return {**summary, **memory, "completed": min(run["completed"] for run in runs)}


def spawn_to_first_200(command: Callable[[int], list[str]]) -> float:
    port = free_port()
    with httpx.Client() as client:
        started = time.perf_counter()
        process = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    health = client.get(f"http://127.0.0.1:{port}/__mockpinme/health", timeout=1)
                    if health.status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    if process.poll() is not None or time.perf_counter() - started > 30:
                        raise RuntimeError(f"no answer from {command(port)[:3]}") from None
                    time.sleep(0.002)
        finally:
            process.terminate()
            process.wait(timeout=5)


def in_process() -> dict[str, float]:
    command = [sys.executable, str(HERE / "inprocess.py")]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return dict(json.loads(out.stdout))


def machine() -> str:
    import aiohttp as _aiohttp

    return (f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}, aiohttp {_aiohttp.__version__}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for a smoke test)")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument(
        "--loop", choices=["auto", "uvloop", "asyncio"], default="auto", help="mockpinme's loop"
    )
    args = parser.parse_args()
    seconds, rounds = (2, 1) if args.quick else (4, 5)
    compileall.compile_dir(str(HERE.parent / "mockpinme"), quiet=1)
    rows: list[tuple[str, str, str, str, str]] = []

    with tempfile.TemporaryDirectory() as folder:
        with running(mockpinme_cmd(loop=args.loop)) as (mock, mock_url):
            capture_bytes(mock_url, Path(folder))
            with running(baseline_cmd(free_port(), Path(folder))) as (base, base_url):
                mock_runs, base_runs = [], []
                for _ in range(rounds):
                    mock_runs.append(wrk_rps(mock_url, seconds))
                    base_runs.append(wrk_rps(base_url, seconds))
                mock_rps, base_rps = statistics.median(mock_runs), statistics.median(base_runs)
                mock_stream_runs, base_stream_runs = [], []
                for _ in range(rounds):
                    mock_stream_runs.append(streams(mock_url, args.streams, mock.pid))
                    base_stream_runs.append(streams(base_url, args.streams, base.pid))
                mock_streams, base_streams = median_of(mock_stream_runs), median_of(base_stream_runs)
        spawns: dict[str, list[float]] = {"mock": [], "base": []}
        for _ in range(5):
            spawns["mock"].append(spawn_to_first_200(lambda p: mockpinme_cmd(p, args.loop)))
            spawns["base"].append(spawn_to_first_200(lambda p: baseline_cmd(p, Path(folder))))
        mock_spawn, base_spawn = statistics.median(spawns["mock"]), statistics.median(spawns["base"])
    inner = in_process()

    def row(what: str, mine: float, base: float | None, unit: str, target: str, ok: bool) -> None:
        ratio = f"{mine / base:.2f}x" if base else "-"
        shown_base = f"{base:,.3g} {unit}" if base is not None else "-"
        rows.append((what, f"{mine:,.3g} {unit}", shown_base, ratio, f"{target} {'yes' if ok else 'NO'}"))

    row(f"chat JSON, 32 conns, median of {rounds} interleaved runs", mock_rps, base_rps, "req/s", ">= 0.7x",
        mock_rps >= 0.7 * base_rps)  # fmt: skip
    row(f"{args.streams} streams completed (fewest of {rounds} interleaved runs)", mock_streams["completed"],
        base_streams["completed"], "", "all", mock_streams["completed"] == args.streams)  # fmt: skip
    row("stream gap error p99", mock_streams["p99_ms"], base_streams["p99_ms"], "ms", "<= 5 ms, <= 1.5x",
        mock_streams["p99_ms"] <= 5 and mock_streams["p99_ms"] <= 1.5 * base_streams["p99_ms"])  # fmt: skip
    row("stream gap error p50", mock_streams["p50_ms"], base_streams["p50_ms"], "ms", "(info)", True)
    row("server CPU per chunk", mock_streams["cpu_per_chunk_us"], base_streams["cpu_per_chunk_us"], "us",
        "<= 2x", mock_streams["cpu_per_chunk_us"] <= 2 * base_streams["cpu_per_chunk_us"])  # fmt: skip
    row("spawn -> first 200", mock_spawn, base_spawn, "s", "<= 0.35 s", mock_spawn <= 0.35)
    row("idle RSS", mock_streams["rss_idle_kb"] / 1024, base_streams["rss_idle_kb"] / 1024, "MB", "<= 60 MB",
        mock_streams["rss_idle_kb"] / 1024 <= 60)  # fmt: skip
    row("RSS per open stream", mock_streams["kb_per_stream"], base_streams["kb_per_stream"], "KB", "<= 40 KB",
        mock_streams["kb_per_stream"] <= 40)  # fmt: skip
    row("import mockpinme (fixture's first use)", inner["import_s"], None, "s", "(info)", True)
    row("fixture: first server start", inner["start_s"], None, "s", "<= 0.1 s", inner["start_s"] <= 0.1)
    row("fixture: per-test reset", inner["reset_s"] * 1000, None, "ms", "<= 1 ms", inner["reset_s"] <= 0.001)
    row("--speed 0, 30 s of delays", inner["speed0_s"], None, "s", "<= 0.1 s", inner["speed0_s"] <= 0.1)
    row("1,000 rules: load", inner["load_1000_s"], None, "s", "<= 0.3 s", inner["load_1000_s"] <= 0.3)
    row(
        "1,000 rules: match the last",
        inner["match_1000_us"],
        None,
        "us",
        "<= 50 us",
        inner["match_1000_us"] <= 50,
    )

    print(f"mockpinme benchmark, {time.strftime('%Y-%m-%d')}, {machine()}, mockpinme loop: {args.loop}\n")
    print("| what | mockpinme | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    return 0 if all(r[4].endswith("yes") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
