"""The inspector page in Debian's Chromium (tests/browser/inspector.test.mjs, through playwright-core)
against a real server: live list, request detail, stream timeline, scenario switching, keyboard,
outbox. Screenshots land in tests/browser/screenshots/."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import ServerFactory
from .node_sdk import npm_installed

BROWSER_DIR = Path(__file__).parent / "browser"
CHROMIUM = Path("/usr/bin/chromium")


def test_the_inspector_in_chromium(start_server: ServerFactory) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing (.ci/run installs it)")
        pytest.skip("the browser test needs Debian's chromium: apt-get install chromium")
    server = start_server(speed=5)
    result = subprocess.run(
        ["node", "--test", "--test-concurrency=1", "inspector.test.mjs"],
        cwd=npm_installed(BROWSER_DIR),
        env={**os.environ, "MOCKPINME_URL": server.base_url, "CHROMIUM": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert "# fail 0" in result.stdout
    assert "# pass 7" in result.stdout, result.stdout[-2000:]
