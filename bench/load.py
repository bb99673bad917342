"""Load generators, pinned to the load CPU: ``wrk`` for JSON throughput, ``streams.py`` for streams."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from servers import HEADERS, HERE, LOAD_CPU, proc_stat, taskset

STREAM_KEYS = ("p50_ms", "p99_ms", "max_ms", "ttfb_p50_ms", "ttfb_p99_ms", "cpu_per_chunk_us")


def wrk_script(body: dict[str, Any]) -> str:
    headers = "".join(f'wrk.headers["{name}"] = "{value}"\n' for name, value in HEADERS.items())
    return f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(body))}\n{headers}'


def wrk_rps(url: str, body: dict[str, Any], seconds: int, connections: int = 32) -> float:
    """Requests per second that returned 2xx, from ``wrk -t1`` with keep-alive connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(wrk_script(body))
        script.flush()
        command = [
            *taskset(LOAD_CPU),
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            script.name,
            url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"{url} answered errors under wrk:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found:
        raise RuntimeError(f"no Requests/sec from wrk:\n{out}")
    return float(found.group(1))


def streams(url: str, count: int, pid: int, gap_ms: int) -> dict[str, Any]:
    """``count`` concurrent streams against ``url``; gap errors, TTFB, server CPU and memory."""
    cpu_before, rss_idle = proc_stat(pid)
    command = [*taskset(LOAD_CPU), sys.executable, str(HERE / "streams.py"), url, str(count), str(gap_ms)]
    client = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak, deadline = rss_idle, time.monotonic() + 180
    while client.poll() is None and time.monotonic() < deadline:
        peak = max(peak, proc_stat(pid)[1])
        time.sleep(0.05)
    if client.poll() is None:
        client.kill()
    out, _ = client.communicate(timeout=10)
    result: dict[str, Any] = json.loads(out)
    cpu_after, _ = proc_stat(pid)
    result["cpu_per_chunk_us"] = (cpu_after - cpu_before) / max(1, result["chunks"]) * 1e6
    result["rss_idle_kb"] = rss_idle
    result["kb_per_stream"] = (peak - rss_idle) / count
    return result


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs; completed streams, the fewest of any run; memory from
    the first run, when the server was still idle."""
    summary = {key: statistics.median(run[key] for run in runs) for key in STREAM_KEYS}
    memory = {key: runs[0][key] for key in ("rss_idle_kb", "kb_per_stream")}
    return {**summary, **memory, "completed": min(run["completed"] for run in runs)}


def capture(url: str, case_body: dict[str, Any], folder: Path, stream: bool) -> None:
    """mockpinme's JSON reply (and stream), saved for the bare baseline to send."""
    import httpx

    folder.mkdir(parents=True, exist_ok=True)
    reply = httpx.post(url, json=case_body, headers=HEADERS, timeout=30)
    reply.raise_for_status()
    (folder / "reply.json").write_bytes(reply.content)
    stream_body = {**case_body, "stream": True}
    sse = (
        httpx.post(url, json=stream_body, headers=HEADERS, timeout=60).content
        if stream
        else b"data: [DONE]\n\n"
    )
    (folder / "stream.sse").write_bytes(sse)
