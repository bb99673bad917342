"""Every built-in scenario's answers against the response schemas of OpenRouter's OpenAPI spec.

``data/openrouter_response_schemas.json`` (made by ``tools/extract_response_schemas.py``) holds the
schema the spec names for each status of ``POST /chat/completions`` and ``GET /models``. One server
answers every scenario, picked with ``X-Mockpinme-Scenario``: the models listing, the chat request
and the requests that scenario is about, JSON and streamed, in three rounds (so rate limits, cycles
and seeded mixes show their failures); the requests whose shape differs by provider family go to
one model of each family too. What OpenRouter's layer answers must validate; PinMe's own wrapped
errors are outside the spec and must be PinMe's shape instead. The recorded exchanges break the
spec only where it is stricter than real traffic (docs/wire.md).
"""

from __future__ import annotations

import json
import re
import runpy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from mockpinme import MockPinme, load_scenario
from mockpinme.engine.catalog import builtin_entries
from mockpinme.openrouter.providers import family_of
from mockpinme.scenario.access import builtin_names

from .conftest import KEY, chat_url
from .shapes import exchanges, sse_chunks
from .test_conformance import REQUESTS, WEATHER_Q
from .test_replies import WEATHER_SCHEMA
from .test_validation import ROOT, SPEC

SCHEMA_FILE = Path(__file__).parent / "data" / "openrouter_response_schemas.json"
SCHEMAS: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
CHAT, MODELS = "POST /chat/completions", "GET /models"
ROUNDS = 3
CUTS = {"disconnect", "stall"}
CHAT_BODY = REQUESTS["chat"][1]
WEATHER = {"name": "weather", "schema": WEATHER_SCHEMA}
IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
EXTRA: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "default": [
        ("unknown model", {**CHAT_BODY, "model": "nobody/no-such-model"}),
        ("bad role", {**CHAT_BODY, "messages": [{"role": "wizard", "content": "x"}]}),
        (
            "image to a text model",
            {"model": "deepseek/deepseek-chat", "messages": [{"role": "user", "content": [IMAGE]}]},
        ),
    ],
    "conversation": [("weather with tools", {**REQUESTS["tools"][1], "messages": WEATHER_Q})],
    "structured-output": [
        ("json_schema", {**CHAT_BODY, "response_format": {"type": "json_schema", "json_schema": WEATHER}}),
        ("json_object", {**CHAT_BODY, "response_format": {"type": "json_object"}}),
    ],
}


@dataclass
class Answer:
    """One answer as it came: status (None when the connection broke first), JSON body or chunks."""

    scenario: str
    label: str
    operation: str
    stream: bool = False
    status: int | None = None
    body: Any = None
    chunks: list[dict[str, Any]] = field(default_factory=list)
    cut: bool = False

    def __str__(self) -> str:
        return f"{self.scenario}: {self.label} ({'stream' if self.stream else 'JSON'}, {self.status})"


@cache
def validator(name: str) -> Any:
    return jsonschema_rs.validator_for(
        {"$ref": f"#/definitions/{name}", "definitions": SCHEMAS["definitions"]}
    )


def problems(name: str, instance: Any) -> list[str]:
    return [
        f"{name} /{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]


def faults(scenario: str) -> set[str]:
    """The kinds of fault a scenario's answers may carry."""
    loaded = load_scenario(scenario)
    answers = [a for rule in loaded.rules for a in rule.answers] + [loaded.fallback]
    return {a.fault.kind for a in answers if a.fault is not None}


def _params(entry: dict[str, Any]) -> list[str]:
    return entry.get("supported_parameters") or []


def family_models() -> list[str]:
    """One model with tools (and reasoning, where the family has one) for each family's shape."""
    chatting = [e for e in builtin_entries() if "text" in e["architecture"]["output_modalities"]]
    chosen: dict[str, str] = {}
    for entry in sorted(
        (e for e in chatting if "tools" in _params(e)), key=lambda e: "reasoning" not in _params(e)
    ):
        chosen.setdefault(repr(replace(family_of(entry["id"]), name="", provider="")), entry["id"])
    return list(chosen.values())


def requests_for(scenario: str, models: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The chat request, the scenario's own requests, and those sent to each family's model."""
    own = [(name, body) for name, (s, body) in REQUESTS.items() if s == scenario]
    varied = [("chat", CHAT_BODY)] if scenario == "default" else own
    by_family = [
        (f"{name} on {model}", {**body, "model": model}) for name, body in varied for model in models
    ]
    return [("chat", CHAT_BODY), *own, *EXTRA.get(scenario, []), *by_family]


def _complete_events(text: str) -> str:
    ends = [m.end() for m in re.finditer(r"\r?\n\r?\n", text)]
    return text[: ends[-1]] if ends else ""


def send(client: httpx.Client, answer: Answer, request: httpx.Request) -> Answer:
    """Read the answer to ``request`` as far as it comes, noting a connection that broke or stalled."""
    text, media = "", ""
    try:
        response = client.send(request, stream=True)
        answer.status, media = response.status_code, response.headers.get("content-type", "")
        try:
            for piece in response.iter_text():
                text += piece
        finally:
            response.close()
    except (httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError):
        answer.cut = True
    if "text/event-stream" in media:
        answer.chunks = sse_chunks(_complete_events(text) if answer.cut else text)
    elif answer.status is not None and not answer.cut:
        answer.body = json.loads(text)
    return answer


def gather(server: MockPinme, scenario: str, models: list[str]) -> list[Answer]:
    timeout = 0.5 if "stall" in faults(scenario) else 30.0
    headers = {"X-API-Key": KEY, "X-Mockpinme-Scenario": scenario}
    found = []
    with httpx.Client(base_url=server.base_url, headers=headers) as client:
        listing = client.build_request("GET", "/api/v1/models", timeout=timeout)
        found.append(send(client, Answer(scenario, "models", MODELS), listing))
        for _ in range(ROUNDS):
            for label, body in requests_for(scenario, models):
                for stream in (False, True):
                    chat = client.build_request(
                        "POST", chat_url(), json={**body, "stream": stream}, timeout=timeout
                    )
                    found.append(send(client, Answer(scenario, label, CHAT, stream), chat))
    return found


@pytest.fixture(scope="module")
def answers() -> Iterator[dict[str, list[Answer]]]:
    models = family_models()
    with MockPinme("default", speed=0) as server:
        yield {name: gather(server, name, models) for name in builtin_names()}
        server.check()


def is_openrouters(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(error, dict)
        and isinstance(error.get("code"), int)
        and isinstance(error.get("message"), str)
    )


def is_pinmes(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and set(body) == {"code", "msg", "data"}
        and isinstance(body["code"], int)
        and isinstance(body["msg"], str)
        and isinstance(body["data"], dict)
        and isinstance(body["data"].get("error"), str)
    )


def check(answer: Answer) -> list[str]:
    """What is wrong with one answer: spec violations, or a shape that is neither layer's."""
    if answer.cut and not faults(answer.scenario) & CUTS:
        return ["the connection broke in a scenario without a disconnect or stall fault"]
    if answer.status is None:
        return []
    by_media = SCHEMAS["responses"][answer.operation].get(str(answer.status), {})
    if answer.status == 200 and answer.stream and answer.operation == CHAT:
        # The spec's event schema is the SSE event, {"data": chunk}; ChatStreamChunk's own "error"
        # property describes the mid-stream error chunk, so it is checked like every other chunk.
        return [
            p for chunk in answer.chunks for p in problems(by_media["text/event-stream"], {"data": chunk})
        ]
    if answer.status == 200:
        return problems(by_media["application/json"], answer.body)
    if is_openrouters(answer.body):
        if "application/json" not in by_media:
            return [f"the spec has no {answer.status} for {answer.operation}"]
        return problems(by_media["application/json"], answer.body)
    return [] if is_pinmes(answer.body) else [f"neither OpenRouter's nor PinMe's error shape: {answer.body}"]


@pytest.mark.parametrize("scenario", builtin_names())
def test_every_answer_fits_the_spec(answers: dict[str, list[Answer]], scenario: str) -> None:
    found = {str(a): p for a in answers[scenario] if (p := check(a))}
    assert found == {}


def kind(answer: Answer) -> str:
    if answer.status is None or (answer.cut and not answer.chunks):
        return "broken connection"
    if answer.chunks:
        return (
            "error chunk"
            if any("error" in c for c in answer.chunks)
            else "cut stream"
            if answer.cut
            else "stream"
        )
    if answer.status == 200:
        return "models" if answer.operation == MODELS else "completion"
    return f"OpenRouter {answer.status}" if is_openrouters(answer.body) else "PinMe error"


def test_the_answers_cover_every_shape(answers: dict[str, list[Answer]]) -> None:
    kinds = {kind(a) for found in answers.values() for a in found}
    expected = {
        "models",
        "completion",
        "stream",
        "error chunk",
        "cut stream",
        "broken connection",
        "PinMe error",
    }
    assert kinds >= expected | {f"OpenRouter {s}" for s in (400, 402, 403, 404, 408, 429, 502, 503)}, kinds
    assert len(family_models()) > 5


def test_every_extra_request_names_a_built_in() -> None:
    assert set(EXTRA) <= set(builtin_names())
    assert {s for s, _ in REQUESTS.values() if s} <= set(builtin_names())


def test_recorded_answers_break_the_spec_only_where_it_is_stricter_than_traffic() -> None:
    """The captures (tests/data/captures/) are the truth the spec is measured by."""
    found: set[str] = set()
    for _, interaction in exchanges():
        response = interaction["response"]
        by_media = SCHEMAS["responses"][CHAT][str(response["status"]["code"])]
        if "parsed_body" in response:
            found.update(problems(by_media["application/json"], response["parsed_body"]))
        else:
            for chunk in sse_chunks(response["body"]["string"]):
                found.update(problems(by_media["text/event-stream"], {"data": chunk}))
    assert found == {
        'ChatResult /: "system_fingerprint" is a required property',
        'ChatResult /choices/0/message/tool_calls/0/function: "arguments" is a required property',
    }


def test_the_shipped_response_schemas_are_extracted_from_the_spec() -> None:
    if not SPEC.exists():
        pytest.skip(f"OpenRouter's spec is not beside the checkout ({SPEC})")
    render = runpy.run_path(str(ROOT / "tools" / "extract_response_schemas.py"))["render"]
    assert render(SPEC) == SCHEMA_FILE.read_text(encoding="utf-8")
