"""Find, read, extend and validate scenarios; every problem is reported at once, with its place."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog_file import resolve_catalog
from .convert import Converter, Problem
from .model import Scenario
from .source import (
    Mark,
    MarkedDict,
    SourceError,
    decode_utf8,
    marked_dict,
    merge,
    parse_yaml,
    read_bytes,
)

if TYPE_CHECKING:
    from .access import Access

ScenarioSource = str | Path | Mapping[str, Any] | Scenario


class ScenarioError(Exception):
    """A scenario that cannot be used; ``problems`` lists every reason, each with file, line and key."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def builtin_dir() -> Path:
    """Where the built-in scenarios live: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "scenarios"
    return packaged if packaged.is_dir() else package.parent / "scenarios"


@dataclass(frozen=True)
class BuiltinInfo:
    """A built-in scenario's name and one-line description."""

    name: str
    description: str
    path: Path


def builtins() -> list[BuiltinInfo]:
    """Every built-in scenario, by name."""
    found = []
    for path in sorted(builtin_dir().glob("*.yaml")):
        raw = parse_yaml(decode_utf8(read_bytes(path), str(path)), str(path))
        found.append(BuiltinInfo(path.stem, str(raw.get("description", "")).strip(), path))
    return found


def is_path(reference: str) -> bool:
    """Does a scenario reference name a file (rather than a built-in)?"""
    return reference.endswith((".yaml", ".yml")) or "/" in reference or "\\" in reference


def unknown_builtin(name: str) -> str:
    """The message for a built-in name that does not exist, with the closest names."""
    names = [b.name for b in builtins()]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"no built-in scenario '{name}'{hint}; built-in scenarios: {', '.join(names)}"


def resolve(reference: str, relative_to: Path | None = None) -> Path:
    """A scenario reference as a file: a path (relative to the file that names it), or a built-in name."""
    if is_path(reference):
        path = Path(reference)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        return path
    return builtin_dir() / f"{reference}.yaml"


def locate(reference: str, relative_to: Path | None = None) -> Path:
    """Like :func:`resolve`; an unknown built-in name is a :class:`ScenarioError` naming close ones."""
    path = resolve(reference, relative_to)
    if not is_path(reference) and not path.is_file():
        raise ScenarioError([Problem(None, (), unknown_builtin(reference))])
    return path


def _source_problems(exc: SourceError) -> list[Problem]:
    return [Problem(mark, (), message) for mark, message in exc.found]


def _read(path: Path, access: Access | None = None, reference: str | None = None) -> MarkedDict:
    shown = str(path) if access is None or reference is None else repr(reference)
    if access is not None and not access.permits(path):
        raise ScenarioError(
            [
                Problem(
                    None,
                    (),
                    f"{shown} is refused: not a built-in scenario or a file under a --scenarios-dir folder",
                )
            ]
        )
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        names = ", ".join(b.name for b in builtins())
        raise ScenarioError(
            [Problem(None, (), f"no scenario file {shown} (built-in scenarios: {names})")]
        ) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(None, (), f"{shown} is a folder, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(None, (), f"cannot read {shown}: {exc.strerror}")]) from None
    except ValueError as exc:
        raise ScenarioError([Problem(None, (), f"cannot read {shown}: {exc}")]) from None
    try:
        raw = parse_yaml(decode_utf8(data, str(path)), str(path))
    except SourceError as exc:
        raise ScenarioError(_source_problems(exc)) from None
    if not raw:
        raise ScenarioError([Problem(raw.mark, (), EMPTY)])
    return raw


EMPTY = "the scenario is empty: give at least one key (the smallest scenario is `extends: default`)"


def _anchor_catalog(raw: MarkedDict, here: Path | None) -> None:
    """A ``models.catalog`` file is relative to the scenario file that names it."""
    models = raw.get("models")
    if not isinstance(models, dict):
        return
    catalog = models.get("catalog")
    if here is not None and isinstance(catalog, str) and catalog not in ("openrouter", "none"):
        models["catalog"] = str(here / catalog)


def _with_extends(
    raw: MarkedDict, here: Path | None, seen: tuple[Path, ...], access: Access | None = None
) -> MarkedDict:
    _anchor_catalog(raw, here)
    parent_ref = raw.get("extends")
    if parent_ref is None:
        return raw
    mark = raw.marks.get("extends", raw.mark)
    if not isinstance(parent_ref, str):
        raise ScenarioError([Problem(mark, ("extends",), "expected a built-in name or a relative path")])
    try:
        parent_path = locate(parent_ref, here).resolve()
    except ScenarioError as exc:
        raise ScenarioError([Problem(mark, ("extends",), exc.problems[0].message)]) from None
    if parent_path in seen:
        chain = " -> ".join(str(p) for p in (*seen, parent_path))
        raise ScenarioError([Problem(mark, ("extends",), f"extends itself: {chain}")])
    try:
        parent = _with_extends(
            _read(parent_path, access, parent_ref), parent_path.parent, (*seen, parent_path), access
        )
    except ScenarioError as exc:
        if exc.problems and exc.problems[0].mark is None:
            raise ScenarioError([Problem(mark, ("extends",), exc.problems[0].message)]) from None
        raise
    inherited = {k: v for k, v in parent.items() if k not in ("name", "description", "extends")}
    base = marked_dict(inherited, parent.mark)
    base.marks = {k: m for k, m in parent.marks.items() if k in inherited}
    merged = merge(base, raw)
    assert isinstance(merged, MarkedDict)
    return merged


def _rules_inherit_stream(raw: MarkedDict) -> None:
    """A rule's ``respond.stream`` overrides the scenario's ``stream`` key by key."""
    default = raw.get("stream")
    rules = raw.get("rules")
    if not isinstance(rules, list):
        return
    base = default if isinstance(default, dict) else {}
    for rule in rules:
        respond = rule.get("respond") if isinstance(rule, dict) else None
        for answer in respond if isinstance(respond, list) else [respond]:
            if isinstance(answer, dict) and isinstance(answer.get("stream"), dict):
                answer["stream"] = merge(marked_dict(dict(base)), answer["stream"])


def _iter_problems_sorted(problems: list[Problem]) -> Iterator[Problem]:
    def key(p: Problem) -> tuple[str, int, int]:
        return (p.mark.file, p.mark.line, p.mark.column) if p.mark else ("", 0, 0)

    yield from sorted(problems, key=key)


def build(
    raw: MarkedDict, here: Path | None, seen: tuple[Path, ...] = (), access: Access | None = None
) -> Scenario:
    """Validate marked values (after ``extends``) into a :class:`Scenario`; with ``access``, only
    the files it permits are read."""
    raw = _with_extends(raw, here, seen, access)
    _rules_inherit_stream(raw)
    catalog_problems = resolve_catalog(raw, access)
    converter = Converter()
    scenario = converter.convert(Scenario, raw, (), raw.mark)
    if converter.problems or catalog_problems:
        raise ScenarioError(list(_iter_problems_sorted([*catalog_problems, *converter.problems])))
    assert isinstance(scenario, Scenario)
    return scenario


def load_file(path: Path, access: Access | None = None, reference: str | None = None) -> Scenario:
    """Load and validate one scenario file; ``name`` defaults to the file's stem."""
    path = path.resolve()
    raw = _read(path, access, reference)
    if "name" not in raw:
        raw["name"] = path.stem
    return build(raw, path.parent, (path,), access)


def load_scenario(
    source: ScenarioSource, *, relative_to: Path | None = None, access: Access | None = None
) -> Scenario:
    """A scenario from a built-in name, a file path, a mapping (inline YAML data) or a Scenario;
    with ``access``, files (the scenario's own and those it extends) only where it permits."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        raw = marked_dict(dict(source), Mark("<inline>", 1, 1))
        raw.setdefault("name", "inline")
        return build(raw, relative_to, access=access)
    return load_file(locate(str(source), relative_to), access, str(source))


def load_text(
    text: str, file: str = "<inline>", *, relative_to: Path | None = None, access: Access | None = None
) -> Scenario:
    """A scenario from YAML (or JSON) text."""
    try:
        raw = parse_yaml(text, file)
    except SourceError as exc:
        raise ScenarioError(_source_problems(exc)) from None
    if not raw:
        raise ScenarioError([Problem(raw.mark, (), EMPTY)])
    raw.setdefault("name", "inline")
    return build(raw, relative_to, access=access)


def scenario_files(path: Path) -> list[Path]:
    """The file and every file it extends, in order (for watching); stops at the first unreadable."""
    files: list[Path] = []
    current: Path | None = path.resolve()
    while current is not None and current not in files:
        files.append(current)
        try:
            parent = parse_yaml(decode_utf8(read_bytes(current), str(current)), str(current)).get("extends")
        except (OSError, ValueError, SourceError):
            break
        current = resolve(parent, current.parent).resolve() if isinstance(parent, str) else None
    return files
