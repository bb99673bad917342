"""Where the app and each request keep what the handlers share."""

from __future__ import annotations

from aiohttp import web

from ..engine.journal import Entry
from ..engine.session import Session
from ..engine.state import ServerState
from ..scenario import ScenarioError

CONTROL_PREFIX = "/__mockpinme"
"""Where the control API lives (``--cors`` never opens it)."""
SERVER = web.AppKey("mockpinme_server", ServerState)
ENTRY = web.RequestKey("mockpinme_entry", Entry)
SESSION = web.RequestKey("mockpinme_session", Session)
SESSION_PROBLEM = web.RequestKey("mockpinme_session_problem", ScenarioError)
