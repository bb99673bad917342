"""The scenario a recording makes: one rule per distinct conversation, written after every exchange
(a temporary file, then a rename), so a crash loses nothing that had finished."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..engine.catalog import Catalog
from ..engine.conversation import normal_message
from ..scenario import ScenarioError, load_text
from ..scenario.model import Models
from .exchange import Exchange, answer_of
from .redact import Redactor

log = logging.getLogger("mockpinme.record")
_TIMING = ("stream", "latency_ms")


class _Dumper(yaml.SafeDumper):
    """Block style for texts with line breaks; keys in the order given."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def write_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, synced, then renamed over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


@dataclass
class _Rule:
    name: str
    model: str | None
    conversation: dict[str, Any]
    answers: list[dict[str, Any]] = field(default_factory=list)

    def respond(self) -> dict[str, Any] | list[dict[str, Any]]:
        first = self.answers[0]
        bare = [{k: v for k, v in a.items() if k not in _TIMING} for a in self.answers]
        if all(b == bare[0] for b in bare):
            merged = dict(first)
            for answer in self.answers:
                merged.update({k: answer[k] for k in _TIMING if k in answer and k not in merged})
            return merged
        return self.answers

    def as_yaml(self) -> dict[str, Any]:
        when: dict[str, Any] = {"model": self.model} if self.model is not None else {}
        when["conversation"] = self.conversation
        return {"name": self.name, "when": when, "respond": self.respond()}


def _conversation(request: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    messages = []
    for message in request.get("messages") or []:
        normal = normal_message(message)
        messages.append({k: v for k, v in normal.items() if not (k == "content" and v is None)})
    conversation: dict[str, Any] = {"messages": messages}
    for key in ("tools", "response_format"):
        if request.get(key):
            conversation[key] = request[key]
    placeholders = redactor.used(conversation)
    if placeholders:
        conversation["placeholders"] = placeholders
    return conversation


def _fill_ready(answer: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """Tool-call arguments holding placeholders as mappings, so replay fills them in."""
    calls = answer.get("tool_calls")
    if isinstance(calls, list):
        for call in calls:
            arguments = call.get("arguments")
            if isinstance(arguments, str) and redactor.used(arguments):
                try:
                    parsed = json.loads(arguments)
                except ValueError:
                    continue
                if isinstance(parsed, dict):
                    call["arguments"] = parsed
    return answer


def _snippet(request: dict[str, Any]) -> str:
    messages = request.get("messages") or [{}]
    last = normal_message(messages[-1])
    content = last.get("content")
    text = content if isinstance(content, str) else json.dumps(content if content else last.get("tool_calls"))
    text = " ".join(str(text).split())
    return f"{last.get('role')}: {text[:48]}{'…' if len(text) > 48 else ''}"


class ScenarioWriter:
    """Collects exchanges into rules and rewrites the scenario file (and the model listing)."""

    def __init__(self, out: Path, upstream: str, redactor: Redactor) -> None:
        self.out = out
        self.models_path = out.with_name(f"{out.stem}.models.json")
        self.upstream = upstream
        self.redactor = redactor
        self.rules: dict[str, _Rule] = {}
        self.exchanges = 0
        self.has_listing = False

    def save_listing(self, listing: Any) -> None:
        """Keep a ``/models`` listing beside the scenario (once) and point the scenario at it."""
        if self.has_listing:
            return
        write_atomically(self.models_path, json.dumps(self.redactor.value(listing), ensure_ascii=False))
        self.has_listing = True
        self.flush()

    def add(self, exchange: Exchange) -> None:
        """One finished exchange: a new rule, or one more answer of its conversation's rule."""
        request = self.redactor.value(exchange.request)
        answer = _fill_ready(self.redactor.value(answer_of(exchange)), self.redactor)
        model = request.get("model") if isinstance(request.get("model"), str) else None
        conversation = _conversation(request, self.redactor)
        key = json.dumps([model, conversation], sort_keys=True)
        rule = self.rules.get(key)
        if rule is None:
            rule = self.rules[key] = _Rule(f"#{len(self.rules) + 1} {_snippet(request)}", model, conversation)
        rule.answers.append(answer)
        self.exchanges += 1
        self.flush()

    def _models(self) -> dict[str, Any]:
        if self.has_listing:
            return {"catalog": self.models_path.name}
        known = Catalog(Models(), 0).by_id
        missing = sorted(
            {r.model for r in self.rules.values() if r.model and r.model.split(":")[0] not in known}
        )
        return {"add": [{"id": m} for m in missing]} if missing else {}

    def document(self) -> dict[str, Any]:
        """The scenario as YAML data."""
        doc: dict[str, Any] = {
            "name": self.out.stem,
            "description": f"Recorded from {self.upstream} by mockpinme record ({self.exchanges} exchanges).",
            "strict": True,
        }
        models = self._models()
        if models:
            doc["models"] = models
        doc["rules"] = [rule.as_yaml() for rule in self.rules.values()]
        return doc

    def text(self) -> str:
        """The scenario file's text."""
        body = yaml.dump(self.document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        replay = f"mockpinme serve --scenario {self.out.name}"
        return f"# Recorded by `mockpinme record`; replay with: {replay}\n{body}"

    def flush(self) -> bool:
        """Validate and write the scenario; a scenario that would not load is logged, not written."""
        text = self.text()
        try:
            load_text(text, str(self.out), relative_to=self.out.parent)
        except ScenarioError as exc:
            log.error("mockpinme record: not writing an invalid scenario:\n%s", exc)
            return False
        write_atomically(self.out, text)
        return True
