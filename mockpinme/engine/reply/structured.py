"""A JSON value that satisfies a JSON Schema, chosen from a seeded generator."""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta, timezone
from typing import Any

_WORDS = (
    "alpha", "bravo", "cobalt", "delta", "ember", "falcon", "garnet", "harbor", "indigo", "juniper",
    "kestrel", "lumen", "meadow", "nimbus", "onyx", "prism", "quartz", "raven", "sierra", "tundra",
)  # fmt: skip
_MAX_DEPTH = 8


class SchemaValues:
    """Values for schemas: required keys and every declared property, enums, types, bounds, formats."""

    def __init__(self, rng: random.Random, hints: dict[str, str] | None = None) -> None:
        self.rng = rng
        self.hints = hints or {}

    def value(self, schema: Any, root: Any = None, name: str = "", depth: int = 0) -> Any:
        """One value for ``schema``; ``name`` is the property it fills (used for plausible strings)."""
        root = schema if root is None else root
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        if "$ref" in schema:
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
        maker = getattr(self, f"_{kind}", None)
        return maker(schema, root, name, depth) if maker else None

    @staticmethod
    def _resolve(root: Any, ref: str) -> Any:
        node = root
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
        return node

    def _object(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        return {key: self.value(sub, root, key, depth + 1) for key, sub in properties.items()}

    def _array(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 1))
        high = int(schema.get("maxItems", max(low, 3)))
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
        low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
        while len(text) < low:
            text += self.rng.choice(string.ascii_lowercase)
        return text[:high]

    def _integer(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> int:
        low = int(
            schema.get(
                "minimum", schema.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in schema else 0
            )
        )
        high = int(schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1))
        return self.rng.randint(low, max(low, high))

    def _number(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> float:
        low = float(schema.get("minimum", schema.get("exclusiveMinimum", 0.0)))
        high = float(schema.get("maximum", schema.get("exclusiveMaximum", low + 100.0)))
        return round(self.rng.uniform(low, high), 2)

    def _boolean(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: dict[str, Any], root: Any, name: str, depth: int) -> None:
        return None
