"""The Dockerfile: linted, and its own ENTRYPOINT, CMD and HEALTHCHECK run outside Docker."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def instruction(name: str) -> str:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = re.search(rf"^{name}\s+(.+)$", text, re.MULTILINE)
    assert found, name
    return found.group(1).strip()


def exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list) and all(isinstance(p, str) for p in parsed), value
    return parsed


def healthcheck() -> list[str]:
    value = instruction("HEALTHCHECK")
    return exec_form(value[value.index("CMD") + 3 :].strip())


def test_hadolint_finds_no_warnings() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_settings() -> None:
    assert instruction("FROM").startswith("python:3.11-slim")
    assert instruction("USER") != "root"
    assert instruction("EXPOSE") == "8790"
    assert "PYTHONUNBUFFERED=1" in instruction("ENV")
    assert exec_form(instruction("VOLUME")) == ["/scenarios"]
    assert exec_form(instruction("ENTRYPOINT"))[:3] == ["mockpinme", "serve", "--host"]


def test_entrypoint_and_healthcheck_run_outside_docker(tmp_path: Path) -> None:
    command = exec_form(instruction("ENTRYPOINT")) + exec_form(instruction("CMD"))
    assert "0.0.0.0" in command
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    probe = healthcheck()
    assert probe[0] == "python"
    probe[0] = sys.executable
    assert subprocess.run(probe, env=env, capture_output=True, timeout=10).returncode != 0
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if "listening" not in line:
            pytest.fail(
                f"the image's command did not start: {line} {server.stderr.read() if server.stderr else ''}"
            )
        assert line.startswith("mockpinme listening on http://0.0.0.0:8790")
        deadline = time.monotonic() + 5
        while subprocess.run(probe, env=env, capture_output=True, timeout=10).returncode != 0:
            assert time.monotonic() < deadline, "HEALTHCHECK never passed"
            time.sleep(0.1)
        chat = httpx.post(
            "http://127.0.0.1:8790/api/v1/chat/completions?project_name=p",
            headers={"X-API-Key": "k"},
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert chat.status_code == 200
        assert httpx.post("http://127.0.0.1:8790/__mockpinme/reset").status_code == 403
    finally:
        server.terminate()
        server.wait(timeout=5)
