"""Hostile request bodies: deep nesting, lone surrogates, a client's own broken or enormous
schemas, compressed bodies, NaN, and control API values; each gets its exact 4xx (or a normal
answer), the journal keeps answering, the server keeps serving, and nothing logs a traceback."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import httpx
import pytest

from mockpinme import MockPinme
from mockpinme.engine.refusals import user_id

from .attacks import alive, no_traceback, raw, request_bytes, watched_log
from .conftest import KEY, ServerFactory, chat_url

__all__ = ["watched_log"]

MODEL = "openai/gpt-4o-mini"
START = b'{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]'


def post(server: MockPinme, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(server.url_for(chat_url()), content=body, headers={"X-API-Key": KEY, **headers})


def openrouter_400(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "code": 400}, "user_id": user_id(KEY)}


def journal(server: MockPinme) -> list[dict[str, Any]]:
    response = httpx.get(server.url_for("/__mockpinme/requests"))
    assert response.status_code == 200
    assert "NaN" not in response.text and "Infinity" not in response.text
    return list(response.json()["requests"])


def test_deep_nesting_is_a_400_not_a_recursion_error(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    deep = openrouter_400("mockpinme: the request body nests deeper than 128 levels")
    for body in (
        b"[" * 100_000,
        START + b',"metadata":' + b"[" * 5000 + b"]" * 5000 + b"}",
        START + b',"metadata":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
    ):
        answer = post(server, body)
        assert (answer.status_code, answer.json()) == (400, deep)
    shallow_schema = b'{"type":"object","x":' + b"[" * 100 + b"]" * 100 + b"}"
    shallow = post(
        server,
        START[:-1]
        + b'],"tools":[{"type":"function","function":{"name":"f","parameters":'
        + shallow_schema
        + b"}}]}",
    )
    assert shallow.status_code == 200
    entries = journal(server)
    assert [e["status"] for e in entries] == [400, 400, 400, 200]
    assert [e["json"] is None for e in entries] == [True, True, True, False]
    alive(server)
    no_traceback(watched_log, server)


def test_lone_surrogates_never_break_an_answer(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    tool = b'{"type":"function","function":{"name":"\\udfff","parameters":{"type":"object"}}}'
    invalid_model = post(server, b'{"model":"\\ud800","messages":[{"role":"user","content":"hi"}]}')
    assert invalid_model.status_code == 400
    assert invalid_model.json()["error"]["message"] == "\ud800 is not a valid model ID"
    bad_role = post(server, b'{"model":"openai/gpt-4o-mini","messages":[{"role":"\\ud800","content":"hi"}]}')
    assert bad_role.status_code == 400
    assert json.loads(bad_role.json()["error"]["message"])[0]["path"] == ["messages", 0, "role"]
    for body in (
        b'{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"\\ud800 hi"}]}',
        b'{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"\\udc00"}],'
        b'"reasoning":{"effort":"high"},"stream":true}',
        START + b',"tool_choice":"required","tools":[' + tool + b"]}",
        START + b',"stream":true,"tool_choice":"required","tools":[' + tool + b"]}",
    ):
        answer = post(server, body)
        assert answer.status_code == 200, answer.text
    (called,) = post(server, START + b',"tool_choice":"required","tools":[' + tool + b"]}").json()["choices"]
    assert called["message"]["tool_calls"][0]["function"]["name"] == "\udfff"
    encoded = post(server, START[:-1] + b',{"role":"user","content":"\xed\xa0\x80"}]}')
    assert (encoded.status_code, encoded.json()["data"]["error"]) == (400, "Invalid JSON")
    assert len(journal(server)) == 8
    alive(server)
    no_traceback(watched_log, server)


def tools_body(parameters: Any, **extra: Any) -> bytes:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "call it"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": parameters}}],
        "tool_choice": "required",
        **extra,
    }
    return json.dumps(body).replace('"INF"', "1e400").encode()


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array", "minItems": "abc"},
        {"type": "integer", "minimum": "x"},
        {"type": "integer", "minimum": "INF", "maximum": "INF"},
        {"type": "number", "minimum": "INF"},
        {"type": "string", "minLength": "x", "maxLength": -3},
        {"type": "object", "properties": [1]},
        {"$ref": 5},
        {"$ref": "#/nowhere/at/all"},
        {"type": "__init__"},
        {"type": ["x", 5]},
        {"anyOf": [1, "x"]},
        {"items": 7, "minItems": True},
    ],
)
def test_broken_client_schemas_are_answered_normally(
    server: MockPinme, schema: dict[str, Any], watched_log: pytest.LogCaptureFixture
) -> None:
    parameters = {"type": "object", "properties": {"a": schema}, "required": ["a"]}
    answer = post(server, tools_body(parameters))
    assert answer.status_code == 200, answer.text
    (call,) = answer.json()["choices"][0]["message"]["tool_calls"]
    assert set(json.loads(call["function"]["arguments"])) == {"a"}
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": parameters}}
    structured = post(server, json.dumps({"model": MODEL, "messages": [], "response_format": fmt}).encode())
    assert structured.status_code == 400
    assert structured.json()["error"]["message"] == 'Input required: specify "prompt" or "messages"'
    no_traceback(watched_log, server)


def test_tool_choice_and_response_format_of_the_wrong_shape_get_openrouters_400_or_an_answer(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    for extra, path in (
        ({"tool_choice": {"function": "x"}}, ["tool_choice"]),
        (
            {"response_format": {"type": "json_schema", "json_schema": "x"}},
            ["response_format", "json_schema"],
        ),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"schema": 5}}},
            ["response_format", "json_schema", "name"],
        ),
    ):
        refused = post(server, tools_body({"type": "object"}, **extra))
        assert refused.status_code == 400, extra
        assert json.loads(refused.json()["error"]["message"])[0]["path"] == path
    answered = post(
        server, tools_body({"type": "object"}, tool_choice={"type": "function", "function": ["f"]})
    )
    assert answered.status_code == 200 and answered.json()["choices"][0]["message"]["content"]
    no_traceback(watched_log, server)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array", "minItems": 400_000},
        {"type": "string", "minLength": 1e6},
        {"type": "array", "minItems": 1_000_000, "items": {"type": "string", "minLength": 100}},
        {
            "type": "array",
            "minItems": 300,
            "items": {"type": "array", "minItems": 300, "items": {"type": "integer"}},
        },
    ],
)
def test_schemas_asking_for_huge_values_are_a_400(
    start_server: ServerFactory, schema: dict[str, Any], watched_log: pytest.LogCaptureFixture
) -> None:
    server = start_server("structured-output")
    too_large = openrouter_400("mockpinme: the schema asks for a value over 256 KB")
    answer = post(start_server(), tools_body({"type": "object", "properties": {"a": schema}}))
    assert (answer.status_code, answer.json()) == (400, too_large)
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "strict": True, "schema": schema}}
    body = {"model": MODEL, "messages": [{"role": "user", "content": "go"}], "response_format": fmt}
    structured = post(server, json.dumps(body).encode())
    assert (structured.status_code, structured.json()) == (400, too_large)
    fine = {**fmt, "json_schema": {"name": "x", "schema": {"type": "array", "minItems": 500}}}
    reply = post(server, json.dumps({**body, "response_format": fine}).encode())
    assert reply.status_code == 200 and len(reply.content) < 1 << 20
    assert len(json.loads(reply.json()["choices"][0]["message"]["content"])) >= 500
    no_traceback(watched_log, server)


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gzip", gzip.compress(b"{}" + b" " * 1_000_000)),
        ("deflate", zlib.compress(b"{}")),
        ("gzip", b"not gzip at all"),
        ("br", b"\x0b\x00\x80{}\x03"),
        ("zstd", b"(\xb5/\xfd"),
        ("gzip, identity", b"{}"),
    ],
)
def test_compressed_bodies_are_refused(
    server: MockPinme, encoding: str, data: bytes, watched_log: pytest.LogCaptureFixture
) -> None:
    answer = post(server, data, **{"Content-Encoding": encoding})
    message = f"Content-Encoding {encoding!r} is not supported: send the body uncompressed"
    assert (answer.status_code, answer.json()) == (
        415,
        {"code": 415, "msg": "error", "data": {"error": message}},
    )
    (entry,) = journal(server)
    assert entry["json"] is None and entry["status"] == 415
    alive(server)
    no_traceback(watched_log, server)


def test_the_journal_survives_odd_headers_and_bodies(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    odd = {"X-API-Key": "k\udcffk-long-key", "X-Note": "\udcfe\udcff", "User-Agent": "caf\udce9"}
    assert raw(server, request_bytes("POST", chat_url(), odd, START + b"}")).status == 200
    assert post(server, b'{"model": NaN, "messages": [1e999]}').status_code == 400
    assert post(server, b"[" * 100_000).status_code == 400
    entries = journal(server)
    assert [e["status"] for e in entries] == [200, 400, 400]
    assert entries[0]["headers"]["X-Note"] == "\udcfe\udcff"
    assert entries[0]["headers"]["X-API-Key"] == "k\\udcff…ey"
    assert entries[1]["json"] is None
    assert httpx.get(server.url_for("/__mockpinme/state")).status_code == 200
    alive(server)
    no_traceback(watched_log, server)


def test_the_clock_takes_only_finite_seconds(
    server: MockPinme, watched_log: pytest.LogCaptureFixture
) -> None:
    url = server.url_for("/__mockpinme/clock")
    refused = {
        "error": {
            "message": 'send {"advance_s": seconds}, a finite number of seconds, 0 or more',
            "code": 400,
        }
    }
    for body in (
        b'{"advance_s": NaN}',
        b'{"advance_s": Infinity}',
        b'{"advance_s": -Infinity}',
        b'{"advance_s": 1e400}',
        b'{"advance_s": -1}',
        b'{"advance_s": "5"}',
        b'{"advance_s": true}',
        b'{"advance_s": null}',
        b"[5]",
        b'{"advance_s": ' + b"[" * 10_000 + b"}",
        b"\xff",
        b"",
    ):
        answer = httpx.post(url, content=body)
        assert (answer.status_code, answer.json()) == (400, refused), body[:30]
    assert httpx.post(url, json={"advance_s": 2.5}).json() == {"clock_s": 2.5}
    alive(server)
    no_traceback(watched_log, server)


def test_control_bodies_are_capped(server: MockPinme, watched_log: pytest.LogCaptureFixture) -> None:
    big = b"description: " + b"x" * (5 << 20) + b"\n"
    headers = {"Content-Type": "application/yaml", "Content-Length": str(len(big))}
    answer = raw(server, request_bytes("PUT", "/__mockpinme/scenario", headers) + big[:65536], until_closed=5)
    assert (answer.status, answer.json()) == (
        413,
        {"error": {"message": "the body is larger than 4 MB", "code": 413}},
    )
    assert answer.closed
    chunked = {"Content-Type": "application/yaml", "Transfer-Encoding": "chunked"}
    pieces = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in [b"x" * 65536] * 80)
    capped = raw(server, request_bytes("PUT", "/__mockpinme/scenario", chunked) + pieces, until_closed=5)
    assert capped.status == 413 and capped.closed
    assert server.scenario.name == "default"
    alive(server)
    no_traceback(watched_log, server)
