"""The published scenario schema: generated from the model, committed, and in agreement with it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from mockpinme.cli import main
from mockpinme.scenario.schema import scenario_schema

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "mockpinme" / "schema" / "scenario.schema.json"
LINE = "# yaml-language-server: $schema=../mockpinme/schema/scenario.schema.json"


def test_committed_schema_is_the_generated_one() -> None:
    assert json.loads(COMMITTED.read_text()) == scenario_schema(), "run: mockpinme schema > " + str(COMMITTED)


def test_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == scenario_schema()


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_builtin_carries_the_line_and_validates(path: Path) -> None:
    text = path.read_text()
    assert text.splitlines()[0] == LINE
    jsonschema.Draft202012Validator(scenario_schema()).validate(yaml.safe_load(text))


def test_schema_refuses_what_the_loader_refuses() -> None:
    validator = jsonschema.Draft202012Validator(scenario_schema())
    for bad in (
        {"seed": "x"},
        {"rules": [{"respond": {"contnet": "hi"}}]},
        {"rules": [{"respond": {"error": "openrouter.nope"}}]},
        {"stream": {"chunk": "sentence"}},
        {"stream": {"ttft_ms": -1}},
    ):
        assert not validator.is_valid(bad), bad


def test_descriptions_are_plain_text_for_editor_hovers() -> None:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                found.append(node["description"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(scenario_schema())
    assert len(found) > 10
    marked = [d for d in found if "``" in d or ":class:" in d or ":func:" in d]
    assert not marked, marked
