"""``GET /api/v1/models``: PinMe's key check, then the scenario's catalog in OpenRouter's envelope."""

from __future__ import annotations

from collections.abc import Mapping

from ..openrouter.encode import compact_json
from ..openrouter.errors import RenderedError
from .catalog_query import QueryError, check_query
from .gate import check_key
from .refusals import named_error
from .session import Session

_BAD_QUERY = RenderedError(400, {"error": {"code": 400, "message": "Invalid request parameters"}}, {}, None)


def list_models(session: Session, api_key: str, query: Mapping[str, str]) -> RenderedError | bytes:
    """The listing's bytes for this key and query string, or the error to send."""
    problem = check_key(session.scenario, api_key)
    if problem:
        return named_error(session, problem)
    if not query:
        return session.models_body
    try:
        check_query(query)
    except QueryError:
        return _BAD_QUERY
    return compact_json(session.catalog.listing(query))
