"""Extract the chat request schema from OpenRouter's OpenAPI spec into mockpinme's package data.

    python tools/extract_request_schema.py openrouter-openapi.yaml

writes ``mockpinme/data/chat_request.schema.json``: ``ChatRequest`` and every schema it refers to,
under ``definitions``, without the keys a validator does not need (descriptions, examples,
formats); ``discriminator`` is kept for the error messages. ``tests/test_validation.py`` checks
that the shipped file is what this script makes from the spec.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).resolve().parents[1] / "mockpinme" / "data" / "chat_request.schema.json"
_DROP = {"description", "example", "examples", "format", "title", "deprecated", "readOnly", "writeOnly"}
_PREFIX = "#/components/schemas/"


def _clean(value: Any, found: set[str]) -> Any:
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if key in _DROP or key.startswith("x-"):
                continue
            if key == "$ref" and isinstance(item, str) and item.startswith(_PREFIX):
                name = item[len(_PREFIX) :]
                found.add(name)
                cleaned[key] = f"#/definitions/{name}"
            elif key == "discriminator":
                mapping = {
                    k: v.replace(_PREFIX, "#/definitions/") for k, v in item.get("mapping", {}).items()
                }
                cleaned[key] = {
                    "propertyName": item["propertyName"],
                    "mapping": dict(sorted(mapping.items())),
                }
            elif key == "properties":
                cleaned[key] = {name: _clean(schema, found) for name, schema in item.items()}
            else:
                cleaned[key] = _clean(item, found)
        return cleaned
    if isinstance(value, list):
        return [_clean(item, found) for item in value]
    return value


def extract(spec: dict[str, Any], root: str = "ChatRequest") -> dict[str, Any]:
    """``root`` and the schemas it reaches, as one self-contained JSON Schema (draft 7)."""
    schemas = spec["components"]["schemas"]
    definitions: dict[str, Any] = {}
    pending = {root}
    while pending:
        name = pending.pop()
        found: set[str] = set()
        definitions[name] = _clean(schemas[name], found)
        pending |= found - set(definitions)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": f"#/definitions/{root}",
        "definitions": dict(sorted(definitions.items())),
    }


def render(spec_path: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return json.dumps(extract(spec), separators=(",", ":"), sort_keys=False) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(Path(sys.argv[1])), encoding="utf-8")
    print(f"wrote {OUT}")
