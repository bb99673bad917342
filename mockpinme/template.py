"""Safe placeholders: ``{name}`` replaced by a value, nothing evaluated, unknown names left as written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replace ``{name}`` placeholders with ``values[name]``; unknown names stay as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def fill_all(value: Any, values: Mapping[str, Any]) -> Any:
    """:func:`fill` every string inside mappings and lists."""
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, Mapping):
        return {k: fill_all(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_all(v, values) for v in value]
    return value


def names(value: Any) -> frozenset[str]:
    """The placeholder names used anywhere in ``value`` (strings inside mappings and lists too)."""
    if isinstance(value, str):
        return frozenset(_PLACEHOLDER.findall(value))
    if isinstance(value, Mapping):
        return frozenset().union(*(names(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return frozenset().union(*(names(v) for v in value))
    return frozenset()
