"""The JSON Schema of the scenario format, derived from the typed model (so the two cannot drift)."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any, Literal, Union

from ..openrouter.checks import AtLeast, AtMost, IsRegex, NotEmpty, OneOfNames
from .model import Scenario

SCHEMA_ID = "urn:mockpinme:scenario:1"
_OPTIONAL_IN_FILES = {("Scenario", "name")}


_ROLE = re.compile(r":\w+:`~?([^`]+)`")


def _first_line(doc: str | None) -> str:
    """A docstring's first line as plain text: editors show descriptions raw, so no ``markup``."""
    line = (doc or "").strip().splitlines()[0] if doc else ""
    return _ROLE.sub(r"\1", line).replace("``", "")


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, tp: Any) -> dict[str, Any]:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            base, *checks = typing.get_args(tp)
            schema = dict(self.of(base))
            for check in checks:
                schema.update(self._check(check, schema))
            return schema
        if origin in (Union, types.UnionType):
            options = [self.of(a) for a in typing.get_args(tp) if a is not type(None)]
            return options[0] if len(options) == 1 else {"anyOf": options}
        if origin is Literal:
            return {"enum": list(typing.get_args(tp))}
        if origin is tuple:
            return {"type": "array", "items": self.of(typing.get_args(tp)[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.of(typing.get_args(tp)[1])}
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            return self._dataclass(tp)
        simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
        return {"type": simple[tp]} if tp in simple else {}

    @staticmethod
    def _check(check: Any, schema: dict[str, Any]) -> dict[str, Any]:
        if isinstance(check, AtLeast):
            return {"minimum": check.minimum}
        if isinstance(check, AtMost):
            return {"maximum": check.maximum}
        if isinstance(check, IsRegex):
            return {"format": "regex"}
        if isinstance(check, OneOfNames):
            return {"enum": sorted(check.names)}
        if isinstance(check, NotEmpty):
            return {"minItems": 1} if schema.get("type") == "array" else {"minLength": 1}
        return {}

    def _dataclass(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}
            hints = typing.get_type_hints(cls, include_extras=True)
            fields = dataclasses.fields(cls)
            required = [
                f.name
                for f in fields
                if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
                and (name, f.name) not in _OPTIONAL_IN_FILES
            ]
            definition: dict[str, Any] = {
                "type": "object",
                "description": _first_line(cls.__doc__),
                "properties": {f.name: self.of(hints[f.name]) for f in fields},
                "additionalProperties": False,
            }
            if required:
                definition["required"] = required
            self.defs[name] = definition
        return {"$ref": f"#/$defs/{name}"}


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a scenario file."""
    builder = _Builder()
    root = builder.of(Scenario)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mockpinme scenario",
        **root,
        "$defs": dict(sorted(builder.defs.items())),
    }
