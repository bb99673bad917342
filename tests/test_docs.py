"""Every code block of the README and docs/ runs (or is checked) here, as written.

A block's info string says how: ``yaml scenario`` loads as a scenario, other ``yaml`` parses;
``python pytest`` runs as a test file with the plugin; ``python`` and ``js`` run as programs and
``sh`` as a shell script, against a real server whose address replaces ``127.0.0.1:8790`` (its
scenario: ``scenario=NAME`` in the info string, else ``default``). ``console`` blocks show
``$ command`` lines and what each prints, checked line by line (tests/console.py). A ``text output``
block right after a ``python`` or ``js`` block is what that program prints. JavaScript defines its
own ``BASE_URL``, ``API_KEY`` and ``PROJECT``, as a reader must. ``no-run`` marks the few commands
covered by other tests (installing, Docker), and blocks without a language (layouts) are prose.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from mockpinme import MockPinme, load_scenario
from mockpinme.scenario import load_text

from .console import agrees, run_block
from .node_sdk import NODE_DIR, npm_installed

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
NO_RUN_ALLOWED = ("pip install", "docker ", "git clone ", "cd ", "python3 -m venv ", ". .venv/bin/activate")
PROSE_LANGUAGES = {"", "ini", "text"}


@dataclass(frozen=True)
class Block:
    file: Path
    line: int
    language: str
    tags: tuple[str, ...]
    code: str

    @property
    def scenario(self) -> str:
        return next((t.split("=", 1)[1] for t in self.tags if t.startswith("scenario=")), "default")

    def __str__(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"


def blocks() -> Iterator[Block]:
    for file in FILES:
        text = file.read_text()
        for found in FENCE.finditer(text):
            language, *tags = found.group(1).split() or [""]
            line = text.count("\n", 0, found.start()) + 1
            yield Block(file, line, language if language else "", tuple(tags), found.group(2))


ALL = list(blocks())


def _ids(block: Block) -> str:
    return str(block)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, MockPinme]]:
    started: dict[str, MockPinme] = {}
    yield started
    for server in started.values():
        server.stop()


def address(servers: dict[str, MockPinme], block: Block) -> str:
    """A server on the block's scenario, as it starts (an earlier block may have switched or used it)."""
    if block.scenario not in servers:
        servers[block.scenario] = MockPinme(block.scenario, speed=0)
        servers[block.scenario].start()
    server = servers[block.scenario]
    server.use(block.scenario)
    server.clear()
    return f"127.0.0.1:{server.port}"


def localised(block: Block, host: str) -> str:
    return block.code.replace("127.0.0.1:8790", host).replace("localhost:8790", host)


def run(command: list[str], **options: object) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **options)  # type: ignore[call-overload]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return str(result.stdout)


def shown_output(block: Block) -> Block | None:
    """The ``text output`` block that directly follows ``block`` in its file, if any."""
    index = ALL.index(block)
    after = ALL[index + 1] if index + 1 < len(ALL) else None
    if after is None or after.file != block.file or after.language != "text" or "output" not in after.tags:
        return None
    between = block.file.read_text().splitlines()[block.line + block.code.count("\n") + 1 : after.line - 1]
    return after if all(not line.strip() for line in between) else None


def check_output(block: Block, printed: str, host: str) -> None:
    output = shown_output(block)
    if output is not None:
        shown = tuple(output.code.splitlines())
        assert agrees(shown, printed, host), f"{block}: shown:\n{output.code}printed:\n{printed}"


def test_every_block_has_a_known_kind() -> None:
    kinds = {b.language for b in ALL}
    assert kinds <= {"python", "js", "sh", "console", "yaml", *PROSE_LANGUAGES}, kinds
    assert len([b for b in ALL if b.language in ("python", "js", "sh")]) >= 10


@pytest.mark.parametrize("block", [b for b in ALL if b.language == "yaml"], ids=_ids)
def test_yaml_block(block: Block) -> None:
    if "scenario" in block.tags:
        scenario = load_text(block.code, str(block), relative_to=ROOT / "scenarios")
        assert scenario.name
    else:
        assert yaml.safe_load(block.code) is not None


@pytest.mark.parametrize("block", [b for b in ALL if b.language == "python"], ids=_ids)
def test_python_block(block: Block, servers: dict[str, MockPinme], tmp_path: Path) -> None:
    if "pytest" in block.tags:
        test_file = tmp_path / "test_from_docs.py"
        test_file.write_text(block.code)
        run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)], cwd=tmp_path)
    else:
        host = address(servers, block)
        check_output(block, run([sys.executable, "-c", localised(block, host)], cwd=tmp_path), host)


@pytest.mark.parametrize("block", [b for b in ALL if b.language == "js"], ids=_ids)
def test_js_block(block: Block, servers: dict[str, MockPinme]) -> None:
    host = address(servers, block)
    for name in ("BASE_URL", "API_KEY", "PROJECT"):
        if re.search(rf"\b{name}\b", block.code):
            assert re.search(rf"^const {name} = ", block.code, re.MULTILINE), f"{block}: define {name}"
    printed = run(["node", "--input-type=module", "-e", localised(block, host)], cwd=npm_installed(NODE_DIR))
    check_output(block, printed, host)


@pytest.mark.parametrize("block", [b for b in ALL if b.language == "sh"], ids=_ids)
def test_shell_block(block: Block, servers: dict[str, MockPinme], tmp_path: Path) -> None:
    if "no-run" in block.tags:
        commands = [line for line in block.code.splitlines() if line.strip() and not line.startswith(" ")]
        assert all(c.startswith(NO_RUN_ALLOWED) for c in commands), f"{block}: only install and Docker skip"
        return
    script = "set -euo pipefail\n" + localised(block, address(servers, block))
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    run(["bash", "-c", script], cwd=tmp_path, env={**os.environ, "PATH": path})


@pytest.mark.parametrize("block", [b for b in ALL if b.language == "console"], ids=_ids)
def test_console_block(block: Block, servers: dict[str, MockPinme], tmp_path: Path) -> None:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    run_block(block.code, lambda: address(servers, block), tmp_path, path, str(block))


def test_every_output_block_follows_a_program() -> None:
    for block in ALL:
        if "output" in block.tags:
            index = ALL.index(block)
            assert index and shown_output(ALL[index - 1]) is block, f"{block}: output of what?"


def test_the_docs_cite_only_what_a_clone_has() -> None:
    for file in FILES:
        assert "shared/reference" not in file.read_text(), file


def test_the_builtin_scenarios_table_lists_every_builtin() -> None:
    readme = (ROOT / "README.md").read_text()
    for path in (ROOT / "scenarios").glob("*.yaml"):
        assert f"| `{path.stem}` |" in readme, path.stem
        load_scenario(path.stem)


def test_the_error_catalogue_is_documented_entry_by_entry() -> None:
    from mockpinme.openrouter.errors import CATALOGUE

    text = (ROOT / "docs" / "errors.md").read_text()
    for name, spec in CATALOGUE.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, name
        assert f"| {spec.status} |" in row and spec.message.replace("|", "\\|") in row, row
