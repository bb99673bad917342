"""Shape agreement between two answers: key paths with JSON types, unioned over a stream's chunks.

A path is ``choices[].message.content:string``; a few features join the paths: the generation id's
format, ``object``, whether ``system_fingerprint`` is null, a string or absent, and the style of
tool-call ids. Agreement is the Jaccard index of the two sets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

CAPTURES = Path(__file__).parent / "data" / "captures"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of ``value`` with the JSON type found there; array items share ``[]``."""
    found = {f"{prefix or '$'}:{json_type(value)}"}
    if isinstance(value, dict):
        for key, item in value.items():
            found |= paths(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for item in value:
            found |= paths(item, f"{prefix}[]")
    return found


def id_style(value: Any) -> str:
    """The format of an id: ``gen-<unix>-<20 base62>``, ``call_<24>``, ``toolu_…``, and so on."""
    if not isinstance(value, str):
        return json_type(value)
    if m := re.fullmatch(r"gen-\d{10}-([A-Za-z0-9]{20})", value):
        return "gen-unix-base62x20" if not re.fullmatch(r"[0-9a-f]+", m.group(1)) else "gen-unix-hex20"
    if re.fullmatch(r"tool_\w+_[A-Za-z0-9]{20}", value):
        return "tool_<name>_…"
    if re.fullmatch(r"[A-Za-z0-9]{9}", value):
        return "alnum9"
    prefix = re.match(r"[a-z]+_(?:[a-z]+_)?", value)
    return f"{prefix.group(0)}…" if prefix else "other"


def _tool_call_ids(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "tool_calls" and isinstance(item, list):
                yield from (call["id"] for call in item if isinstance(call, dict) and "id" in call)
            else:
                yield from _tool_call_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _tool_call_ids(item)


def features(bodies: list[dict[str, Any]]) -> set[str]:
    """The features of one answer (one body, or every chunk of a stream)."""
    found: set[str] = set()
    for body in bodies:
        found |= paths(body)
        found.add(f"#id:{id_style(body.get('id'))}")
        found.add(f"#object:{body.get('object')}")
        fingerprint = body.get("system_fingerprint", ...)
        found.add(f"#system_fingerprint:{'absent' if fingerprint is ... else json_type(fingerprint)}")
        found |= {f"#tool_call_id:{id_style(i)}" for i in _tool_call_ids(body)}
    return found


def sse_chunks(text: str) -> list[dict[str, Any]]:
    """The JSON data events of an SSE body (comments and ``[DONE]`` left out)."""
    chunks = []
    for event in re.split(r"\r?\n\r?\n", text):
        data = "\n".join(line[5:].lstrip() for line in event.splitlines() if line.startswith("data:"))
        if data and data != "[DONE]":
            chunks.append(json.loads(data))
    return chunks


def agreement(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def exchanges() -> list[tuple[str, dict[str, Any]]]:
    """Every recorded interaction, named ``file#n``."""
    found = []
    for path in sorted(CAPTURES.glob("*.yaml")):
        for n, interaction in enumerate(yaml.safe_load(path.read_text())["interactions"]):
            found.append((f"{path.stem.removeprefix('test_')}#{n}", interaction))
    return found


def recorded_features(interaction: dict[str, Any]) -> set[str]:
    response = interaction["response"]
    if "parsed_body" in response:
        return features([response["parsed_body"]])
    return features(sse_chunks(response["body"]["string"]))
