"""PinMe's checks before it calls upstream: the key, the project, the LLM switch and the balance.

Each check answers with the name of a ``pinme.*`` catalogue error, or None when the request passes.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..scenario.model import Project, Scenario

MAX_BODY_BYTES = 1024 * 1024
ANY_PROJECT = "*"
DEFAULT_PROJECT = "default"
_OPEN_PROJECT = Project()


def project_for(scenario: Scenario, name: str) -> Project | None:
    """The project settings for ``name``; with no ``projects:`` every name is an open project."""
    if not scenario.projects:
        return _OPEN_PROJECT
    return scenario.projects.get(name) or scenario.projects.get(ANY_PROJECT)


def check_key(scenario: Scenario, api_key: str) -> str | None:
    """Is there a key, and does any project accept it (a project with no ``api_key`` accepts any)?"""
    if not api_key:
        return "pinme.missing_key"
    projects = scenario.projects.values()
    if projects and all(p.api_key is not None and p.api_key != api_key for p in projects):
        return "pinme.invalid_key"
    return None


def project_of_key(scenario: Scenario, api_key: str) -> str:
    """The project a (valid) key belongs to, for calls without ``project_name`` (send_email).

    The named project holding that exact key, else the first named project that takes any key,
    else ``default`` (a scenario without ``projects:``, or only ``"*"``).
    """
    named = [(name, p) for name, p in scenario.projects.items() if name != ANY_PROJECT]
    for name, project in named:
        if project.api_key == api_key:
            return name
    return next((name for name, p in named if p.api_key is None), DEFAULT_PROJECT)


def check_project(scenario: Scenario, api_key: str, project_name: str) -> str | None:
    """PinMe's common checks of every call with ``project_name``: the key, the name, that they match."""
    return _checked_project(scenario, api_key, project_name)[0]


def _checked_project(
    scenario: Scenario, api_key: str, project_name: str
) -> tuple[str | None, Project | None]:
    problem = check_key(scenario, api_key)
    if problem:
        return problem, None
    if not project_name:
        return "pinme.project_name_missing", None
    project = project_for(scenario, project_name)
    if project is None or (project.api_key is not None and project.api_key != api_key):
        return "pinme.key_project_mismatch", None
    return None, project


def check_chat(
    scenario: Scenario, api_key: str, project_name: str, balances: Mapping[str, float]
) -> str | None:
    """All of PinMe's checks for a chat call, in the order PinMe makes them."""
    problem, project = _checked_project(scenario, api_key, project_name)
    if project is None:
        return problem
    if project.llm == "not-configured":
        return "pinme.llm_not_configured"
    if project.llm == "disabled":
        return "pinme.llm_disabled"
    balance = balances.get(project_name, project.balance_usd)
    if balance is not None and balance <= 0:
        return "pinme.insufficient_balance"
    return None
