"""``mockpinme record`` with the openai SDK: a mockpinme process is the real service, the recorder
sits in front of it, and ``serve`` on the written file must answer the same calls the same way."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from mockpinme import load_scenario

from .recording import Process, Processes, client, processes

__all__ = ["processes"]

KEY = "pinme-secret-key-7f3a9c"
MODEL = "openai/gpt-4o-mini"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
SEARCH = {"type": "openrouter:web_search"}


def _calls(message: Any) -> list[tuple[str, Any]]:
    return [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []]


def _json(c: openai.OpenAI, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    reply = c.chat.completions.create(model=MODEL, messages=messages, **extra)  # type: ignore[call-overload]
    choice = reply.choices[0]
    return {
        "content": choice.message.content,
        "tool_calls": _calls(choice.message),
        "annotations": [a.model_dump() for a in getattr(choice.message, "annotations", None) or []],
        "finish_reason": choice.finish_reason,
        "usage": reply.usage.model_dump() if reply.usage else None,
        "provider": reply.model_extra.get("provider") if reply.model_extra else None,
        "model": reply.model,
        "message": choice.message.model_dump(exclude_none=True),
    }


def _stream(c: openai.OpenAI, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    content, finish, usage, error, annotations = "", [], None, None, []
    arguments: dict[int, list[str]] = {}
    try:
        for chunk in c.chat.completions.create(model=MODEL, messages=messages, stream=True, **extra):  # type: ignore[call-overload]
            if chunk.usage is not None:
                usage = chunk.usage.model_dump()
            for choice in chunk.choices:
                content += choice.delta.content or ""
                annotations += (choice.delta.model_extra or {}).get("annotations") or []
                for call in choice.delta.tool_calls or []:
                    arguments.setdefault(call.index, []).append(
                        (call.function.name or "") + "|" + (call.function.arguments or "")
                    )
                if choice.finish_reason:
                    finish.append(choice.finish_reason)
    except openai.APIError as exc:
        error = exc.message
    calls = {i: "".join(parts) for i, parts in arguments.items()}
    return {"content": content, "finish": finish, "usage": usage, "error": error, "annotations": annotations,
            "calls": calls}  # fmt: skip


def _failure(c: openai.OpenAI, messages: list[dict[str, Any]]) -> dict[str, Any]:
    with pytest.raises(openai.APIStatusError) as caught:
        c.chat.completions.create(model=MODEL, messages=messages)
    response = caught.value.response
    return {
        "status": response.status_code,
        "body": response.json(),
        "retry_after": response.headers.get("Retry-After"),
    }


def conversation(c: openai.OpenAI) -> list[dict[str, Any]]:
    """Every kind of exchange, in one fixed order; what the client saw of each."""
    seen: list[dict[str, Any]] = []
    hello = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello there, who are you?"},
    ]
    seen.append(_json(c, hello))
    seen.append(_stream(c, hello))
    weather = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = _json(c, weather, tools=[WEATHER])
    seen.append(first)
    assert first["tool_calls"] and first["finish_reason"] == "tool_calls"
    call = first["message"]["tool_calls"][0]
    follow_up = [
        *weather,
        first["message"],
        {"role": "tool", "tool_call_id": call["id"], "content": '{"temp_c": 21}'},
    ]
    seen.append(_stream(c, follow_up, tools=[WEATHER]))
    seen.append(_stream(c, weather, tools=[WEATHER]))
    news = [{"role": "user", "content": "Latest news about PinMe Workers?"}]
    seen.append(_json(c, news, tools=[SEARCH]))
    seen.append(_stream(c, news, tools=[SEARCH]))
    seen.append(_stream(c, [{"role": "user", "content": "please break"}]))
    busy = [{"role": "user", "content": "are you busy?"}]
    seen.append(_failure(c, busy))
    seen.append(_json(c, busy))
    dice = [{"role": "user", "content": "roll the dice"}]
    seen.append(_json(c, dice))
    seen.append(_json(c, dice))
    seen.append(_json(c, [{"role": "user", "content": "Please confirm the report for alice@example.org"}]))
    return seen


def _written(path: Path) -> tuple[str, dict[str, Any]]:
    text = path.read_text()
    return text, yaml.safe_load(text)


def test_record_then_replay_with_the_openai_sdk(processes: Processes, tmp_path: Path) -> None:
    upstream = processes.upstream()
    out = tmp_path / "recorded.yaml"
    recorder = processes.recorder(upstream, out)
    assert recorder.line == f"mockpinme recording on {recorder.url} -> {upstream.url}"
    recorded = conversation(client(recorder, KEY))
    assert recorder.stop() is not None and recorder.popen.returncode == 0

    text, doc = _written(out)
    assert doc["strict"] is True and doc["models"] == {"catalog": "recorded.models.json"}
    assert KEY not in text and KEY not in (tmp_path / "recorded.models.json").read_text()
    assert "alice@example.org" not in text and "sk-live-" not in text
    scenario = load_scenario(out)
    names = [r.name for r in scenario.rules]
    assert len(names) == 8, names
    rules = doc["rules"]
    assert isinstance(rules[0]["respond"], dict), "a JSON and a streamed call share one reply"
    assert (
        isinstance(rules[1]["respond"], dict)
        and rules[1]["respond"]["tool_calls"][0]["name"] == "get_weather"
    )
    assert rules[4]["respond"]["fault"]["stream_error"]["message"] == "Provider disconnected"
    assert [a.get("status") for a in rules[5]["respond"]] == [429, None], "asked again: a sequence"
    assert [a["content"] for a in rules[6]["respond"]] == ["First roll: 3", "Second roll: 5"]

    replay = processes.replay(out)
    replayed = conversation(client(replay, "another-key"))
    for before, after in zip(recorded, replayed, strict=True):
        for seen in (before, after):
            seen.pop("message", None)
            if "body" in seen:
                seen["body"].pop("user_id", None)
    mail = recorded[-1]["content"]
    assert "alice@example.org" in mail and "sk-live-0123456789abcdefXYZ" in mail
    recorded[-1]["content"] = mail.replace("sk-live-0123456789abcdefXYZ", "{key_1}")
    assert replayed == recorded
    assert recorded[7]["error"] == "Provider disconnected" and recorded[7]["content"]
    assert recorded[5]["annotations"] and recorded[6]["annotations"] == recorded[5]["annotations"]
    assert recorded[8]["status"] == 429 and recorded[8]["retry_after"] == "0"


TURNS = ("Hi!", "What is PinMe?", "And its LLM proxy?", "How do I send email?", "Thanks, bye.")


def test_five_turns_replay_turn_by_turn_and_a_sixth_names_the_closest_rule(
    processes: Processes, tmp_path: Path
) -> None:
    upstream = processes.upstream()
    out = tmp_path / "chat.yaml"
    recorder = processes.recorder(upstream, out)
    c = client(recorder, KEY)
    history: list[dict[str, Any]] = [{"role": "system", "content": "You are terse."}]
    answers = []
    for turn in TURNS:
        history.append({"role": "user", "content": turn})
        reply = _json(c, history)
        answers.append(reply["content"])
        history.append({"role": "assistant", "content": reply["content"]})
    recorder.stop()

    replay = processes.replay(out)
    again = client(replay)
    history = history[:1]
    for turn, answer in zip(TURNS, answers, strict=True):
        history.append({"role": "user", "content": turn})
        reply = _json(again, history)
        assert reply["content"] == answer
        history.append({"role": "assistant", "content": reply["content"]})
    journal = httpx.get(
        f"{replay.url}/__mockpinme/requests", params={"path": "/api/v1/chat/completions"}
    ).json()
    assert [e["rule"].split(" ")[0] for e in journal["requests"]] == ["#1", "#2", "#3", "#4", "#5"]

    history.append({"role": "user", "content": "One more thing?"})
    failure = _failure(again, history)
    assert failure["status"] == 400
    message = failure["body"]["error"]["message"]
    assert "closest was rules[4] (#5 user: Thanks, bye.)" in message, message
    assert message.endswith("failed on: conversation (its 10 messages agree, the request has 12)"), message


def _first_content(response: httpx.Response, then: Callable[[], object]) -> tuple[str, object]:
    """The first piece of content, and what ``then`` returned when it came (before reading on:
    leaving the iterator would close the connection)."""
    for line in response.iter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:])["choices"]:
                if choice["delta"].get("content"):
                    return str(choice["delta"]["content"]), then()
    raise AssertionError("the stream ended without content")


def _upstream_stream(upstream: Process) -> dict[str, Any]:
    found = httpx.get(f"{upstream.url}/__mockpinme/requests", params={"path": "/api/v1/chat/completions"})
    entry: dict[str, Any] = found.json()["requests"][-1]
    return entry


SLOW = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "answer slowly"}]}


def test_a_stream_is_relayed_as_it_arrives_not_buffered(processes: Processes, tmp_path: Path) -> None:
    upstream = processes.upstream(speed="1")
    recorder = processes.recorder(upstream, tmp_path / "slow.yaml")
    url = f"{recorder.url}/api/v1/chat/completions?project_name=demo"
    with httpx.stream("POST", url, json=SLOW, headers={"X-API-Key": KEY}, timeout=60) as response:
        assert response.status_code == 200
        first, upstream_entry = _first_content(response, lambda: _upstream_stream(upstream))
    assert first == "one"
    assert isinstance(upstream_entry, dict)
    assert upstream_entry["duration_ms"] is None, "the upstream was still streaming"
    assert upstream_entry["chunks_sent"] == 1 and not upstream_entry["cancelled"], upstream_entry


def test_sigkill_mid_recording_leaves_every_finished_exchange(processes: Processes, tmp_path: Path) -> None:
    upstream = processes.upstream(speed="1")
    out = tmp_path / "killed.yaml"
    recorder = processes.recorder(upstream, out)
    c = client(recorder, KEY)
    first = _json(c, [{"role": "user", "content": "First question"}])
    second = _stream(c, [{"role": "user", "content": "Second question"}])
    url = f"{recorder.url}/api/v1/chat/completions?project_name=demo"
    with httpx.stream("POST", url, json=SLOW, headers={"X-API-Key": KEY}, timeout=60) as response:
        _first_content(response, lambda: recorder.stop(signal.SIGKILL))
    assert recorder.popen.returncode == -signal.SIGKILL
    scenario = load_scenario(out)
    assert [r.name for r in scenario.rules] == ["#1 user: First question", "#2 user: Second question"]
    assert scenario.strict
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    replay = processes.replay(out)
    assert (
        _json(client(replay), [{"role": "user", "content": "First question"}])["content"] == first["content"]
    )
    assert (
        _stream(client(replay), [{"role": "user", "content": "Second question"}])["content"]
        == second["content"]
    )
