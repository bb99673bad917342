"""Rule matching over HTTP: every matcher, templates, sequences, times, strict mode."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from .conftest import HELLO, KEY, PROJECT, ServerFactory, chat_url, sdk


def ask(client: openai.OpenAI, text: str = "Hello!", **body: Any) -> str | None:
    messages = body.pop("messages", [{"role": "user", "content": text}])
    body.setdefault("model", "openai/gpt-4o-mini")
    return client.chat.completions.create(messages=messages, **body).choices[0].message.content


def rules(*items: dict[str, Any], **scenario: Any) -> dict[str, Any]:
    return {"rules": list(items), **scenario}


def test_regex_groups_and_request_fields_fill_the_template(start_server: ServerFactory) -> None:
    client = sdk(
        start_server(
            rules(
                {
                    "when": {"last_user": {"regex": r"weather in (?P<city>\w+)"}},
                    "respond": {"content": "Sunny in {city} for {project} via {model}; {unknown} stays"},
                }
            )
        )
    )
    assert ask(client, "What is the weather in Lisbon?") == (
        f"Sunny in Lisbon for {PROJECT} via openai/gpt-4o-mini; {{unknown}} stays"
    )


def test_templates_never_evaluate(start_server: ServerFactory) -> None:
    client = sdk(start_server(rules({"respond": {"content": "{last_user.__class__} {0} {nth!r}"}})))
    assert ask(client, "x") == "{last_user.__class__} {0} {nth!r}"


def test_model_glob_list_and_stream(start_server: ServerFactory) -> None:
    client = sdk(
        start_server(
            rules(
                {
                    "when": {"model": ["anthropic/*", "google/*"], "stream": False},
                    "respond": {"content": "A"},
                },
                {"when": {"model": "openai/gpt-4o-mini"}, "respond": {"content": "B"}},
            )
        )
    )
    assert ask(client, model="anthropic/claude-haiku-4.5") == "A"
    assert ask(client, model="google/gemini-2.5-flash") == "A"
    assert ask(client) == "B"
    chunks = client.chat.completions.create(
        model="anthropic/claude-haiku-4.5", messages=[{"role": "user", "content": "x"}], stream=True
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) not in ("A", "B")


def test_text_matchers(start_server: ServerFactory) -> None:
    client = sdk(
        start_server(
            rules(
                {"when": {"system": {"contains": "pirate"}}, "respond": {"content": "Arr"}},
                {"when": {"any_message": {"equals": "remember me"}}, "respond": {"content": "remembered"}},
                {"when": {"last_user": "help"}, "respond": {"content": "helping"}},
            )
        )
    )
    pirate = [{"role": "system", "content": "Talk like a pirate"}, {"role": "user", "content": "hi"}]
    assert ask(client, messages=pirate) == "Arr"
    earlier = [
        {"role": "user", "content": "remember me"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "now?"},
    ]
    assert ask(client, messages=earlier) == "remembered"
    assert ask(client, "please help") == "helping"
    assert ask(client, "nothing") not in ("Arr", "remembered", "helping")


def test_header_and_query(start_server: ServerFactory) -> None:
    server = start_server(
        rules(
            {"when": {"header": {"X-Test-Case": "retry"}}, "respond": {"content": "by header"}},
            {"when": {"query": {"variant": {"regex": "^b"}}}, "respond": {"content": "by query"}},
        )
    )
    assert ask(sdk(server, headers={"X-Test-Case": "retry"})) == "by header"
    response = httpx.post(
        server.url_for(chat_url() + "&variant=beta"),
        headers={"X-API-Key": KEY},
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]},
    )
    assert response.json()["choices"][0]["message"]["content"] == "by query"


def test_groups_from_headers_fill_templates_per_request(start_server: ServerFactory) -> None:
    server = start_server(
        rules(
            {"when": {"header": {"X-User": {"regex": "(?P<user>\\w+)"}}}, "respond": {"content": "Hi {user}"}}
        )
    )
    assert ask(sdk(server, headers={"X-User": "ada"})) == "Hi ada"
    assert ask(sdk(server, headers={"X-User": "grace"})) == "Hi grace"


def test_tool_has_tools_tool_result_and_response_format(start_server: ServerFactory) -> None:
    client = sdk(
        start_server(
            rules(
                {"when": {"tool_result": "get_time"}, "respond": {"content": "time result seen"}},
                {"when": {"tool": "get_time"}, "respond": {"content": "has get_time"}},
                {"when": {"tool": "openrouter:web_search"}, "respond": {"content": "searching"}},
                {"when": {"has_tools": True}, "respond": {"content": "some tool"}},
                {"when": {"response_format": "json_object"}, "respond": {"content": "{}"}},
            )
        )
    )
    get_time = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}
    other = {"type": "function", "function": {"name": "other", "parameters": {"type": "object"}}}
    assert ask(client, tools=[get_time]) == "has get_time"
    assert ask(client, tools=[other]) == "some tool"
    search = {"type": "openrouter:web_search", "parameters": {"max_results": 1}}
    assert ask(client, extra_body={"tools": [search]}).startswith("searching")  # type: ignore[union-attr]
    assert ask(client, response_format={"type": "json_object"}) == "{}"
    after = [
        {"role": "user", "content": "what time is it"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "12:00"},
    ]
    assert ask(client, messages=after, tools=[get_time]) == "time result seen"


def test_nth_counts_chat_calls_and_resets_with_the_scenario(start_server: ServerFactory) -> None:
    scenario = rules({"when": {"nth": 2}, "respond": {"content": "second"}})
    server = start_server(scenario)
    client = sdk(server)
    assert [ask(client) == "second" for _ in range(3)] == [False, True, False]
    server.use(scenario)
    assert [ask(client) == "second" for _ in range(2)] == [False, True]


def test_probability_is_seeded(start_server: ServerFactory) -> None:
    scenario = rules({"when": {"probability": 0.5}, "respond": {"content": "hit"}}, seed=3)
    runs = []
    for _ in range(2):
        client = sdk(start_server(scenario))
        runs.append([ask(client) == "hit" for _ in range(40)])
    assert runs[0] == runs[1]
    assert 8 < sum(runs[0]) < 32


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        ("repeat_last", ["a", "b", "b", "b"]),
        ("cycle", ["a", "b", "a", "b"]),
        ("fall_through", ["a", "b", "after", "after"]),
    ],
)
def test_sequences_and_their_exhaustion(start_server: ServerFactory, then: str, expected: list[str]) -> None:
    client = sdk(
        start_server(
            rules(
                {"respond": [{"content": "a"}, {"content": "b"}], "then": then},
                {"respond": {"content": "after"}},
            )
        )
    )
    assert [ask(client) for _ in range(4)] == expected


def test_times_caps_a_rule(start_server: ServerFactory) -> None:
    client = sdk(
        start_server(
            rules({"respond": {"error": "openrouter.internal"}, "times": 2}, {"respond": {"content": "ok"}})
        )
    )
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            ask(client)
    assert ask(client) == "ok"


def test_strict_scenario_says_no_rule_matched_and_the_closest(start_server: ServerFactory) -> None:
    client = sdk(
        start_server(
            rules(
                {
                    "name": "weather",
                    "when": {"last_user": "weather", "model": "openai/*"},
                    "respond": {"content": "w"},
                },
                {
                    "name": "claude",
                    "when": {"model": "anthropic/*", "stream": True},
                    "respond": {"content": "c"},
                },
                strict=True,
            )
        )
    )
    assert ask(client, "weather please") == "w"
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, "something else")
    error = caught.value.response.json()["error"]
    assert error["code"] == 400
    assert error["message"] == (
        "mockpinme: no rule matched this request (strict scenario);"
        " closest was rules[0] (weather), which failed on: last_user"
    )


def test_substring_index_finds_exactly_what_a_plain_scan_finds() -> None:
    import random

    from mockpinme.engine.prefilter import Substrings

    rng = random.Random(4)
    alphabet = "abcde -"
    needles = ["".join(rng.choices(alphabet, k=rng.randint(1, 6))) for _ in range(300)]
    index = Substrings(needles)
    for length in (0, 5, 40, 2000):
        for _ in range(20):
            text = "".join(rng.choices(alphabet, k=length))
            assert index.found(text) == [i for i, n in enumerate(needles) if n in text]


def test_mixed_runs_keep_rule_order(start_server: ServerFactory) -> None:
    many = [{"when": {"last_user": f"needle-{i}-x"}, "respond": {"content": f"r{i}"}} for i in range(300)]
    client = sdk(
        start_server(
            rules(
                *many[:150],
                {
                    "when": {"model": "openai/gpt-4o-mini", "last_user": "needle-200"},
                    "respond": {"content": "model"},
                },
                {"when": {"last_user": {"equals": "exact"}}, "respond": {"content": "equals"}},
                {"when": {"nth": 1000}, "respond": {"content": "never"}},
                *many[150:],
            )
        )
    )
    assert ask(client, "the needle-20-x") == "r20"
    assert ask(client, "needle-200-x") == "model"
    assert ask(client, "needle-200-x", model="openai/gpt-4o") == "r200"
    assert ask(client, "exact") == "equals"
    assert ask(client, "needle-299-x and needle-7-x") == "r7"


def test_nth_in_a_text_counts_calls_even_for_the_same_request(start_server: ServerFactory) -> None:
    server = start_server({"rules": [{"respond": {"content": "call {nth} for {project}"}}]})
    client = sdk(server)
    texts = [client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO) for _ in range(2)]
    assert [t.choices[0].message.content for t in texts] == ["call 1 for demo", "call 2 for demo"]
    other = sdk(server, project="other").chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    assert other.choices[0].message.content == "call 3 for other"


def test_a_text_without_nth_is_prepared_once(start_server: ServerFactory) -> None:
    server = start_server({"rules": [{"respond": {"content": "always the same"}}]})
    client = sdk(server)
    for _ in range(3):
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=HELLO)
    assert len(server.state.scenarios.active.replies) == 1
