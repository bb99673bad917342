"""``console`` blocks of the docs: ``$ command`` lines (``\\`` continues one), each followed by what it
prints. In the shown output ``…`` stands for any text within a line, and a line of just ``…`` for
any number of lines. ``mockpinme serve`` runs in the background on a free port until its first line.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DOC_HOST = "127.0.0.1:8790"


@dataclass(frozen=True)
class Step:
    command: str
    shown: tuple[str, ...]


def steps(code: str) -> list[Step]:
    """The commands of a console block with the output shown under each."""
    found: list[Step] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ "), f"a console block starts each command with '$ ': {line!r}"
        command = [line[2:]]
        while command[-1].endswith("\\"):
            i += 1
            command.append(lines[i])
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        found.append(Step("\n".join(command), tuple(shown)))
    return found


def _pattern(shown: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for line in shown:
        if line == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("…")) + r"\n")
    return re.compile("".join(parts))


def _tidy(text: str, host: str) -> str:
    lines = [line.rstrip() for line in text.replace(host, DOC_HOST).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def agrees(shown: tuple[str, ...], printed: str, host: str) -> bool:
    """Does what a command printed (its host written back as the docs' one) match what is shown?"""
    trimmed = list(shown)
    while trimmed and not trimmed[-1].strip():
        trimmed.pop()
    return _pattern(tuple(trimmed)).fullmatch(_tidy(printed, host)) is not None


def run_block(code: str, host_for: Callable[[], str], cwd: Path, path: str, where: str) -> None:
    """Run every command of a console block against ``host_for()`` and check what each prints."""
    env = {**os.environ, "PATH": path}
    for step in steps(code):
        command = step.command.replace(DOC_HOST, host_for()) if DOC_HOST in step.command else step.command
        if step.command.startswith("mockpinme serve"):
            printed = _first_line_of_serve(command, cwd, env)
            host = re.sub(r".*http://([^ ]+) .*", r"\1", printed.strip())
        else:
            result = subprocess.run(
                ["bash", "-c", command],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=cwd,
                env=env,
            )
            assert result.returncode == 0, f"{where}: {step.command}\n{result.stdout}{result.stderr}"
            printed, host = result.stdout, host_for() if DOC_HOST in step.command else DOC_HOST
        assert agrees(step.shown, printed, host), (
            f"{where}: {step.command}\nshown:\n" + "\n".join(step.shown) + f"\nprinted:\n{printed}"
        )


def _first_line_of_serve(command: str, cwd: Path, env: dict[str, str]) -> str:
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command} --port 0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )
    try:
        assert process.stdout is not None
        return process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
