"""The servers the bench runs: how each one starts, where it answers, and when it is ready."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVER_CPU, LOAD_CPU = "0", "1"
PINME_CHAT = "/api/v1/chat/completions?project_name=bench"
PINME_HEALTH = "/__mockpinme/health"
HEADERS = {"X-API-Key": "bench", "Content-Type": "application/json"}


@dataclass(frozen=True)
class Server:
    """A server the bench can start on a given port."""

    name: str
    command: Callable[[int], list[str]]
    chat_path: str = PINME_CHAT
    health_path: str = PINME_HEALTH
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Started:
    """A running server: its process, its base URL and how long it took to answer 200."""

    process: subprocess.Popen[bytes]
    url: str
    ready_s: float

    @property
    def pid(self) -> int:
        return self.process.pid


def taskset(cpu: str) -> list[str]:
    return ["taskset", "-c", cpu] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mockpinme(scenario: Path, loop: str = "auto") -> Server:
    """mockpinme from this checkout (``PYTHONPATH`` is the repository the bench lives in)."""

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "mockpinme", "serve", "--port", str(port), "--scenario",
                str(scenario), "--log-level", "warning", "--loop", loop]  # fmt: skip

    return Server("mockpinme", command, env={"PYTHONPATH": str(ROOT)})


def baseline(folder: Path) -> Server:
    """The bare aiohttp server sending the bytes captured in ``folder``."""
    return Server(
        "bare aiohttp", lambda port: [sys.executable, str(HERE / "baseline.py"), str(port), str(folder)]
    )


def wait_ready(process: subprocess.Popen[bytes], url: str, started: float, limit_s: float) -> float:
    """Seconds from ``started`` to the first 200 from ``url``; one client polling every 2 ms."""
    with httpx.Client() as client:
        while True:
            try:
                if client.get(url, timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.perf_counter() - started > limit_s:
                raise RuntimeError(f"no 200 from {url} (exit code {process.poll()})")
            time.sleep(0.002)


def stop(process: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def running(
    server: Server, wrapper: tuple[str, ...] = (), limit_s: float = 30, grace_s: float = 10
) -> Iterator[Started]:
    """The server on a free port of 127.0.0.1, pinned to the server CPU, stopped on exit."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*taskset(SERVER_CPU), *wrapper, *server.command(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **server.env},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        yield Started(process, url, wait_ready(process, url + server.health_path, started, limit_s))
    finally:
        stop(process, grace_s)


def spawn_to_first_200(server: Server) -> float:
    with running(server) as live:
        return live.ready_s


def proc_stat(pid: int) -> tuple[float, int]:
    """CPU seconds used so far, and resident memory in KB."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return cpu, int(found.group(1)) if found else 0
