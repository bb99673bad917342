"""YAML text to plain values that remember where each key and item stood."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Key = str | int
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    def __init__(self, file: str) -> None:
        self.file = file
        self.scalars = SafeConstructor()
        self.duplicates: list[tuple[Mark, str]] = []

    def build(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            items = marked_list([self.build(item) for item in node.value], _mark(self.file, node))
            items.marks = {i: _mark(self.file, item) for i, item in enumerate(node.value)}
            return items
        assert isinstance(node, ScalarNode)
        construct = self.scalars.yaml_constructors.get(node.tag)
        return construct(self.scalars, node) if construct else self.scalars.construct_object(node)

    def mapping(self, node: MappingNode) -> MarkedDict:
        self.scalars.flatten_mapping(node)
        result = marked_dict({}, _mark(self.file, node))
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                self.duplicates.append((_mark(self.file, key_node), f"duplicate key '{key}'"))
                continue
            result[key] = self.build(value_node)
            result.marks[key] = _mark(self.file, key_node)
        return result


def parse_yaml(text: str, file: str) -> MarkedDict:
    """Parse one YAML document whose top is a mapping; an empty document is an empty mapping."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
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
        result = builder.mapping(node)
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
