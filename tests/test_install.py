"""A non-editable install carries the built-in scenarios and the model catalog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def test_installed_package_serves_a_builtin_scenario(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    assert (target / "mockpinme" / "scenarios" / "low-balance.yaml").is_file()
    assert (target / "mockpinme" / "data" / "openrouter_models.json").is_file()
    env = {**os.environ, "PYTHONPATH": str(target)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockpinme", "serve", "--port", "0", "--scenario", "low-balance"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[3]
        where = subprocess.run(
            [sys.executable, "-c", "import mockpinme; print(mockpinme.__file__)"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert where.stdout.startswith(str(target))
        response = httpx.post(
            f"{url}/api/v1/chat/completions?project_name=demo",
            headers={"X-API-Key": "k"},
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
        )
        assert response.status_code == 403
        assert response.json()["data"]["error"].startswith("Insufficient balance")
    finally:
        process.terminate()
        process.wait(timeout=5)
