"""Streams through real clients: the openai SDKs, @openrouter/sdk, httpx and aiohttp."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import httpx
import openai
import pytest

from mockpinme import MockPinme
from mockpinme.openrouter import tokens

from .conftest import HELLO, KEY, ServerFactory, chat_url, sdk
from .node_sdk import node_sdk

BODY: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": HELLO}


def test_in_band_error_raises_api_error_after_the_earlier_chunks(start_server: ServerFactory) -> None:
    client = sdk(start_server("mid-stream-error"))
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(**BODY, stream=True):
            received.append(chunk)
    assert not isinstance(caught.value, openai.APIStatusError)
    assert caught.value.message == "Provider disconnected"
    assert caught.value.body == {
        "code": 502,
        "message": "Provider disconnected",
        "metadata": {"error_type": "provider_unavailable"},
    }
    contents = [c.choices[0].delta.content for c in received]
    assert len([c for c in contents if c]) == 3


def test_in_band_error_without_stream_is_an_error_on_the_choice(start_server: ServerFactory) -> None:
    client = sdk(start_server("mid-stream-error"))
    raw = client.chat.completions.with_raw_response.create(**BODY)
    assert raw.status_code == 200
    choice = raw.http_response.json()["choices"][0]
    assert choice["finish_reason"] == "error"
    assert choice["error"]["code"] == 502
    assert len(choice["message"]["content"].split()) == 3
    usage = raw.http_response.json()["usage"]
    assert usage["completion_tokens"] == tokens.count(choice["message"]["content"])


def test_node_openai_sdk_throws_on_the_in_band_error(start_server: ServerFactory) -> None:
    out = node_sdk(start_server("mid-stream-error"), "openai", "stream", BODY)
    assert out["error"]["name"] == "APIError"
    assert out["error"]["message"] == "Provider disconnected"
    assert len([c for c in out["chunks"] if c["choices"][0]["delta"].get("content")]) == 3


def test_openrouter_sdk_surfaces_the_in_band_error_as_chunk_error(start_server: ServerFactory) -> None:
    out = node_sdk(start_server("mid-stream-error"), "openrouter", "stream", BODY)
    assert out["ok"], out["stderr"]
    last = out["chunks"][-1]
    assert last["error"] == {
        "code": 502,
        "message": "Provider disconnected",
        "metadata": {"errorType": "provider_unavailable"},
    }
    assert last["choices"][0]["finishReason"] == "error"


@pytest.mark.parametrize("scenario", ["default", "sse-edge-cases", "slow-stream"])
def test_openrouter_sdk_accepts_every_chunk(start_server: ServerFactory, scenario: str) -> None:
    server = start_server(scenario)
    out = node_sdk(server, "openrouter", "stream", BODY)
    assert out["ok"], out["stderr"]
    whole = sdk(server).chat.completions.create(**BODY)
    assert out["content"] == whole.choices[0].message.content
    usage_chunk = out["chunks"][-1]
    assert [c["finishReason"] for c in usage_chunk["choices"]] == ["stop"]
    assert usage_chunk["usage"]["totalTokens"] == whole.usage.total_tokens  # type: ignore[union-attr]


@pytest.mark.parametrize("scenario", ["default", "sse-edge-cases"])
def test_node_openai_sdk_reads_the_whole_stream(start_server: ServerFactory, scenario: str) -> None:
    server = start_server(scenario)
    out = node_sdk(server, "openai", "stream", BODY)
    assert out["ok"], out["stderr"]
    assert out["content"] == sdk(server).chat.completions.create(**BODY).choices[0].message.content


def test_python_sdk_survives_the_edge_case_framings(start_server: ServerFactory) -> None:
    plain = sdk(start_server()).chat.completions.create(**BODY).choices[0].message.content
    chunks = list(sdk(start_server("sse-edge-cases")).chat.completions.create(**BODY, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == plain
    assert chunks[-1].usage is not None


def test_truncated_stream_ends_without_finish_or_usage(start_server: ServerFactory) -> None:
    server = start_server("truncated-stream")
    chunks = list(sdk(server).chat.completions.create(**BODY, stream=True))
    assert len([c for c in chunks if c.choices[0].delta.content]) == 3
    assert all(c.choices[0].finish_reason is None and c.usage is None for c in chunks)
    raw = httpx.post(server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY})
    assert "[DONE]" not in raw.text


def test_malformed_event_breaks_a_strict_parser(start_server: ServerFactory) -> None:
    server = start_server({"rules": [{"respond": {"fault": {"malformed": True, "after_chunks": 2}}}]})
    with pytest.raises(ValueError):
        list(sdk(server).chat.completions.create(**BODY, stream=True))


def test_httpx_sees_a_connection_error_on_disconnect(start_server: ServerFactory) -> None:
    server = start_server("dropped-stream")
    received = []
    with (
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
        httpx.stream(
            "POST", server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY}
        ) as response,
    ):
        for line in response.iter_lines():
            received.append(line)
    assert len([x for x in received if x.startswith("data: {")]) == 3


def test_httpx_read_timeout_on_stall(start_server: ServerFactory) -> None:
    server = start_server("stalled-stream")
    with (
        pytest.raises(httpx.ReadTimeout),
        httpx.stream(
            "POST",
            server.url_for(chat_url()),
            json={**BODY, "stream": True},
            headers={"X-API-Key": KEY},
            timeout=httpx.Timeout(5, read=0.5),
        ) as response,
    ):
        for _ in response.iter_lines():
            pass
    assert httpx.get(server.url_for("/__mockpinme/health")).status_code == 200


async def _aiohttp_read(server: MockPinme, timeout: float = 5) -> list[bytes]:
    lines = []
    timeouts = aiohttp.ClientTimeout(sock_read=timeout)
    async with (
        aiohttp.ClientSession(timeout=timeouts) as session,
        session.post(
            server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY}
        ) as response,
    ):
        async for line in response.content:
            lines.append(line)
    return lines


async def test_aiohttp_sees_a_connection_error_on_disconnect(start_server: ServerFactory) -> None:
    server = start_server("dropped-stream")
    with pytest.raises(aiohttp.ClientError):
        await _aiohttp_read(server)


async def test_aiohttp_read_timeout_on_stall(start_server: ServerFactory) -> None:
    server = start_server("stalled-stream")
    with pytest.raises(asyncio.TimeoutError):
        await _aiohttp_read(server, timeout=0.5)


def test_openai_sdk_retries_and_times_out_on_stall_without_hanging(start_server: ServerFactory) -> None:
    client = sdk(start_server("stalled-stream"), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        list(client.chat.completions.create(**BODY, stream=True))
    assert time.monotonic() - started < 5


def test_slow_stream_keeps_alive_before_its_first_token(start_server: ServerFactory) -> None:
    server = start_server("slow-stream")
    text = httpx.post(
        server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY}
    ).text
    before = text[: text.index("data: ")]
    assert before.count(": OPENROUTER PROCESSING") == 6


async def test_two_hundred_streams_half_abandoned(
    start_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = start_server({"stream": {"ttft_ms": 50, "chunk_delay_ms": 20}}, speed=1)
    caplog.set_level(logging.DEBUG)

    async def one(session: aiohttp.ClientSession, abandon: bool) -> int:
        async with session.post(
            server.url_for(chat_url()), json={**BODY, "stream": True}, headers={"X-API-Key": KEY}
        ) as response:
            events = 0
            async for line in response.content:
                if line.startswith(b"data: "):
                    events += 1
                    if abandon and events == 2:
                        response.close()
                        return events
            return events

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        counts = await asyncio.gather(*(one(session, abandon=i % 2 == 0) for i in range(200)))
    assert counts[0::2] == [2] * 100
    assert min(counts[1::2]) > 5 and len(set(counts[1::2])) == 1
    await asyncio.sleep(0.2)
    async with aiohttp.ClientSession() as session, session.get(server.url_for("/__mockpinme/health")) as r:
        assert r.status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not server.state.runtime.failures
    left = [r for r in caplog.records if "client left stream" in r.getMessage()]
    assert len(left) == 100


def test_json_latency_runs_on_the_scaled_clock(start_server: ServerFactory) -> None:
    scenario = {"rules": [{"respond": {"latency_ms": 4000}}]}
    elapsed = []
    for speed in (0, 20):
        client = sdk(start_server(scenario, speed=speed))
        started = time.monotonic()
        client.chat.completions.create(**BODY)
        elapsed.append(time.monotonic() - started)
    assert elapsed[0] < 0.2 <= elapsed[1]
