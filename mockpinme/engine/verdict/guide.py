"""``guide.*``: PinMe's own rules for calling it, from its guide."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from ...scenario.expect import ExpectGuide
from ..journal import Entry
from ..request import WEB_SEARCH_TOOL_TYPES
from .findings import Finding

GuideOf = Callable[[Entry], ExpectGuide]
PROJECT_PATHS = ("/api/v1/chat/completions", "/api/v1/auth/")
_ENCODED = re.compile(r"(?:[A-Za-z0-9\-_.!~*'()+]|%[0-9A-Fa-f]{2})*")


def _needs_project(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PROJECT_PATHS)


def _raw_project_names(raw_query: str) -> list[str]:
    pairs = (part.partition("=") for part in raw_query.split("&"))
    return [value for name, _, value in pairs if name == "project_name"]


def _project_problem(entry: Entry) -> str | None:
    raw = _raw_project_names(entry.raw_query)
    if not raw:
        names = dict(parse_qsl(entry.raw_query))
        return "no project_name in the query" if "project_name" not in names else None
    if not raw[0]:
        return "project_name is empty"
    if not _ENCODED.fullmatch(raw[0]):
        return f"project_name is not URL-encoded in the query ({raw[0]!r}; encodeURIComponent it)"
    return None


def _listed(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _search(body: Any) -> tuple[bool, str | None]:
    """Does the body ask for web search, and what bound does it leave out?"""
    if not isinstance(body, dict):
        return False, None
    searched = False
    for tool in _listed(body, "tools"):
        if tool.get("type") in WEB_SEARCH_TOOL_TYPES:
            searched = True
            params = tool["parameters"] if isinstance(tool.get("parameters"), dict) else tool
            missing = [k for k in ("max_results", "max_total_results") if k not in params]
            if missing:
                return True, f"the {tool['type']} tool has no {' or '.join(missing)}"
    for plugin in _listed(body, "plugins"):
        if plugin.get("id") == "web":
            searched = True
            if "max_results" not in plugin:
                return True, "the web plugin has no max_results"
    model = body.get("model")
    if isinstance(model, str) and model.endswith(":online"):
        return True, f"{model} searches without bounds (use the openrouter:web_search tool)"
    return searched, None


def _key_problem(entry: Entry) -> str | None:
    if entry.headers.get("X-API-Key", "").strip():
        return None
    if entry.headers.get("Authorization", "").strip():
        return "the key went in Authorization, not X-API-Key"
    return "no X-API-Key"


def _judge(check: str, problems: list[tuple[Entry, str | None]], what: str) -> list[Finding]:
    bad = [(e, p) for e, p in problems if p is not None]
    if bad:
        groups: dict[str, list[int]] = {}
        for entry, problem in bad:
            groups.setdefault(str(problem), []).append(entry.id)
        return [Finding(check, False, problem, tuple(ids)) for problem, ids in groups.items()]
    if problems:
        return [Finding(check, True, what, tuple(e.id for e, _ in problems))]
    return []


def judge_guide(entries: list[Entry], guide_of: GuideOf) -> list[Finding]:
    """Findings on every request to PinMe's paths, under its scenario's ``expect.guide``."""
    keys: list[tuple[Entry, str | None]] = []
    projects: list[tuple[Entry, str | None]] = []
    searches: list[tuple[Entry, str | None]] = []
    for entry in entries:
        expect = guide_of(entry)
        if expect.api_key_header:
            keys.append((entry, _key_problem(entry)))
        if expect.project_name and _needs_project(entry.path):
            projects.append((entry, _project_problem(entry)))
        if expect.web_search_bounds and entry.path == "/api/v1/chat/completions":
            searched, problem = _search(entry.json)
            if searched:
                searches.append((entry, problem))
    return [
        *_judge("guide.api_key_header", keys, "the key went in X-API-Key"),
        *_judge("guide.project_name", projects, "project_name was in the query, URL-encoded"),
        *_judge("guide.web_search_bounds", searches, "web search carried max_results and max_total_results"),
    ]
