"""The two cases the bench measures, and the files each server needs to answer them the same way.

``default`` is ``scenario.yaml``: every call answers 50 words. ``rule-and-added-model`` is what a
user's own scenario looks like: one model under ``models.add`` and one ``last_user: {contains}``
rule answering 20 words to "Hello benchmark". Every file here is written by the bench itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = HERE / "scenario.yaml"
ADDED_MODEL = "acme/bench-1"
TWENTY_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
CHUNK_DELAY_MS = 20


@dataclass(frozen=True)
class Case:
    """A request, the text every server answers to it, and mockpinme's scenario for it."""

    name: str
    model: str
    prompt: str
    text: str
    scenario: Path
    contains: str | None = None

    def body(self, stream: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": [{"role": "user", "content": self.prompt}]}
        return {**body, "stream": True} if stream else body


def default_case() -> Case:
    content = yaml.safe_load(DEFAULT_SCENARIO.read_text())["rules"][0]["respond"]["content"]
    return Case("default", "openai/gpt-4o-mini", "Hello", content, DEFAULT_SCENARIO)


def rule_case(folder: Path) -> Case:
    """Writes the rule-and-added-model scenario into ``folder``."""
    scenario = {
        "version": 1,
        "name": "rule-and-added-model",
        "description": "A user's own scenario: one added model, one content rule.",
        "stream": {"ttft_ms": 0, "keepalive_ms": 60000, "chunk_delay_ms": CHUNK_DELAY_MS, "chunk": "word"},
        "models": {"add": [{"id": ADDED_MODEL, "name": "Acme: Bench 1", "context_length": 32768}]},
        "rules": [
            {
                "name": "hello-benchmark",
                "when": {"last_user": {"contains": "Hello benchmark"}},
                "respond": {"content": TWENTY_WORDS},
            }
        ],
    }
    path = folder / "rule-and-added-model.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return Case("rule-and-added-model", ADDED_MODEL, "Hello benchmark", TWENTY_WORDS, path, "Hello benchmark")


def mocktopus_config(case: Case, folder: Path) -> Path:
    """mocktopus's scenario: a ``messages_contains`` rule, or any model for the default case."""
    when = {"messages_contains": case.contains} if case.contains else {"model": "*"}
    rules = [{"type": "llm.openai", "when": when, "respond": {"content": case.text}}]
    path = folder / f"mocktopus-{case.name}.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "rules": rules}, sort_keys=False))
    return path


def aimock_fixtures(case: Case, folder: Path) -> Path:
    """aimock's fixture file: a ``userMessage`` match, or a catch-all for the default case."""
    match = {"userMessage": case.contains} if case.contains else {}
    path = folder / f"aimock-{case.name}.json"
    path.write_text(json.dumps({"fixtures": [{"match": match, "response": {"content": case.text}}]}))
    return path
