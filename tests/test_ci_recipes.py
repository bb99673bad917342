"""The docs' GitHub Actions recipes (``yaml github-actions`` blocks), run step by step as written.

Each ``run:`` script runs in order under ``bash -eo pipefail`` with the workflow's and the step's
``env``; ``if: failure()`` steps run only after a failure. ``uses:`` steps (checkout, setup-python)
and steps that only ``pip install`` are what this environment already has. Without a Docker daemon a
stand-in ``docker`` (tests/data/fake_docker.py) runs the Dockerfile's ENTRYPOINT as a process. Port
8790 becomes a free port, so a server left running on 8790 changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .test_docs import ALL, ROOT, Block

RECIPES = [b for b in ALL if b.language == "yaml" and "github-actions" in b.tags]
KNOWN_ACTIONS = {"actions/checkout", "actions/setup-python"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stand_in_docker(folder: Path) -> None:
    folder.mkdir()
    script = folder / "docker"
    script.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "tests" / "data" / "fake_docker.py"}" "$@"\n'
    )
    script.chmod(0o755)


def test_there_are_both_recipes() -> None:
    texts = [r.code for r in RECIPES]
    assert any("mockpinme wait" in t and "pip install" in t for t in texts)
    assert any("docker build" in t and "docker run" in t for t in texts)


@pytest.mark.parametrize("block", RECIPES, ids=str)
def test_recipe_runs_as_written(block: Block, tmp_path: Path) -> None:
    workflow = yaml.safe_load(block.code.replace("8790", str(_free_port())))
    (job,) = workflow["jobs"].values()
    state, workspace = tmp_path / "docker-state", tmp_path / "workspace"
    state.mkdir()
    workspace.mkdir()
    _stand_in_docker(tmp_path / "bin")
    path = os.pathsep.join([str(tmp_path / "bin"), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKPINME_")}
    env.update({**workflow.get("env", {}), **job.get("env", {}), "PATH": path})
    env.update(
        {"MOCKPINME_SOURCE": str(ROOT), "FAKE_DOCKER_STATE": str(state), "FAKE_DOCKER_ROOT": str(ROOT)}
    )
    groups: list[int] = []
    ran: list[str] = []
    failed: str | None = None
    try:
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].split("@")[0] in KNOWN_ACTIONS, step
                continue
            if step.get("if") == "failure()" and failed is None:
                continue
            script = step["run"]
            if all(line.strip().startswith("pip install") for line in script.strip().splitlines()):
                continue
            process = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=workspace,
                env={**env, **step.get("env", {})},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            groups.append(process.pid)
            output, _ = process.communicate(timeout=120)
            ran.append(step.get("name", script))
            if process.returncode != 0 and failed is None:
                failed = f"{step.get('name')}: exit {process.returncode}\n{output}"
            elif step.get("if") == "failure()":
                failed = f"{failed}\n{step.get('name')}:\n{output}"
    finally:
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
        for pid_file in state.glob("*.pid"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
    assert failed is None, failed
    assert "Tests against it" in ran
