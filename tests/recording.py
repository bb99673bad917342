"""Processes for the recorder's tests: a mockpinme ``serve`` as the real service, ``record`` in
front of it, and ``serve`` again on what was written. Each is stopped by its own id."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from .conftest import KEY, PROJECT

DATA = Path(__file__).parent / "data" / "record"
UPSTREAM = DATA / "upstream.yaml"
_URL = re.compile(r"(http://127\.0\.0\.1:\d+)")


@dataclass
class Process:
    """A mockpinme process and the URL its first line printed."""

    popen: subprocess.Popen[str]
    url: str
    line: str

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """Signal it, wait, and return its stderr."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            _, err = self.popen.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            _, err = self.popen.communicate()
        return err


class Processes:
    """Starts mockpinme commands; the fixture stops every one left running."""

    def __init__(self) -> None:
        self.started: list[Process] = []

    def start(self, *args: str, env: dict[str, str] | None = None) -> Process:
        popen = subprocess.Popen(
            [sys.executable, "-m", "mockpinme", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert popen.stdout is not None
        line = popen.stdout.readline().rstrip("\n")
        found = _URL.search(line)
        if found is None:
            popen.kill()
            raise AssertionError(f"no URL in {line!r}: {popen.communicate()[1]}")
        process = Process(popen, found.group(1), line)
        self.started.append(process)
        return process

    def upstream(self, speed: str = "0", scenario: Path = UPSTREAM) -> Process:
        return self.start("serve", "--port", "0", "--speed", speed, "--scenario", str(scenario))

    def recorder(
        self, upstream: Process, out: Path, *extra: str, env: dict[str, str] | None = None
    ) -> Process:
        return self.start(
            "record", "--port", "0", "--upstream", upstream.url, "--out", str(out), *extra, env=env
        )

    def replay(self, scenario: Path, speed: str = "0") -> Process:
        return self.start("serve", "--port", "0", "--speed", speed, "--scenario", str(scenario))

    def close(self) -> None:
        for process in self.started:
            if process.popen.poll() is None:
                process.popen.kill()
                process.popen.communicate()


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes()
    yield started
    started.close()


def client(process: Process, key: str = KEY, **options: object) -> openai.OpenAI:
    """The openai SDK pointed at a process the way PinMe needs."""
    return openai.OpenAI(
        base_url=f"{process.url}/api/v1",
        api_key="unused",
        default_headers={"X-API-Key": key},
        default_query={"project_name": PROJECT},
        max_retries=0,
        **options,  # type: ignore[arg-type]
    )
