"""What the inspector reads: the answer kept in the journal, stream timelines, the live events
feed, a request's detail with why its rule answered, the page's files, and the log line per request
(through a real ``mockpinme serve``)."""

from __future__ import annotations

import json
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest

from mockpinme import MockPinme
from mockpinme.engine.events import Feed
from mockpinme.engine.journal import BODY_LIMIT, Entry
from mockpinme.engine.state import SCENARIO_HEADER

from .conftest import HELLO, KEY, ServerFactory, chat_url

BODY: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": HELLO}
STREAM = {**BODY, "stream": True}


def post(server: MockPinme, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        server.url_for(chat_url()), json=body, headers={"X-API-Key": KEY, **headers}, timeout=30
    )


def finished(server: MockPinme) -> Entry:
    for _ in range(200):
        entry = server.last_request
        if entry is not None and entry.duration_ms is not None:
            return entry
        time.sleep(0.01)
    raise AssertionError("the last request never finished")


def journal(server: MockPinme) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = httpx.get(server.url_for("/__mockpinme/requests")).json()["requests"]
    return requests


def test_the_journal_keeps_a_json_answer(server: MockPinme) -> None:
    answered = post(server, BODY)
    entry = journal(server)[-1]
    assert entry["answer"]["body"] == answered.text
    assert entry["answer"]["cut_bytes"] == 0
    assert entry["answer"]["headers"]["X-Generation-Id"] == answered.headers["X-Generation-Id"]
    assert entry["timeline"] is None
    kept = server.requests[-1]
    assert kept.answer_body == answered.content and kept.status == 200


def test_a_long_answer_is_cut_with_a_marker(start_server: ServerFactory) -> None:
    server = start_server({"rules": [{"respond": {"content": "x" * (BODY_LIMIT + 5000)}}]})
    answered = post(server, BODY)
    entry = journal(server)[-1]
    assert len(answered.content) > BODY_LIMIT
    assert entry["answer"]["cut_bytes"] == len(answered.content) - BODY_LIMIT
    assert answered.text.startswith(entry["answer"]["body"]) and len(entry["answer"]["body"]) == BODY_LIMIT


def test_an_error_answer_is_kept_too(start_server: ServerFactory) -> None:
    server = start_server("low-balance")
    refused = post(server, BODY)
    entry = journal(server)[-1]
    assert entry["status"] == 403 and entry["error"] == "pinme.insufficient_balance"
    assert json.loads(entry["answer"]["body"]) == refused.json()


def sse_blocks(text: str) -> list[str]:
    return [b for b in text.replace("\r\n", "\n").split("\n\n") if b]


def test_a_stream_timeline_has_one_event_per_write_in_order(start_server: ServerFactory) -> None:
    server = start_server("slow-stream", speed=20)
    streamed = post(server, STREAM)
    entry = finished(server)
    timeline = journal(server)[-1]["timeline"]
    events = timeline["events"]
    blocks = sse_blocks(streamed.text)
    assert len(events) == len(blocks)
    assert [e["size"] for e in events] == [len(b) + 2 for b in blocks]
    assert journal(server)[-1]["answer"]["body"] == streamed.text
    expected = ["keepalive" if b.startswith(":") else "done" if b == "data: [DONE]" else None for b in blocks]
    assert [e["kind"] if x is not None else None for e, x in zip(events, expected, strict=True)] == expected
    kinds = [e["kind"] for e in events]
    first = kinds.index("content")
    assert set(kinds[:first]) <= {"keepalive", "opening"} and kinds[0] == "keepalive"
    assert kinds[-3:] == ["finish", "usage", "done"]
    assert kinds.count("content") == entry.chunks_sent == timeline["chunks"]
    offsets = [e["at_ms"] for e in events]
    assert offsets == sorted(offsets)
    assert timeline["ttft_ms"] == offsets[first]
    assert len(timeline["gaps_ms"]) == kinds.count("content") - 1
    assert timeline["ended"] == "done"
    # slow-stream: 3 s to the first token, ~0.1 s between tokens (scaled alike by the speed)
    assert timeline["ttft_ms"] > 5 * statistics.median(timeline["gaps_ms"])


@pytest.mark.parametrize(
    ("scenario", "ended", "last_kind"),
    [
        ("mid-stream-error", "error", "done"),
        ("truncated-stream", "truncated", "content"),
        ("dropped-stream", "reset", "reset"),
        ("reasoning", "done", "done"),
    ],
)
def test_how_a_stream_ended(start_server: ServerFactory, scenario: str, ended: str, last_kind: str) -> None:
    server = start_server(scenario)
    body = {**STREAM, "model": "anthropic/claude-sonnet-4.5"} if scenario == "reasoning" else STREAM
    try:
        post(server, body)
    except httpx.HTTPError:
        assert scenario == "dropped-stream"
    finished(server)
    timeline = journal(server)[-1]["timeline"]
    assert timeline["ended"] == ended
    assert timeline["events"][-1]["kind"] == last_kind
    if scenario == "mid-stream-error":
        assert [e["kind"] for e in timeline["events"]][-2] == "error"
    if scenario == "reasoning":
        kinds = [e["kind"] for e in timeline["events"]]
        assert "reasoning" in kinds and kinds.index("reasoning") < kinds.index("content")


def test_a_client_that_leaves_is_recorded(start_server: ServerFactory) -> None:
    server = start_server({"stream": {"ttft_ms": 0, "chunk_delay_ms": 200}}, speed=1)
    with httpx.stream(
        "POST", server.url_for(chat_url()), json=STREAM, headers={"X-API-Key": KEY}
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: {") and '"content":""' not in line:
                break
    entry = finished(server)
    assert entry.ended == "client_left"
    assert journal(server)[-1]["timeline"]["ended"] == "client_left"


def read_events(server: MockPinme, into: queue.Queue[dict[str, Any]], ready: threading.Event) -> None:
    with httpx.stream("GET", server.url_for("/__mockpinme/events"), timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith(": "):
                ready.set()
            if line.startswith("data: "):
                event = json.loads(line[6:])
                into.put(event)
                if event["event"] == "clear":
                    return


def test_the_events_feed_follows_requests_in_order(start_server: ServerFactory) -> None:
    server = start_server()
    got: queue.Queue[dict[str, Any]] = queue.Queue()
    ready = threading.Event()
    reader = threading.Thread(target=read_events, args=(server, got, ready), daemon=True)
    reader.start()
    assert ready.wait(5)
    post(server, BODY)
    post(server, STREAM)
    post(server, BODY, **{SCENARIO_HEADER: "low-balance"})
    httpx.get(server.url_for("/api/v1/models"), headers={"X-API-Key": KEY})
    httpx.post(server.url_for("/__mockpinme/reset"), json={})
    reader.join(10)
    events = [got.get_nowait() for _ in range(got.qsize())]
    expected = [(phase, n) for n in (1, 2, 3, 4) for phase in ("start", "end")]
    assert [(e["event"], e.get("id")) for e in events] == [*expected, ("clear", None)]
    starts, ends = events[0:8:2], events[1:8:2]
    assert all(s["status"] is None and s["duration_ms"] is None for s in starts)
    assert [e["path"] for e in ends] == ["/api/v1/chat/completions"] * 3 + ["/api/v1/models"]
    assert [e["status"] for e in ends] == [200, 200, 403, 200]
    assert [e["scenario"] for e in ends] == ["default", "default", "low-balance", "default"]
    assert [e["rule"] for e in ends[:2]] == ["fallback", "fallback"] and ends[2][
        "error"
    ] == "pinme.insufficient_balance"
    assert [e["stream"] for e in ends] == [False, True, False, False]
    assert ends[1]["timeline"]["ended"] == "done" and ends[1]["timeline"]["chunks"] > 0
    assert ends[0]["timeline"] is None
    assert ends[0]["key"] == "te…ey"


def test_a_slow_reader_loses_events_and_is_told() -> None:
    import asyncio

    from mockpinme.engine.events import Subscription

    async def run() -> tuple[int, int]:
        feed = Feed()
        slow = Subscription(2)
        feed.subscribers.add(slow)
        for _ in range(5):
            feed.publish("clear", None)
        return slow.queue.qsize(), slow.take_lost()

    assert asyncio.run(run()) == (2, 3)


RULES = {
    "rules": [
        {"name": "weather", "when": {"last_user": "weather"}, "respond": {"content": "sunny"}},
        {"name": "claude", "when": {"model": "anthropic/*", "stream": True}, "respond": {"content": "hi"}},
        {"name": "once", "times": 1, "respond": {"content": "first"}},
        {"name": "rest", "respond": {"content": "rest"}},
    ]
}


def detail(server: MockPinme, entry_id: int) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(server.url_for(f"/__mockpinme/requests/{entry_id}")).json()
    return found


def test_a_request_detail_says_why_earlier_rules_did_not_match(start_server: ServerFactory) -> None:
    server = start_server(RULES)
    assert post(server, BODY).json()["choices"][0]["message"]["content"] == "first"
    assert post(server, BODY).json()["choices"][0]["message"]["content"] == "rest"
    first, second = detail(server, 1), detail(server, 2)
    assert first["rule"] == "once"
    assert first["why"]["rules"] == [
        {"rule": "rules[0] (weather)", "matched": False, "failed": ["last_user"]},
        {"rule": "rules[1] (claude)", "matched": False, "failed": ["model", "stream"]},
        {"rule": "rules[2] (once)", "matched": True, "failed": []},
    ]
    assert second["why"]["rules"][2] == {
        "rule": "rules[2] (once)",
        "matched": False,
        "failed": ["used up (times/sequence)"],
    }
    assert second["why"]["rules"][3]["matched"] is True
    assert "closest" not in second["why"]
    assert httpx.get(server.url_for("/__mockpinme/requests/99")).status_code == 404
    assert httpx.get(server.url_for("/__mockpinme/requests/x")).status_code == 404


def test_a_fallback_detail_names_the_closest_rule(start_server: ServerFactory) -> None:
    server = start_server({"rules": RULES["rules"][:2]})
    post(server, {**BODY, "model": "anthropic/claude-sonnet-4.5"})
    why = detail(server, 1)["why"]
    assert why["closest"] == "closest was rules[1] (claude), which failed on: stream"
    assert [r["failed"] for r in why["rules"]] == [["last_user"], ["stream"]]


def test_the_page_and_its_files_are_served_with_a_strict_policy(server: MockPinme) -> None:
    page = httpx.get(server.url_for("/__mockpinme/"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    for src in re.findall(r'(?:src|href)="(inspector/[^"]+)"', page.text):
        asset = httpx.get(server.url_for(f"/__mockpinme/{src}"))
        assert asset.status_code == 200 and len(asset.content) > 500, src
    assert httpx.get(server.url_for("/__mockpinme/inspector/secret.py")).status_code == 404
    assert httpx.get(server.url_for("/__mockpinme/inspector/../cli.py")).status_code == 404


def test_with_a_token_the_page_opens_but_its_data_needs_the_token(start_server: ServerFactory) -> None:
    server = start_server(control_token="s3cret-token")
    assert httpx.get(server.url_for("/__mockpinme/")).status_code == 200
    for path in ("events", "inspector/requests", "inspector/scenario", "requests/1"):
        assert httpx.get(server.url_for(f"/__mockpinme/{path}")).status_code == 401, path
    allowed = httpx.get(
        server.url_for("/__mockpinme/inspector/requests"), headers={"X-Mockpinme-Token": "s3cret-token"}
    )
    assert allowed.status_code == 200


def test_the_scenario_view_draws_balances_and_windows(start_server: ServerFactory) -> None:
    server = start_server(
        {"projects": {"demo": {"balance_usd": 1.0}}, "rate_limits": {"requests_per_minute": 5}}
    )
    post(server, BODY)
    view = httpx.get(server.url_for("/__mockpinme/inspector/scenario")).json()
    assert view["balances"]["demo"]["start_usd"] == 1.0 and 0 < view["balances"]["demo"]["now_usd"] < 1.0
    assert view["rate_limits"]["requests_per_minute"] == 5
    assert view["rate_limits"]["windows"] == {"te…ey": {"requests": 1, "tokens": 0}}
    assert "requests_per_minute: 5" in view["yaml"] and "balance_usd: 1.0" in view["yaml"]
    assert "low-balance" in {b["name"] for b in view["builtins"]}


LOG_LINE = re.compile(
    r"INFO mockpinme: (?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d+) scenario=(?P<scenario>\S+)"
    r"(?: rule=(?P<rule>\S+))?(?: error=(?P<error>\S+))? key=(?P<key>\S+)"
    r"(?: ttft_ms=(?P<ttft>[\d.]+) chunks=(?P<chunks>\d+) end=(?P<end>\w+))? duration_ms=[\d.]+$"
)


def test_one_log_line_per_request_from_a_real_serve() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockpinme", "serve", "--port", "0", "--speed", "0", "--log-level", "debug"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().split()[3]
        assert process.stderr.readline().rstrip("\n") == f"mockpinme inspector: {url}/__mockpinme/"
        headers = {"X-API-Key": "secret-key-123"}
        chat = f"{url}{chat_url()}"
        httpx.post(chat, json=BODY, headers=headers)
        httpx.post(chat, json=STREAM, headers=headers)
        httpx.post(chat, json=BODY, headers={**headers, SCENARIO_HEADER: "low-balance"})
        httpx.get(f"{url}/__mockpinme/requests")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert [line.split(",")[0] for line in out.splitlines()] == ["mockpinme verdict: ok"]
    lines = [line for line in err.splitlines() if " mockpinme: " in line and "/api/" in line]
    found = [LOG_LINE.search(line) for line in lines]
    assert all(found) and len(found) == 3, lines
    plain, streamed, refused = (m.groupdict() for m in found if m)
    assert (plain["method"], plain["path"], plain["status"], plain["scenario"], plain["rule"]) == (
        "POST", "/api/v1/chat/completions", "200", "default", "fallback",
    )  # fmt: skip
    assert plain["ttft"] is None and plain["key"] == "se…23"
    assert streamed["end"] == "done" and int(streamed["chunks"] or 0) > 0 and streamed["ttft"] is not None
    assert (refused["status"], refused["scenario"], refused["error"]) == (
        "403", "low-balance", "pinme.insufficient_balance",
    )  # fmt: skip
    assert "secret-key-123" not in err
    assert not [line for line in err.splitlines() if " faker" in line], "Faker's debug lines are silenced"
    assert "Traceback" not in err
