"""Scenarios: the YAML format, its validation and the built-in library."""

from .load import ScenarioError, builtins, load_scenario, load_text
from .model import Scenario

__all__ = ["Scenario", "ScenarioError", "builtins", "load_scenario", "load_text"]
