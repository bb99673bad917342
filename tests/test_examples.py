"""The examples' own suites: the PinMe Worker on the Workers runtime (miniflare) and the browser
front end in Debian's Chromium, each against real mockpinme processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .node_sdk import npm_installed

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHROMIUM = Path("/usr/bin/chromium")


def mockpinme_command() -> str:
    return shutil.which("mockpinme") or str(Path(sys.executable).parent / "mockpinme")


def run_npm_suite(folder: Path) -> None:
    result = subprocess.run(
        ["npm", "test"],
        cwd=npm_installed(folder),
        env={**os.environ, "MOCKPINME": mockpinme_command()},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert "# fail 0" in result.stdout


def test_worker_on_the_workers_runtime() -> None:
    run_npm_suite(EXAMPLES / "worker")


def test_front_end_in_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing (.ci/run installs it)")
        pytest.skip("the browser test needs Debian's chromium: apt-get install chromium")
    npm_installed(EXAMPLES / "worker")
    run_npm_suite(EXAMPLES / "frontend")
