"""``models.catalog: FILE``: a listing saved from the real ``/models``, found relative to the
scenario file that names it and checked on load (its entries are parsed again on first use)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .convert import Problem
from .source import MarkedDict, read_bytes

if TYPE_CHECKING:
    from .access import Access

BUILTIN_CATALOGS = ("openrouter", "none")


def resolve_catalog(raw: MarkedDict, access: Access | None = None) -> list[Problem]:
    """Make a catalog file's path absolute in ``raw`` and check that it holds model entries; with
    ``access``, only a ``.json`` file in a folder it permits is read."""
    models = raw.get("models")
    if not isinstance(models, dict):
        return []
    reference = models.get("catalog")
    if not isinstance(reference, str) or reference in BUILTIN_CATALOGS or not reference:
        return []
    mark = getattr(models, "marks", {}).get("catalog", getattr(models, "mark", None)) or raw.mark
    path = Path(reference).expanduser()
    if not path.is_absolute() and mark is not None and not mark.file.startswith("<"):
        path = Path(mark.file).parent / path
    where = ("models", "catalog")
    if access is not None and not access.permits(path, (".json",)):
        return [
            Problem(
                mark,
                where,
                f"catalog file {reference!r} is refused: not a .json file under a --scenarios-dir folder",
            )
        ]
    try:
        text = read_bytes(path)
    except OSError as exc:
        return [Problem(mark, where, f"cannot read catalog file {path}: {exc.strerror}")]
    except ValueError as exc:
        return [Problem(mark, where, f"cannot read catalog file {path}: {exc}")]
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [Problem(mark, where, f"catalog file {path} is not JSON: {exc}")]
    entries = data.get("data") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "id" in e for e in entries):
        return [Problem(mark, where, f"catalog file {path} is not a /models listing (no data[].id)")]
    models["catalog"] = str(path.resolve())
    return []
