"""``models.catalog: FILE``: a listing saved from the real ``/models``, found relative to the
scenario file that names it and checked on load (its entries are parsed again on first use)."""

from __future__ import annotations

import json
from pathlib import Path

from .convert import Problem
from .source import MarkedDict

BUILTIN_CATALOGS = ("openrouter", "none")


def resolve_catalog(raw: MarkedDict) -> list[Problem]:
    """Make a catalog file's path absolute in ``raw`` and check that it holds model entries."""
    models = raw.get("models")
    if not isinstance(models, MarkedDict):
        return []
    reference = models.get("catalog")
    if not isinstance(reference, str) or reference in BUILTIN_CATALOGS or not reference:
        return []
    mark = models.marks.get("catalog", models.mark)
    path = Path(reference).expanduser()
    if not path.is_absolute() and mark is not None and not mark.file.startswith("<"):
        path = Path(mark.file).parent / path
    where = ("models", "catalog")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [Problem(mark, where, f"cannot read catalog file {path}: {exc.strerror}")]
    except ValueError as exc:
        return [Problem(mark, where, f"catalog file {path} is not JSON: {exc}")]
    entries = data.get("data") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "id" in e for e in entries):
        return [Problem(mark, where, f"catalog file {path} is not a /models listing (no data[].id)")]
    models["catalog"] = str(path.resolve())
    return []
