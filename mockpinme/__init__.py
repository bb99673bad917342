"""mockpinme: a local mock of PinMe's LLM proxy, scripted by YAML scenarios."""

from ._version import __version__
from .scenario import Scenario, ScenarioError, load_scenario
from .server import MockPinme, create_app

__all__ = ["MockPinme", "Scenario", "ScenarioError", "__version__", "create_app", "load_scenario"]
