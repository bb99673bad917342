"""JSON as OpenRouter sends it: compact, UTF-8."""

from __future__ import annotations

import json
from typing import Any


def compact_json(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
