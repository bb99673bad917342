"""YAML text to plain values that remember where each key and item stood."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Key = str | int
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ALIAS_LIMIT = 10_000
"""Values an alias may add by repeating what its anchor holds, in all (a scenario expanding past it
is refused: a few hundred bytes of nested aliases would otherwise stand for billions of values)."""
DEPTH_LIMIT = 100
"""How deep mappings and lists may nest."""
MAX_FILE_BYTES = 4 << 20
"""The largest scenario (or catalog) file read, and inline YAML accepted."""


@dataclass(frozen=True)
class Mark:
    """A place in a file, 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class MarkedDict(dict[str, Any]):
    """A mapping with the mark of itself and of each of its keys."""

    mark: Mark | None
    marks: dict[Key, Mark]


class MarkedList(list[Any]):
    """A sequence with the mark of itself and of each of its items."""

    mark: Mark | None
    marks: dict[Key, Mark]


class SourceError(Exception):
    """The text is not YAML, or not a mapping at the top; ``found`` lists every (mark, message)."""

    def __init__(self, mark: Mark, message: str, more: tuple[tuple[Mark, str], ...] = ()) -> None:
        super().__init__(f"{mark}: {message}")
        self.place = mark
        self.message = message
        self.found = ((mark, message), *more)


def _mark(file: str, node: Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


def marked_dict(items: dict[str, Any], mark: Mark | None = None) -> MarkedDict:
    """Wrap a plain dict (no marks for its keys)."""
    result = MarkedDict(items)
    result.mark = mark
    result.marks = {}
    return result


def marked_list(items: list[Any], mark: Mark | None = None) -> MarkedList:
    """Wrap a plain list (no marks for its items)."""
    result = MarkedList(items)
    result.mark = mark
    result.marks = {}
    return result


class _Builder:
    """Marked values from composed nodes; an alias is the same node met again, so repeats are
    counted against ``ALIAS_LIMIT`` and a node met inside itself is refused."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.scalars = SafeConstructor()
        self.duplicates: list[tuple[Mark, str]] = []
        self.seen: set[int] = set()
        self.open: set[int] = set()
        self.repeats = 0

    def build(self, node: Node, depth: int = 0) -> Any:
        if isinstance(node, ScalarNode):
            construct = self.scalars.yaml_constructors.get(node.tag)
            return construct(self.scalars, node) if construct else self.scalars.construct_object(node)
        key = id(node)
        if key in self.open:
            raise SourceError(_mark(self.file, node), "an alias refers to the value that holds it")
        if depth > DEPTH_LIMIT:
            raise SourceError(_mark(self.file, node), f"nested deeper than {DEPTH_LIMIT} levels")
        if key in self.seen:
            self.repeats += len(node.value) + 1
            if self.repeats > ALIAS_LIMIT:
                raise SourceError(_mark(self.file, node), f"aliases expand past {ALIAS_LIMIT} values")
        self.seen.add(key)
        self.open.add(key)
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node, depth)
            assert isinstance(node, SequenceNode)
            items = marked_list([self.build(item, depth + 1) for item in node.value], _mark(self.file, node))
            items.marks = {i: _mark(self.file, item) for i, item in enumerate(node.value)}
            return items
        finally:
            self.open.discard(key)

    def mapping(self, node: MappingNode, depth: int = 0) -> MarkedDict:
        self.scalars.flatten_mapping(node)
        result = marked_dict({}, _mark(self.file, node))
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                self.duplicates.append((_mark(self.file, key_node), f"duplicate key '{key}'"))
                continue
            result[key] = self.build(value_node, depth + 1)
            result.marks[key] = _mark(self.file, key_node)
        return result


def read_bytes(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them; opening never waits (a FIFO, a device are
    refused, not read). Raises OSError, or ValueError saying why the file is refused."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit // (1 << 20)} MB")
    return data


def decode_utf8(data: bytes, file: str) -> str:
    """``data`` as UTF-8 text (a BOM dropped); raises SourceError at the first byte that is not."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise SourceError(
            Mark(file, line, column), f"not UTF-8 text (byte 0x{body[exc.start]:02x})"
        ) from None


def parse_yaml(text: str, file: str) -> MarkedDict:
    """Parse one YAML document whose top is a mapping; an empty document is an empty mapping."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        raise SourceError(Mark(file, line, column), "not valid Unicode text (a lone surrogate)") from None
    except yaml.MarkedYAMLError as exc:
        place = exc.problem_mark or exc.context_mark
        mark = Mark(file, place.line + 1, place.column + 1) if place else Mark(file, 1, 1)
        raise SourceError(mark, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise SourceError(Mark(file, 1, 1), f"not valid YAML: {exc}") from None
    if node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return marked_dict({}, Mark(file, 1, 1))
    if not isinstance(node, MappingNode):
        raise SourceError(_mark(file, node), "a scenario must be a mapping of keys")
    builder = _Builder(file)
    try:
        built = builder.build(node)
        assert isinstance(built, MarkedDict)
        result = built
    except RecursionError:
        raise SourceError(_mark(file, node), "a merge key (<<) refers to the mapping that holds it") from None
    except yaml.MarkedYAMLError as exc:
        place = exc.problem_mark
        mark = Mark(file, place.line + 1, place.column + 1) if place else Mark(file, 1, 1)
        raise SourceError(mark, f"not valid YAML: {exc.problem}") from None
    if builder.duplicates:
        (first, message), *more = builder.duplicates
        raise SourceError(first, message, tuple(more))
    return result


def merge(base: Any, override: Any) -> Any:
    """Overlay ``override`` on ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        result = marked_dict(dict(base), getattr(override, "mark", None))
        result.marks = {**getattr(base, "marks", {}), **getattr(override, "marks", {})}
        for key, value in override.items():
            result[key] = merge(base[key], value) if key in base else value
        return result
    return override
