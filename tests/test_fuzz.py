"""A bounded fuzz over request bodies and headers (hypothesis): whatever comes in, the answer is
never a 500, the server logs no traceback and keeps serving."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockpinme import MockPinme

from .attacks import alive, raw, request_bytes

FIELDS = [
    "model", "messages", "stream", "tools", "tool_choice", "response_format", "max_tokens",
    "reasoning", "plugins", "temperature", "role", "content", "name", "type", "function",
    "parameters", "properties", "items", "minItems", "maxItems", "minLength", "minimum",
    "maximum", "$ref", "enum", "anyOf", "json_schema", "schema", "tool_call_id", "tool_calls",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(["openai/gpt-4o-mini", "user", "assistant", "tool", "function", "required", "auto",
                     "json_schema", "object", "array", "string", "integer", "\ud800", "#/a", ""]),
    st.text(max_size=20),
)  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False), TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | TEXT, inner, max_size=5)
    ),
    max_leaves=30,
)

KEYWORDS = ["type", "properties", "items", "minItems", "maxItems", "minLength", "maxLength", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum", "$ref", "enum", "const", "anyOf", "format",
            "required"]  # fmt: skip
SCHEMAS = st.recursive(
    st.dictionaries(
        st.sampled_from(KEYWORDS), SCALARS | st.sampled_from(["object", "array", "string"]), max_size=4
    ),
    lambda inner: st.dictionaries(
        st.sampled_from(KEYWORDS),
        inner | st.dictionaries(TEXT, inner, max_size=3) | st.lists(inner, max_size=3),
        max_size=4,
    ),
    max_leaves=12,
)
TOOLS = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.just("function"),
            "function": st.fixed_dictionaries({"name": TEXT, "parameters": SCHEMAS}),
        }
    ),
    min_size=1,
    max_size=2,
)
CHOICES = st.one_of(
    st.sampled_from(["required", "auto", "none"]), VALUES, st.builds(lambda f: {"function": f}, VALUES)
)
FORMATS = st.one_of(
    st.builds(lambda s: {"type": "json_schema", "json_schema": {"name": "x", "schema": s}}, SCHEMAS),
    st.builds(lambda v: {"type": "json_schema", "json_schema": v}, VALUES),
    VALUES,
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


BODIES = st.one_of(
    VALUES.map(_dumps),
    st.fixed_dictionaries(
        {"model": st.just("openai/gpt-4o-mini"), "messages": st.just([{"role": "user", "content": "hi"}])},
        optional={k: VALUES for k in FIELDS[2:10]},
    ).map(_dumps),
    st.fixed_dictionaries(
        {
            "model": st.just("openai/gpt-4o-mini"),
            "messages": st.just([{"role": "user", "content": "call it"}]),
            "tools": TOOLS,
            "tool_choice": CHOICES,
        },
        optional={"stream": st.booleans(), "response_format": FORMATS},
    ).map(_dumps),
    st.binary(max_size=200),
    st.sampled_from([b"[" * 3000, b'{"a": NaN}', b"\xef\xbb\xbf{}", b'{"model": "\\udfff"}', b"1e999"]),
)
HEADER_VALUES = st.one_of(
    st.sampled_from(["k", "", "low-balance", "../etc/passwd", "caf\udce9", "gzip", "application/yaml"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30),
)
HEADERS = st.dictionaries(
    st.sampled_from(["X-API-Key", "X-Mockpinme-Scenario", "Content-Type", "Content-Encoding", "Authorization",
                     "Origin", "X-Mockpinme-Token", "Accept"]),
    HEADER_VALUES,
    max_size=5,
)  # fmt: skip
TARGETS = st.sampled_from(
    [
        ("POST", "/api/v1/chat/completions?project_name=demo"),
        ("POST", "/api/v1/chat/completions?project_name=demo"),
        ("POST", "/api/v1/chat/completions?project_name=demo"),
        ("POST", "/api/v1/chat/completions"),
        ("GET", "/api/v1/models"),
        ("PUT", "/__mockpinme/scenario"),
        ("POST", "/__mockpinme/clock"),
        ("GET", "/__mockpinme/requests?limit=5"),
        ("POST", "/api/v4/nowhere"),
    ]
)


class Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bad: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "Traceback" in record.getMessage() or record.levelno >= logging.ERROR:
            self.bad.append(record.getMessage())


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[MockPinme, Tracebacks]]:
    handler = Tracebacks()
    logging.getLogger().addHandler(handler)
    with MockPinme(speed=0, seed=1) as server:
        yield server, handler
    logging.getLogger().removeHandler(handler)


def _check(
    fuzzed: tuple[MockPinme, Tracebacks], method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    server, log = fuzzed
    answer = raw(
        server, request_bytes(method, path, {"X-API-Key": "k", **headers, "Connection": "close"}, body)
    )
    assert 200 <= answer.status < 500, (answer.status, answer.body[:300])
    if answer.headers.get("content-type") == "application/json":
        json.loads(answer.body)
    assert server.state.runtime.failures == []
    assert log.bad == []


SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TOOL_BODIES = st.fixed_dictionaries(
    {
        "model": st.just("openai/gpt-4o-mini"),
        "messages": st.just([{"role": "user", "content": "call it"}]),
        "tools": TOOLS,
        "tool_choice": CHOICES,
    },
    optional={"stream": st.booleans(), "response_format": FORMATS},
).map(_dumps)


@settings(SETTINGS, max_examples=400)
@given(body=TOOL_BODIES)
def test_no_client_schema_gets_a_500(fuzzed: tuple[MockPinme, Tracebacks], body: bytes) -> None:
    _check(fuzzed, "POST", "/api/v1/chat/completions?project_name=demo", {}, body)


@settings(SETTINGS, max_examples=300)
@given(target=TARGETS, headers=HEADERS, body=BODIES)
def test_no_input_gets_a_500_or_a_traceback(
    fuzzed: tuple[MockPinme, Tracebacks], target: tuple[str, str], headers: dict[str, str], body: bytes
) -> None:
    _check(fuzzed, *target, headers, body)


def test_after_the_fuzz_the_server_still_serves(fuzzed: tuple[MockPinme, Tracebacks]) -> None:
    server, log = fuzzed
    server.use("default")
    alive(server)
    assert log.bad == []
