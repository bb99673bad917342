"""A JSON value that satisfies a JSON Schema, chosen from a seeded generator."""

from __future__ import annotations

import math
import random
import string
from datetime import datetime, timedelta, timezone
from typing import Any

_WORDS = (
    "alpha", "bravo", "cobalt", "delta", "ember", "falcon", "garnet", "harbor", "indigo", "juniper",
    "kestrel", "lumen", "meadow", "nimbus", "onyx", "prism", "quartz", "raven", "sierra", "tundra",
)  # fmt: skip
_MAX_DEPTH = 8
_KINDS = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
MAX_VALUE_CHARS = 256 * 1024
"""The most a generated value may hold, in characters of JSON (its reply stays well under 1 MB)."""


class SchemaTooLarge(ValueError):
    """The schema asks for a value larger than :data:`MAX_VALUE_CHARS`."""


def _bound(schema: dict[str, Any], key: str, default: float) -> float:
    """A numeric keyword's value when it is a finite number, else ``default`` (the keyword ignored)."""
    value = schema.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return value


class SchemaValues:
    """Values for schemas: required keys and every declared property, enums, types, bounds, formats.

    Keywords of the wrong type are ignored; a value past ``budget`` characters raises SchemaTooLarge.
    """

    def __init__(
        self, rng: random.Random, hints: dict[str, str] | None = None, budget: int = MAX_VALUE_CHARS
    ) -> None:
        self.rng = rng
        self.hints = hints or {}
        self.left = budget

    def _spend(self, chars: int) -> None:
        self.left -= chars
        if self.left < 0:
            raise SchemaTooLarge(f"the schema asks for a value over {MAX_VALUE_CHARS // 1024} KB")

    def value(self, schema: Any, root: Any = None, name: str = "", depth: int = 0) -> Any:
        """One value for ``schema``; ``name`` is the property it fills (used for plausible strings)."""
        root = schema if root is None else root
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        self._spend(2)
        if isinstance(schema.get("$ref"), str):
            return self.value(self._resolve(root, schema["$ref"]), root, name, depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf", "allOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                options = [s for s in schema[key] if not (isinstance(s, dict) and s.get("type") == "null")]
                return self.value((options or schema[key])[0], root, name, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        if not isinstance(kind, str) or kind not in _KINDS:
            return None
        maker = getattr(self, f"_{kind}")
        return maker(schema, root, name, depth)

    @staticmethod
    def _resolve(root: Any, ref: str) -> Any:
        node = root
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
        return node

    def _object(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> dict[str, Any]:
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return {}
        result = {}
        for key, sub in properties.items():
            self._spend(len(key) + 4)
            result[key] = self.value(sub, root, key, depth + 1)
        return result

    def _array(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> list[Any]:
        low = max(0, int(_bound(schema, "minItems", 1)))
        high = int(_bound(schema, "maxItems", max(low, 3)))
        self._spend(low)
        count = self.rng.randint(low, max(low, min(high, low + 2)))
        items = schema.get("items", {})
        return [self.value(items, root, name, depth + 1) for _ in range(count)]

    def _string(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            moment = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(
                minutes=self.rng.randint(0, 500_000)
            )
            return moment.isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return (datetime(2026, 1, 1) + timedelta(days=self.rng.randint(0, 700))).date().isoformat()
        if fmt == "email":
            return f"{self.rng.choice(_WORDS)}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{self.rng.choice(_WORDS)}"
        if fmt == "uuid":
            return "-".join("".join(self.rng.choices("0123456789abcdef", k=n)) for n in (8, 4, 4, 4, 12))
        text = self.hints.get(name.lower()) or " ".join(self.rng.choices(_WORDS, k=self.rng.randint(1, 3)))
        low = max(0, int(_bound(schema, "minLength", 0)))
        high = max(0, int(_bound(schema, "maxLength", 10_000)))
        self._spend(max(low, len(text)) + 2)
        if len(text) < low:
            text += "".join(self.rng.choices(string.ascii_lowercase, k=low - len(text)))
        return text[:high]

    def _integer(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> int:
        self._spend(8)
        low = int(_bound(schema, "minimum", _bound(schema, "exclusiveMinimum", -1) + 1))
        high = int(_bound(schema, "maximum", _bound(schema, "exclusiveMaximum", low + 101) - 1))
        return self.rng.randint(low, max(low, high))

    def _number(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> float:
        self._spend(8)
        low = float(_bound(schema, "minimum", _bound(schema, "exclusiveMinimum", 0.0)))
        high = float(_bound(schema, "maximum", _bound(schema, "exclusiveMaximum", low + 100.0)))
        value = round(self.rng.uniform(low, high), 2)
        return value if math.isfinite(value) else low

    def _boolean(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> None:
        return None
