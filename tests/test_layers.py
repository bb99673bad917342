"""The package's shape: layers import only downward, modules stay small, the chat handler short."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from mockpinme.http import chat

PACKAGE = Path(__file__).resolve().parents[1] / "mockpinme"
LAYERS = ["template", "openrouter", "scenario", "engine", "http", "top"]
BASE = {"_version", "template"}


def layer_of(module: str) -> int:
    """The layer of ``mockpinme.x.y`` (``x`` a sub-package, or a top-level module)."""
    first = module.split(".")[1] if "." in module else ""
    if first in BASE:
        return 0
    return LAYERS.index(first) if first in LAYERS else LAYERS.index("top")


def imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every mockpinme module that ``path`` imports."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = parts if path.name == "__init__.py" else parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            found += [(node.lineno, name) for name in names if name.startswith("mockpinme")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("mockpinme")]
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_layers_import_only_downward() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        for line, target in imports(path):
            if layer_of(target) > layer_of(here):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {here} imports {target}")
    assert not upward, "\n".join(upward)


def test_the_layer_test_sees_an_upward_import(tmp_path: Path) -> None:
    assert layer_of("mockpinme.http.app") > layer_of("mockpinme.engine.answer")
    assert layer_of("mockpinme.engine.answer") > layer_of("mockpinme.scenario.model")
    assert layer_of("mockpinme.scenario.model") > layer_of("mockpinme.openrouter.plan")
    assert layer_of("mockpinme.openrouter.plan") > layer_of("mockpinme.template")
    assert layer_of("mockpinme.harness") > layer_of("mockpinme.http.app")
    found = imports(PACKAGE / "engine" / "answer.py")
    assert (layer_of("mockpinme.engine.answer"), "mockpinme.engine.gate") in {
        (layer_of("mockpinme.engine.answer"), name) for _, name in found
    }


def test_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long


def test_the_chat_handler_reads_answers_and_writes_in_at_most_30_lines() -> None:
    assert len(inspect.getsource(chat.chat_completions).splitlines()) <= 30
