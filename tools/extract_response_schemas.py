"""Extract the chat and models response schemas from OpenRouter's OpenAPI spec into the tests' data.

    python tools/extract_response_schemas.py openrouter-openapi.yaml

writes ``tests/data/openrouter_response_schemas.json``: one JSON Schema (draft 7) whose
``definitions`` hold the schema of every response of ``POST /chat/completions`` and ``GET /models``
and every schema they refer to, cleaned as ``extract_request_schema.py`` cleans the request's.
``responses`` names each one by operation, status and media type, as the spec lists them.
``tests/test_response_schemas.py`` validates the built-in scenarios' answers against them and
checks that the shipped file is what this script makes from the spec.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_request_schema import extract

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "openrouter_response_schemas.json"
OPERATIONS = (("/chat/completions", "post"), ("/models", "get"))
_PREFIX = "#/components/schemas/"


def responses(spec: dict[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    """The schema each response names: by operation, status and media type (inline ones left out)."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for path, method in OPERATIONS:
        by_status = found[f"{method.upper()} {path}"] = {}
        for status, response in spec["paths"][path][method]["responses"].items():
            by_status[str(status)] = {
                media: content["schema"]["$ref"].removeprefix(_PREFIX)
                for media, content in response.get("content", {}).items()
                if "$ref" in content["schema"]
            }
    return found


def extract_responses(spec: dict[str, Any]) -> dict[str, Any]:
    """Every response schema of the two operations, one document with shared ``definitions``."""
    named = responses(spec)
    definitions: dict[str, Any] = {}
    for by_status in named.values():
        for by_media in by_status.values():
            for root in by_media.values():
                definitions.update(extract(spec, root)["definitions"])
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": f"Extracted by tools/extract_response_schemas.py from OpenRouter's OpenAPI spec, "
        f"info.version {spec['info']['version']}",
        "responses": named,
        "definitions": dict(sorted(definitions.items())),
    }


def render(spec_path: Path) -> str:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return json.dumps(extract_responses(spec), indent=1, sort_keys=False) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(Path(sys.argv[1])), encoding="utf-8")
    print(f"wrote {OUT}")
