"""The Worker example on the Workers runtime (miniflare) recorded through ``mockpinme record``, then
run against ``mockpinme serve`` of the written file: the same answers, routes and errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .node_sdk import npm_installed
from .recording import Process, Processes, processes

__all__ = ["processes"]

WORKER = Path(__file__).resolve().parents[1] / "examples" / "worker"
KEY = "pinme-worker-key-31d0e5"


def _worker(target: Process) -> dict[str, Any]:
    result = subprocess.run(
        ["node", "test/record.mjs"],
        cwd=WORKER,
        env={**os.environ, "BASE_URL": target.url, "API_KEY": KEY},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def test_the_worker_recorded_and_replayed(processes: Processes, tmp_path: Path) -> None:
    npm_installed(WORKER)
    subprocess.run(["npm", "run", "build", "--silent"], cwd=WORKER, check=True, timeout=300)
    upstream = processes.upstream()
    out = tmp_path / "worker.yaml"
    recorder = processes.recorder(upstream, out)
    recorded = _worker(recorder)
    recorder.stop()
    assert recorded["chat"]["answer"] and recorded["stream"]["content"] == recorded["chat"]["answer"]
    assert set(recorded["stream"]["finish"]) == {"stop"} and recorded["stream"]["done"]
    assert "](https://" in recorded["search"]["answer"], "the search answer cites its sources"
    assert recorded["failed"] == {"status": 502, "body": {"error": "acme/nope-1 is not a valid model ID"}}
    assert "openai/gpt-4o-mini" in recorded["models"]
    assert KEY not in out.read_text()

    replayed = _worker(processes.replay(out))
    assert replayed == recorded
