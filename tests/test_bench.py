"""The benchmark still runs end to end (a short run; its speed is not judged here, only that every
measurement is taken and every stream completes)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"
ROWS = [
    "chat JSON, default",
    "chat JSON, rule-and-added-model",
    "streams completed",
    "stream gap error p99",
    "stream gap error p50",
    "stream TTFB p50",
    "server CPU per chunk",
    "spawn -> first 200",
    "instructions per request, rule-and-added-model",
    "idle RSS",
    "RSS per open stream",
    "import mockpinme",
    "fixture: first server start",
    "fixture: per-test reset",
    "--speed 0",
    "1,000 rules: load",
    "1,000 rules: match the last",
]


def test_quick_benchmark_measures_everything() -> None:
    for tool, package in (("wrk", "wrk"), ("valgrind", "valgrind")):
        if shutil.which(tool) is None:
            if os.environ.get("CI"):
                pytest.fail(f"the benchmark needs {tool} under CI: apt-get install {package}")
            pytest.skip(f"the benchmark needs {tool}: apt-get install {package}")
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--streams", "40"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr
    table = [line.strip("| ").split(" | ") for line in run.stdout.splitlines() if line.startswith("| ")]
    rows = {cells[0]: cells[1:] for cells in table if len(cells) == 5}
    for name in ROWS:
        found = [cells for label, cells in rows.items() if name in label]
        assert found, f"no row for {name!r} in:\n{run.stdout}"
        assert re.match(r"[\d.,e+]+", found[0][0]), found
    completed = next(cells for label, cells in rows.items() if "streams completed" in label)
    assert completed[0].split()[0] == "40" and completed[1].split()[0] == "40", completed
    wide = [cells for cells in table if len(cells) == 6]
    for server in ("bare aiohttp", "mockpinme"):
        peers = [cells for cells in wide if cells[0] == server and cells[1].endswith(")")]
        assert peers and all(re.match(r"[\d.]+x \(", cell) for cell in peers[0][1:3]), peers
        assert re.match(r"[\d.]+ s", peers[0][3]) and peers[0][4].startswith("+"), peers
        counted = [cells for cells in wide if cells[0] == server and "N=" in cells[1]]
        assert counted and re.match(r"[\d,]+", counted[0][4]), f"no instruction count for {server}"
