"""Why a journaled request got the rule it got: each earlier rule and the conditions it failed,
the same reasons strict mode gives. Computed when asked, never while answering."""

from __future__ import annotations

from typing import Any

from ..openrouter.encode import parse_json
from .journal import Entry
from .match import MATCHERS, conditions, place
from .request import ChatCall, ChatRequest
from .session import Session


def explain(session: Session | None, entry: Entry) -> dict[str, Any]:
    """The rules checked for ``entry`` in order, each with the conditions that failed, up to the
    one that answered; ``closest`` when none did. Against the scenario's rules as they are now."""
    if session is None or session.name != entry.scenario:
        return {"note": f"the scenario {entry.scenario!r} is no longer loaded", "rules": []}
    if entry.nth is None or entry.body is None:
        return {"note": "the request stopped before the rules were consulted", "rules": []}
    try:
        fields = parse_json(entry.body)
    except ValueError:
        return {"note": "the body is not JSON", "rules": []}
    call = ChatCall(entry.body, entry.headers, entry.params)
    api_key = entry.headers.get("X-API-Key", "").strip()
    request = ChatRequest.parse(
        fields if isinstance(fields, dict) else {},
        session.default_model,
        entry.nth,
        session.scenario.seed,
        call,
        api_key,
        entry.params.get("project_name", ""),
    )
    book, checked = session.rules, []
    for index, rule in enumerate(book.rules):
        label = book.labels[index]
        checks = conditions(rule.when)
        failed = [name for name, wanted in checks if MATCHERS[name](wanted, request, index) is None]
        if label == entry.rule:
            checked.append({"rule": place(index, rule), "matched": True, "failed": []})
            break
        checked.append(
            {"rule": place(index, rule), "matched": False, "failed": failed or ["used up (times/sequence)"]}
        )
    result: dict[str, Any] = {"rules": checked}
    if entry.rule in (None, "fallback"):
        result["closest"] = book.closest(request) if book.rules else "the scenario has no rules"
    return result
