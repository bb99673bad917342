"""The release: wheel and sdist carry the built-in scenarios and the schema; the wheel installs
into a fresh virtual environment and serves from there."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import httpx

from .console import run_block
from .test_docs import ALL

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_and_sdist_install_and_serve(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    names = zipfile.ZipFile(wheel).namelist()
    scenarios = {Path(n).stem for n in names if n.startswith("mockpinme/scenarios/") and n.endswith(".yaml")}
    assert {p.stem for p in (ROOT / "scenarios").glob("*.yaml")} == scenarios
    assert "mockpinme/schema/scenario.schema.json" in names
    assert "mockpinme/data/openrouter_models.json.gz" in names
    assert "mockpinme/py.typed" in names
    assert {"index.html", "inspector.js", "chart.js", "inspector.css"} <= {
        Path(n).name for n in names if n.startswith("mockpinme/inspector/")
    }
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(m.endswith("scenarios/low-balance.yaml") for m in members)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", str(wheel)], check=True, capture_output=True, timeout=600
    )
    server = subprocess.Popen(
        [str(bin_dir / "mockpinme"), "serve", "--port", "0", "--scenario", "low-balance"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[3]
        response = httpx.post(
            f"{url}/api/v1/chat/completions?project_name=demo",
            headers={"X-API-Key": "k"},
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
        )
        assert response.status_code == 403
        assert response.json()["data"]["error"].startswith("Insufficient balance")
        version = subprocess.run([str(bin_dir / "mockpinme"), "--version"], capture_output=True, text=True)
        assert version.stdout.startswith("mockpinme ")
    finally:
        server.terminate()
        server.wait(timeout=5)
    readme_first_screen_runs_in(bin_dir, tmp_path)


def readme_first_screen_runs_in(bin_dir: Path, tmp_path: Path) -> None:
    """The README's ``first-screen`` console blocks, run with only the fresh venv's commands."""
    first = [b for b in ALL if b.file.name == "README.md" and "first-screen" in b.tags]
    assert len(first) >= 3
    servers: dict[str, tuple[subprocess.Popen[str], str]] = {}
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"

    def host_for(scenario: str) -> str:
        if scenario not in servers:
            process = subprocess.Popen(
                [str(bin_dir / "mockpinme"), "serve", "--port", "0", "--scenario", scenario],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert process.stdout is not None
            servers[scenario] = (process, process.stdout.readline().split()[3].removeprefix("http://"))
        return servers[scenario][1]

    try:
        for block in first:
            run_block(block.code, lambda b=block: host_for(b.scenario), tmp_path, path, str(block))
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=5)
