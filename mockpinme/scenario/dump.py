"""A loaded scenario as YAML: only what differs from the defaults, ``extends`` already applied."""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from .model import Scenario


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.default is not dataclasses.MISSING and item == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and item == f.default_factory():
                continue
            out[f.name] = _plain(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as it is served, in YAML (keys in the model's order)."""
    plain = _plain(scenario)
    plain.pop("extends", None)
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)
