"""The chat request checked against OpenRouter's published request schema, with its 400's issues.

The schema (``data/chat_request.schema.json``, extracted from the OpenAPI spec by
``tools/extract_request_schema.py``) is compiled once, on the first request, by jsonschema-rs.
OpenRouter validates with Zod, so a failure is answered as Zod does: a list of issues (``code``,
``path``, ``message``), JSON-encoded as the error's ``message``. Unions with a discriminator
(``role``, ``type``) report the issues of the branch the discriminator picks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).parents[1] / "data" / "chat_request.schema.json"
MAX_ISSUES = 10
_DEPTH = 8
Issue = dict[str, Any]


@cache
def definitions() -> dict[str, Any]:
    """The shipped schema's definitions, ``ChatRequest`` and all it refers to."""
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["definitions"]
    return loaded


def _root(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {**schema, "definitions": definitions()}


def _start(ref: str) -> dict[str, Any]:
    """The schema a ref names: ``#/definitions/X``, or an inline branch as ``inline:<JSON>``."""
    if ref.startswith("inline:"):
        found: dict[str, Any] = json.loads(ref[7:])
        return found
    return {"$ref": ref}


@cache
def _validator(ref: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(_root(_start(ref)))


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = definitions()[node["$ref"].rsplit("/", 1)[1]]
    return node


def _walk(ref: str, schema_path: Sequence[str | int]) -> Any:
    node: Any = _start(ref)
    for key in schema_path:
        if key == "definitions":
            node = definitions()
            continue
        if isinstance(node, dict) and key not in node:
            node = _resolve(node)
        if isinstance(node, dict):
            node = node.get(str(key))
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            node = None
    return node


def _received(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _expected(schema: Any) -> str:
    schema = _resolve(schema)
    types = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), "null")
    return {"integer": "number"}.get(str(types), str(types)) if types else "object"


def _branch(node: Any, instance: Any) -> tuple[str | None, Any]:
    """The union branch ``instance`` is meant for: by the discriminator, or by its ``type``."""
    if not isinstance(node, dict) or not isinstance(instance, dict):
        return None, None
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict):
        prop = discriminator["propertyName"]
        return prop, discriminator["mapping"].get(instance.get(prop))
    kind = instance.get("type")
    for branch in node.get("anyOf") or node.get("oneOf") or []:
        props = _resolve(branch).get("properties", {}) if isinstance(_resolve(branch), dict) else {}
        if kind is not None and kind in (props.get("type") or {}).get("enum", ()):
            return None, branch
    return None, None


def _issues(ref: str, instance: Any, prefix: list[Any], depth: int) -> list[Issue]:
    found: list[Issue] = []
    for error in _validator(ref).iter_errors(instance):
        path = [*prefix, *error.instance_path]
        kind, value = error.kind.name, error.kind.value
        if kind in ("oneOf", "anyOf"):
            node = _walk(ref, [*error.schema_path][:-1])
            prop, branch = _branch(node, error.instance)
            if branch is not None and depth < _DEPTH:
                target = branch if isinstance(branch, str) else _branch_ref(branch)
                found += _issues(target, error.instance, path, depth + 1)
            elif prop is not None:
                found.append(
                    {
                        "code": "invalid_union",
                        "errors": [],
                        "note": "No matching discriminator",
                        "discriminator": prop,
                        "path": [*path, prop],
                        "message": "Invalid input",
                    }
                )
            else:
                found.append(
                    {"code": "invalid_union", "errors": [], "path": path, "message": "Invalid input"}
                )
        else:
            found.append(_issue(ref, error, kind, value, path))
        if len(found) >= MAX_ISSUES:
            break
    return found[:MAX_ISSUES]


def _branch_ref(branch: Any) -> str:
    if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
        return str(branch["$ref"])
    return "inline:" + json.dumps(branch, sort_keys=True)


def _issue(ref: str, error: Any, kind: str, value: Any, path: list[Any]) -> Issue:
    if kind == "type":
        expected = _expected({"type": list(value)})
        received = _received(error.instance)
        return {
            "expected": expected,
            "code": "invalid_type",
            "path": path,
            "message": f"Invalid input: expected {expected}, received {received}",
        }
    if kind == "required":
        node = _walk(ref, [*error.schema_path][:-1])
        prop_schema = (_resolve(node) or {}).get("properties", {}).get(value, {})
        expected = _expected(prop_schema)
        return {
            "expected": expected,
            "code": "invalid_type",
            "path": [*path, value],
            "message": f"Invalid input: expected {expected}, received undefined",
        }
    if kind in ("enum", "const"):
        options = list(value) if kind == "enum" else [value]
        shown = "|".join(json.dumps(o) for o in options)
        return {
            "code": "invalid_value",
            "values": options,
            "path": path,
            "message": f"Invalid option: expected one of {shown}",
        }
    if kind in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum"):
        small = kind.startswith("min")
        origin = "array" if kind.endswith("Items") else "string" if kind.endswith("Length") else "number"
        unit = {"array": " items", "string": " characters", "number": ""}[origin]
        verb = "have" if origin != "number" else "be"
        return {
            "origin": origin,
            "code": "too_small" if small else "too_big",
            ("minimum" if small else "maximum"): value,
            "inclusive": True,
            "path": path,
            "message": f"Too {'small' if small else 'big'}: expected {origin} to {verb} "
            f"{'>=' if small else '<='}{value}{unit}",
        }
    if kind == "additionalProperties":
        keys = list(value) if isinstance(value, list) else [value]
        names = ", ".join(json.dumps(k) for k in keys)
        return {
            "code": "unrecognized_keys",
            "keys": keys,
            "path": path,
            "message": f"Unrecognized key{'s' if len(keys) > 1 else ''}: {names}",
        }
    if kind == "pattern":
        return {
            "origin": "string",
            "code": "invalid_format",
            "format": "regex",
            "pattern": value,
            "path": path,
            "message": f"Invalid string: must match pattern {value}",
        }
    return {"code": "custom", "path": path, "message": "Invalid input"}


def check(body: Any) -> list[Issue]:
    """The issues OpenRouter's validation finds in a request body; empty when it passes (text
    with lone surrogates, which the validator cannot take, is checked with them as ``?``)."""
    try:
        return _check(body)
    except UnicodeEncodeError:
        return _check(_well_formed(body))


def _check(body: Any) -> list[Issue]:
    if _validator("#/definitions/ChatRequest").is_valid(body):
        return []
    return _issues("#/definitions/ChatRequest", body, [], 0)


def _well_formed(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode()
    if isinstance(value, list):
        return [_well_formed(v) for v in value]
    if isinstance(value, dict):
        return {_well_formed(k): _well_formed(v) for k, v in value.items()}
    return value


def message(found: list[Issue]) -> str:
    """The issues as the text of the error's ``message``, as Zod's error prints them."""
    return json.dumps(found, indent=2, ensure_ascii=False)
