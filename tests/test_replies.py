"""Tool calls, reasoning, structured output and max_tokens through the openai SDK."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
import pytest

from .conftest import HELLO, ServerFactory, sdk

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "details": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA}}
TIME = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
}
ASK_WEATHER = [{"role": "user", "content": "What is the weather in Lisbon?"}]


def test_auto_tool_call_fits_the_schema_and_names_the_place(start_server: ServerFactory) -> None:
    client = sdk(start_server())
    reply = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=ASK_WEATHER, tools=[TIME, WEATHER]
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.id.startswith("call_") and call.type == "function"
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, WEATHER_SCHEMA)
    assert arguments["city"] == "Lisbon"


def test_streamed_tool_call_reassembles_to_the_same_call(start_server: ServerFactory) -> None:
    client = sdk(start_server())
    whole = client.chat.completions.create(model="openai/gpt-4o-mini", messages=ASK_WEATHER, tools=[WEATHER])
    name, arguments, ids, finish = "", "", set(), []
    for chunk in client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=ASK_WEATHER, tools=[WEATHER], stream=True
    ):
        for choice in chunk.choices:
            finish.append(choice.finish_reason)
            for delta in choice.delta.tool_calls or []:
                assert delta.index == 0
                ids.add(delta.id) if delta.id else None
                name += (delta.function.name or "") if delta.function else ""
                arguments += (delta.function.arguments or "") if delta.function else ""
    (expected,) = whole.choices[0].message.tool_calls or []
    assert (name, arguments) == (expected.function.name, expected.function.arguments)
    assert len(ids) == 1
    assert [f for f in finish if f] == ["tool_calls", "tool_calls"]


def test_after_a_tool_result_the_reply_is_text(start_server: ServerFactory) -> None:
    client = sdk(start_server("tool-calls"))
    first = client.chat.completions.create(model="openai/gpt-4o-mini", messages=ASK_WEATHER, tools=[WEATHER])
    call = (first.choices[0].message.tool_calls or [])[0]
    follow_up: list[Any] = [
        *ASK_WEATHER,
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "21 C and sunny"},
    ]
    second = client.chat.completions.create(model="openai/gpt-4o-mini", messages=follow_up, tools=[WEATHER])
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "Here is what the tool returned: 21 C and sunny"
    assert second.usage and first.usage and second.usage.prompt_tokens > first.usage.prompt_tokens


def test_tool_choice(start_server: ServerFactory) -> None:
    client = sdk(start_server())
    body: dict[str, Any] = {"model": "openai/gpt-4o-mini", "tools": [TIME, WEATHER]}
    named = client.chat.completions.create(
        messages=ASK_WEATHER, tool_choice={"type": "function", "function": {"name": "get_time"}}, **body
    )
    assert (named.choices[0].message.tool_calls or [])[0].function.name == "get_time"
    none = client.chat.completions.create(messages=ASK_WEATHER, tool_choice="none", **body)
    assert none.choices[0].message.tool_calls is None and none.choices[0].message.content
    after_answer = [*ASK_WEATHER, {"role": "assistant", "content": "It is sunny."}]
    required = client.chat.completions.create(messages=after_answer, tool_choice="required", **body)
    assert required.choices[0].finish_reason == "tool_calls"
    auto = client.chat.completions.create(messages=after_answer, **body)
    assert auto.choices[0].finish_reason == "stop"


def test_conversation_scenario(start_server: ServerFactory) -> None:
    client = sdk(start_server("conversation"))

    def say(messages: list[Any]) -> Any:
        return client.chat.completions.create(model="openai/gpt-4o-mini", messages=messages, tools=[WEATHER])

    assert say([{"role": "user", "content": "Hello"}]).choices[0].message.content.startswith("Hello!")
    assert say([{"role": "user", "content": "hi"}]).choices[0].message.content.startswith("Hello again")
    asked = say(ASK_WEATHER)
    call = (asked.choices[0].message.tool_calls or [])[0]
    assert json.loads(call.function.arguments) == {"city": "Lisbon"}
    answered = say(
        [
            *ASK_WEATHER,
            asked.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
        ]
    )
    assert answered.choices[0].message.content == "According to the weather service: sunny"
    follow = [say([{"role": "user", "content": "thanks"}]).choices[0].message.content for _ in range(4)]
    assert follow == ["Anything else?", "Happy to help with more.", "Goodbye!", "Anything else?"]


def _reasoning(client: openai.OpenAI, model: str, stream: bool = False, **extra: Any) -> Any:
    return client.chat.completions.create(
        model=model,
        messages=HELLO,
        stream=stream,
        extra_body=extra or None,  # type: ignore[call-overload]
    )


def test_reasoning_when_asked_and_supported(start_server: ServerFactory) -> None:
    client = sdk(start_server())
    raw = client.chat.completions.with_raw_response.create(
        model="anthropic/claude-sonnet-4.5", messages=HELLO, extra_body={"reasoning": {"effort": "high"}}
    ).http_response.json()
    message, usage = raw["choices"][0]["message"], raw["usage"]
    assert message["reasoning"]
    (detail,) = message["reasoning_details"]
    assert detail["type"] == "reasoning.text" and detail["format"] == "anthropic-claude-v1"
    assert detail["text"] == message["reasoning"]
    reasoning_tokens = usage["completion_tokens_details"]["reasoning_tokens"]
    assert 0 < reasoning_tokens < usage["completion_tokens"]
    plain = _reasoning(client, "anthropic/claude-sonnet-4.5")
    assert plain.choices[0].message.reasoning is None  # type: ignore[attr-defined]
    assert raw["usage"]["cost"] > plain.usage.cost  # type: ignore[union-attr]
    not_supported = _reasoning(client, "openai/gpt-4o-mini", reasoning_effort="high")
    assert not_supported.choices[0].message.reasoning is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("ask", [{"reasoning_effort": "low"}, {"include_reasoning": True}, {"reasoning": {}}])
def test_every_way_of_asking_for_reasoning(start_server: ServerFactory, ask: dict[str, Any]) -> None:
    reply = _reasoning(sdk(start_server()), "openai/gpt-5.2", **ask)
    assert reply.choices[0].message.reasoning  # type: ignore[attr-defined]


def test_excluded_reasoning_is_billed_but_hidden(start_server: ServerFactory) -> None:
    client = sdk(start_server())
    shown = _reasoning(client, "openai/gpt-5.2", reasoning={"effort": "high"})
    hidden = _reasoning(client, "openai/gpt-5.2", reasoning={"effort": "high", "exclude": True})
    assert hidden.choices[0].message.reasoning is None  # type: ignore[attr-defined]
    assert hidden.usage == shown.usage


def test_streamed_reasoning_comes_before_content(start_server: ServerFactory) -> None:
    client = sdk(start_server())
    whole = _reasoning(client, "openai/gpt-5.2", reasoning={"effort": "high"})
    kinds, reasoning, content = [], "", ""
    for chunk in _reasoning(client, "openai/gpt-5.2", stream=True, reasoning={"effort": "high"}):
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if getattr(delta, "reasoning", None):
            kinds.append("reasoning")
            reasoning += delta.reasoning  # type: ignore[attr-defined]
        if delta.content:
            kinds.append("content")
            content += delta.content
    assert kinds.index("content") > max(i for i, k in enumerate(kinds) if k == "reasoning")
    assert reasoning == whole.choices[0].message.reasoning  # type: ignore[attr-defined]
    assert content == whole.choices[0].message.content


def test_reasoning_scenario_scripts_the_thought(start_server: ServerFactory) -> None:
    reply = sdk(start_server("reasoning")).chat.completions.create(model="openai/gpt-5.2", messages=HELLO)
    assert reply.choices[0].message.reasoning == (  # type: ignore[attr-defined]
        "The question is: Hello! I should answer briefly and check the facts first."
    )


ORDER_SCHEMA = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "format": "uuid"},
        "placed": {"type": "string", "format": "date-time"},
        "status": {"enum": ["open", "shipped"]},
        "total": {"type": "number", "minimum": 0},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "minItems": 1, "maxItems": 4},
        "note": {"anyOf": [{"type": "string", "maxLength": 20}, {"type": "null"}]},
    },
    "required": ["order_id", "status", "items"],
    "additionalProperties": False,
    "$defs": {
        "item": {
            "type": "object",
            "properties": {
                "sku": {"type": "string", "minLength": 3},
                "qty": {"type": "integer", "minimum": 1},
            },
            "required": ["sku", "qty"],
        }
    },
}


def test_json_schema_output_validates_and_is_deterministic(start_server: ServerFactory) -> None:
    client = sdk(start_server("structured-output"))
    fmt = {"type": "json_schema", "json_schema": {"name": "order", "schema": ORDER_SCHEMA, "strict": True}}
    first = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO, response_format=fmt)  # type: ignore[call-overload]
    again = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO, response_format=fmt)  # type: ignore[call-overload]
    value = json.loads(first.choices[0].message.content)
    jsonschema.validate(value, ORDER_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert first.choices[0].message.content == again.choices[0].message.content


def test_json_object_output_and_strict_refusal(start_server: ServerFactory) -> None:
    client = sdk(start_server("structured-output"))
    reply = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=HELLO, response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(reply.choices[0].message.content or ""), dict)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)


@pytest.mark.parametrize("key", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_cuts_the_content(start_server: ServerFactory, key: str) -> None:
    client = sdk(start_server({"fallback": {"generate": {"sentences": 6}}}))
    full = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    cut = client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO, **{key: 5})  # type: ignore[call-overload]
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage and cut.usage.completion_tokens == 5
    assert (full.choices[0].message.content or "").startswith(cut.choices[0].message.content or "-")
