"""Web search: the server tool, the legacy plugin and :online; citations, usage and fees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from mockpinme import MockPinme

from .conftest import KEY, ServerFactory, chat_url

QUESTION = [{"role": "user", "content": "What changed in fusion energy research this year?"}]


def search_tool(**parameters: Any) -> dict[str, Any]:
    return {"type": "openrouter:web_search", "parameters": parameters}


def chat(server: MockPinme, **body: Any) -> dict[str, Any]:
    body.setdefault("model", "openai/gpt-4o-mini")
    body.setdefault("messages", QUESTION)
    response = httpx.post(server.url_for(chat_url()), json=body, headers={"X-API-Key": KEY})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def citations(body: dict[str, Any]) -> list[dict[str, Any]]:
    message = body["choices"][0]["message"]
    return [a["url_citation"] for a in message["annotations"] if a["type"] == "url_citation"]


def test_server_tool_answers_with_citations_that_point_into_the_content(start_server: ServerFactory) -> None:
    body = chat(start_server(), tools=[search_tool(max_results=3, max_total_results=10)])
    choice = body["choices"][0]
    content = choice["message"]["content"]
    assert choice["finish_reason"] == "stop"
    assert "tool_calls" not in choice["message"]
    found = citations(body)
    assert len(found) == 3
    for citation in found:
        assert citation["title"] and citation["content"]
        cited = content[citation["start_index"] : citation["end_index"]]
        assert citation["url"] in cited and cited.startswith("[")
    assert body["usage"]["server_tool_use_details"] == {
        "tool_calls_requested": 1,
        "tool_calls_executed": 1,
        "web_search_requests": 1,
    }


def test_max_total_results_and_domain_filters(start_server: ServerFactory) -> None:
    server = start_server()
    capped = chat(server, tools=[search_tool(max_results=8, max_total_results=2)])
    assert len(citations(capped)) == 2
    allowed = chat(server, tools=[search_tool(max_results=4, allowed_domains=["nature.com", "iter.org"])])
    assert {c["url"].split("/")[2] for c in citations(allowed)} == {"nature.com", "iter.org"}
    excluded = chat(server, tools=[search_tool(max_results=4, excluded_domains=["example.com"])])
    assert all("example.com/" not in c["url"] for c in citations(excluded))


def _token_cost(body: dict[str, Any], prompt: str, completion: str) -> Decimal:
    usage = body["usage"]
    return Decimal(prompt) * usage["prompt_tokens"] + Decimal(completion) * usage["completion_tokens"]


def test_search_fee_is_added_to_the_cost(start_server: ServerFactory) -> None:
    server = start_server()
    exa = chat(server, tools=[search_tool(engine="exa", max_results=3)])
    fee = Decimal(str(exa["usage"]["cost"])) - _token_cost(exa, "0.00000015", "0.0000006")
    assert abs(fee - Decimal("0.007")) < Decimal("1e-9")
    native = chat(server, model="openai/gpt-5.2", tools=[search_tool(engine="native")])
    fee = Decimal(str(native["usage"]["cost"])) - _token_cost(native, "0.00000175", "0.000014")
    assert abs(fee - Decimal("0.01")) < Decimal("1e-9")
    many = chat(server, tools=[search_tool(engine="exa", max_results=15)])
    fee = Decimal(str(many["usage"]["cost"])) - _token_cost(many, "0.00000015", "0.0000006")
    assert abs(fee - Decimal("0.012")) < Decimal("1e-9")


def test_legacy_plugin_and_online_suffix(start_server: ServerFactory) -> None:
    server = start_server()
    plugin = chat(server, plugins=[{"id": "web", "max_results": 2, "include_domains": ["example.org"]}])
    assert [c["url"].split("/")[2] for c in citations(plugin)] == ["example.org", "example.org"]
    online = chat(server, model="openai/gpt-4o-mini:online")
    assert online["model"] == "openai/gpt-4o-mini:online"
    assert len(citations(online)) == 5
    plain = chat(server)
    assert "annotations" not in plain["choices"][0]["message"]
    assert "server_tool_use_details" not in plain["usage"]


def test_scripted_results_are_cited_where_the_content_links_them(start_server: ServerFactory) -> None:
    body = chat(
        start_server("web-search"),
        messages=[{"role": "user", "content": "What is PinMe?"}],
        tools=[search_tool(max_results=5)],
    )
    content = body["choices"][0]["message"]["content"]
    found = citations(body)
    assert [c["url"] for c in found] == ["https://pinme.cloud/docs/workers", "https://pinme.cloud/docs/llm"]
    assert content.endswith("([pinme.cloud](https://pinme.cloud/docs/llm)).")
    for citation in found:
        assert content[citation["start_index"] : citation["end_index"]] == f"[pinme.cloud]({citation['url']})"


def test_streamed_search_keeps_alive_and_cites_early(start_server: ServerFactory) -> None:
    server = start_server({"stream": {"ttft_ms": 0, "keepalive_ms": 100, "search_ms": 1000}})
    whole = chat(server, tools=[search_tool(max_results=2)])
    text = httpx.post(
        server.url_for(chat_url()),
        json={
            "model": "openai/gpt-4o-mini",
            "messages": QUESTION,
            "tools": [search_tool(max_results=2)],
            "stream": True,
        },
        headers={"X-API-Key": KEY},
    ).text
    assert text[: text.index("data: ")].count(": OPENROUTER PROCESSING") == 10
    first = text[text.index("data: ") :].split("\n\n")[0]
    assert '"annotations":[' in first and '"content":""' in first
    assert whole["choices"][0]["message"]["annotations"][0]["url_citation"]["url"] in first
