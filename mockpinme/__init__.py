"""mockpinme: a local mock of PinMe's LLM proxy, send_email and auth proxy, scripted by YAML scenarios."""

from ._version import __version__
from .engine.journal import Entry
from .engine.outbox import OutboxEmail
from .engine.verdict import Finding, Verdict
from .harness import CallList, MockPinme, RuleCalls
from .http.app import create_app
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "CallList",
    "Entry",
    "Finding",
    "MockPinme",
    "OutboxEmail",
    "RuleCalls",
    "Scenario",
    "ScenarioError",
    "Verdict",
    "__version__",
    "create_app",
    "load_scenario",
]
