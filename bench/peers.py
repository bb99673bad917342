"""Other mocks measured beside mockpinme: mocktopus (PyPI) and aimock (npm).

Each is installed once, at a pinned version, into ``bench/.peers/`` (ignored by git) and reused
while its marker file is there. An install that fails or times out is reported with its reason and
the run goes on without that peer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cases import CHUNK_DELAY_MS, Case, aimock_fixtures, mocktopus_config
from servers import Server

PEERS = Path(__file__).resolve().parent / ".peers"
MOCKTOPUS = "mocktopus==0.2.0"
AIMOCK = "@copilotkit/aimock@1.43.0"
AIMOCK_CHUNK_CHARS = 7
INSTALL_TIMEOUT_S = 300


@dataclass(frozen=True)
class Peer:
    """An installed peer: makes the server answering a case from a config written in ``folder``."""

    name: str
    server_for: Callable[[Case, Path], Server]


def _marker(folder: Path, spec: str) -> Path:
    return folder / (".installed-" + spec.replace("/", "_").replace("@", "_"))


def _install(folder: Path, spec: str, steps: list[list[str]]) -> str | None:
    """Runs the steps unless ``spec`` is installed already; the reason it failed, or None."""
    if _marker(folder, spec).exists():
        return None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for step in steps:
        try:
            done = subprocess.run(step, cwd=folder, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{' '.join(step[:3])}` failed: {exc}"
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            return f"`{' '.join(step[:3])}` exited {done.returncode}: {last[0][:160]}"
    _marker(folder, spec).touch()
    return None


def mocktopus() -> Peer | str:
    """mocktopus in its own venv; its ``serve`` is aiohttp with a YAML scenario."""
    folder = PEERS / "mocktopus"
    python = folder / "venv" / "bin" / "python"
    failed = _install(
        folder,
        MOCKTOPUS,
        [
            [sys.executable, "-m", "venv", "venv"],
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", MOCKTOPUS],
        ],
    )
    if failed:
        return failed
    script = str(folder / "venv" / "bin" / "mocktopus")

    def server_for(case: Case, where: Path) -> Server:
        config = str(mocktopus_config(case, where))
        return Server(
            "mocktopus",
            lambda port: [script, "serve", "-s", config, "-p", str(port)],
            chat_path="/v1/chat/completions",
            health_path="/health",
        )

    return Peer("mocktopus", server_for)


def aimock() -> Peer | str:
    """aimock's ``llmock`` server (Node) with a fixture file, 20 ms between SSE chunks."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "node and npm are not installed"
    folder = PEERS / "aimock"
    failed = _install(
        folder, AIMOCK, [[npm, "init", "-y"], [npm, "install", "--no-audit", "--no-fund", AIMOCK]]
    )
    if failed:
        return failed
    cli = str(folder / "node_modules" / "@copilotkit" / "aimock" / "dist" / "cli.js")

    def server_for(case: Case, where: Path) -> Server:
        fixtures = str(aimock_fixtures(case, where))
        return Server(
            "aimock",
            lambda port: [
                node,
                cli,
                "-p",
                str(port),
                "-f",
                fixtures,
                "--log-level",
                "silent",
                "-l",
                str(CHUNK_DELAY_MS),
                "-c",
                str(AIMOCK_CHUNK_CHARS),
            ],
            chat_path="/v1/chat/completions",
            health_path="/health",
        )

    return Peer("aimock", server_for)


def install_all() -> dict[str, Peer | str]:
    """Every peer by name: installed, or the reason it is not."""
    return {"mocktopus": mocktopus(), "aimock": aimock()}
