"""Measurements taken inside one Python process: import, fixture start and reset, --speed 0,
a 1,000-rule scenario (loaded and made ready to serve). Prints one JSON line (run by run.py in a
fresh interpreter)."""

from __future__ import annotations

import json
import time

started = time.perf_counter()
from mockpinme import MockPinme  # noqa: E402

imported = time.perf_counter() - started

import httpx  # noqa: E402

from mockpinme.engine.clock import Clock  # noqa: E402
from mockpinme.engine.reply.build import ReplyBuilder  # noqa: E402
from mockpinme.engine.request import ChatRequest  # noqa: E402
from mockpinme.engine.session import Session  # noqa: E402
from mockpinme.scenario import load_text  # noqa: E402

CHAT = "/api/v1/chat/completions?project_name=bench"


def timed(action: object, repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat


def main() -> dict[str, float]:
    server = MockPinme("default", speed=0)
    start_s = timed(server.start)
    reset_s = timed(lambda: server.clear(), repeat=1000)

    server.use(
        {
            "stream": {"ttft_ms": 10_000, "chunk_delay_ms": 1000, "keepalive_ms": 100},
            "rules": [{"respond": {"content": " ".join(["w"] * 20)}}],
        }
    )
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    replies: list[str] = []
    with httpx.Client(headers={"X-API-Key": "k"}) as client:
        client.get(server.url_for("/__mockpinme/health"))
        speed0_s = timed(lambda: replies.append(client.post(server.url_for(CHAT), json=body).text))
    assert replies[0].count("OPENROUTER PROCESSING") == 100 and "[DONE]" in replies[0]
    server.stop()

    rule = (
        "  - when: {{last_user: {{contains: needle-{0}-x}}, model: 'openai/*'}}\n"
        "    respond: {{content: r{0}}}\n"
    )
    rules = "".join(rule.format(i) for i in range(1000))
    loaded: list[Session] = []
    load_s = timed(lambda: loaded.append(Session(load_text("rules:\n" + rules), Clock(), ReplyBuilder())))
    book = loaded[0].rules

    def match_last() -> None:
        request = ChatRequest(
            body={},
            model="openai/gpt-4o-mini",
            messages=[{"role": "user", "content": "the needle-999-x"}],
            stream=False,
            project="p",
            api_key="k",
            nth=1,
        )
        found = book.first_match(request)
        assert found is not None and found.index == 999

    match_s = timed(match_last, repeat=500)
    return {
        "import_s": imported,
        "start_s": start_s,
        "reset_s": reset_s,
        "speed0_s": speed0_s,
        "load_1000_s": load_s,
        "match_1000_us": match_s * 1e6,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
