"""Marked YAML values to typed scenario dataclasses, collecting every problem with its place."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union

from .source import Key, Mark

Path = tuple[Key, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario, with where it is."""

    mark: Mark | None
    path: Path
    message: str

    def __str__(self) -> str:
        place = f"{self.mark}: " if self.mark else ""
        return f"{place}{format_path(self.path) or '(top)'}: {self.message}"


def format_path(path: Path) -> str:
    """``("rules", 2, "respond")`` as ``rules[2].respond``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


@cache
def _shape(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    return typing.get_origin(tp), typing.get_args(tp)


@cache
def _fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _describe(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (tuple, list):
        return "a list"
    if origin is dict or tp is dict:
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}.get(
        tp, "a value"
    )


_BOOLEAN_HINT = (
    " (YAML reads unquoted on, off, yes, no, true and false as booleans: quote the word to mean text)"
)


def _plain_types(tp: Any) -> set[Any]:
    origin, args = _shape(tp)
    if origin is typing.Annotated:
        return _plain_types(args[0])
    if origin in (Union, types.UnionType):
        return set().union(*(_plain_types(a) for a in args))
    return {tp}


class Converter:
    """Builds dataclasses from marked values; problems go to ``self.problems`` instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, mark: Mark | None, path: Path, message: str) -> None:
        self.problems.append(Problem(mark, path, message))

    def convert(self, tp: Any, value: Any, path: Path, mark: Mark | None) -> Any:
        origin, args = _shape(tp)
        if origin is typing.Annotated:
            base, *checks = args
            before = len(self.problems)
            result = self.convert(base, value, path, mark)
            if len(self.problems) == before:
                for check in checks:
                    problem = check.problem(result)
                    if problem:
                        self.report(mark, path, problem)
                        break
            return result
        if origin in (Union, types.UnionType):
            return self._union(args, value, path, mark)
        if origin is Literal:
            if value in args and type(value) is not bool:
                return value
            return self._wrong(tp, value, path, mark)
        if origin is tuple:
            item_type = args[0]
            if not isinstance(value, list):
                return self._wrong(tp, value, path, mark)
            marks = getattr(value, "marks", {})
            return tuple(
                self.convert(item_type, item, (*path, i), marks.get(i, mark)) for i, item in enumerate(value)
            )
        if origin is dict:
            value_type = args[1]
            if not isinstance(value, dict):
                return self._wrong(tp, value, path, mark)
            marks = getattr(value, "marks", {})
            return {
                str(k): self.convert(value_type, v, (*path, k), marks.get(k, mark)) for k, v in value.items()
            }
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            return self._dataclass(tp, value, path, mark)
        return self._scalar(tp, value, path, mark)

    def _wrong(self, tp: Any, value: Any, path: Path, mark: Mark | None) -> None:
        shown = (
            "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else repr(value)
        )
        hint = _BOOLEAN_HINT if isinstance(value, bool) and bool not in _plain_types(tp) else ""
        self.report(mark, path, f"expected {_describe(tp)}, got {shown}{hint}")
        return None

    def _scalar(self, tp: Any, value: Any, path: Path, mark: Mark | None) -> Any:
        if tp is Any:
            return value
        if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                self.report(mark, path, f"expected a finite number, got {value!r}")
                return None
            return float(value)
        if tp is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if tp is str and isinstance(value, str):
            return value
        if tp is bool and isinstance(value, bool):
            return value
        return self._wrong(tp, value, path, mark)

    def _union(self, options: tuple[Any, ...], value: Any, path: Path, mark: Mark | None) -> Any:
        if value is None and type(None) in options:
            return None
        candidates = [o for o in options if o is not type(None) and _accepts_shape(o, value)]
        if not candidates:
            return self._wrong(Union[options], value, path, mark)  # noqa: UP007
        return self.convert(candidates[0], value, path, mark)

    def _dataclass(self, cls: type, value: Any, path: Path, mark: Mark | None) -> Any:
        if not isinstance(value, dict):
            return self._wrong(cls, value, path, mark)
        hints = _hints(cls)
        fields = _fields(cls)
        marks = getattr(value, "marks", {})
        before = len(self.problems)
        kwargs: dict[str, Any] = {}
        for key, item in value.items():
            if key not in fields:
                known = ", ".join(fields)
                self.report(marks.get(key, mark), (*path, key), f"unknown key (expected one of: {known})")
                continue
            kwargs[key] = self.convert(hints[key], item, (*path, key), marks.get(key, mark))
        for name, f in fields.items():
            if (
                name not in kwargs
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
                and name not in value
            ):
                self.report(mark, (*path, name), "required key is missing")
        if len(self.problems) > before:
            return None
        result = cls(**kwargs)
        for key, message in getattr(result, "_problems", list)():
            self.report(marks.get(key, mark), (*path, key) if key else path, message)
        return result


def _accepts_shape(tp: Any, value: Any) -> bool:
    origin, args = _shape(tp)
    if origin is typing.Annotated:
        return _accepts_shape(args[0], value)
    if isinstance(value, dict):
        return origin is dict or dataclasses.is_dataclass(tp)
    if isinstance(value, list):
        return origin in (tuple, list)
    if origin is Literal:
        return value in args
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return tp is Any or (isinstance(tp, type) and isinstance(value, tp))
