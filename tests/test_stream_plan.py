"""The plan of one stream on the scenario clock: order and proportion of waits, faults, framings."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockpinme.openrouter import sse
from mockpinme.openrouter.plan import Step, StreamEvents, apply_wire, build_plan
from mockpinme.openrouter.timing import Pacer, sample_ms
from mockpinme.scenario import load_scenario
from mockpinme.scenario.model import Fault, StreamProfile, Wire

EVENTS = StreamEvents(
    opening=b"data: open\n\n",
    pieces=[(b"data: p1\n\n", 1), (b"data: p2\n\n", 2), (b"data: p3\n\n", 4), (b"data: p4\n\n", 1)],
    closing=[b"data: finish\n\n", b"data: usage\n\n"],
    error=b"data: error\n\n",
)


def profile(**stream: Any) -> StreamProfile:
    return load_scenario({"stream": stream}).stream


def fault(**options: Any) -> Fault:
    rule = load_scenario({"rules": [{"respond": {"fault": options}}]}).rules[0]
    assert rule.respond.fault is not None
    return rule.respond.fault


def plan(stream: StreamProfile, fault: Fault | None = None, seed: int = 1) -> list[Step]:
    return build_plan(EVENTS, Pacer(stream, random.Random(seed)), fault)


def datas(steps: list[Step]) -> list[bytes]:
    return [s.data for s in steps if s.data and s.data != sse.KEEPALIVE]


def test_keepalives_come_first_and_every_interval_until_the_first_token() -> None:
    steps = plan(profile(ttft_ms=3000, keepalive_ms=500, chunk_delay_ms=100))
    before_first = steps[: [s.data for s in steps].index(b"data: open\n\n") + 1]
    assert before_first[0] == Step(0.0, sse.KEEPALIVE)
    assert [s.data for s in before_first[:-1]] == [sse.KEEPALIVE] * 6
    assert all(s.wait_s <= 0.5 for s in before_first)
    assert sum(s.wait_s for s in before_first) == pytest.approx(3.0)


def test_tokens_per_second_paces_in_proportion_to_tokens() -> None:
    steps = [s for s in plan(profile(ttft_ms=0, tokens_per_s=10)) if s.content]
    assert [round(s.wait_s, 6) for s in steps] == [0.1, 0.2, 0.4, 0.1]


def test_chunk_delay_gives_every_chunk_the_same_wait() -> None:
    steps = [s for s in plan(profile(ttft_ms=0, chunk_delay_ms=100, tokens_per_s=1)) if s.content]
    assert [s.wait_s for s in steps] == [0.1] * 4


def test_jitter_stays_in_bounds_and_follows_the_seed() -> None:
    stream = profile(ttft_ms=0, chunk_delay_ms=100, jitter=0.2)
    waits = [s.wait_s for s in plan(stream, seed=3) if s.content]
    assert all(0.08 <= w <= 0.12 for w in waits)
    assert len(set(waits)) > 1
    assert waits == [s.wait_s for s in plan(stream, seed=3) if s.content]
    assert waits != [s.wait_s for s in plan(stream, seed=4) if s.content]


def test_distributions() -> None:
    rng = random.Random(0)
    uniform = profile(ttft_ms={"uniform": {"lower": 100, "upper": 300}}).ttft_ms
    draws = [sample_ms(uniform, rng) for _ in range(500)]
    assert 100 <= min(draws) < 120 and 280 < max(draws) <= 300
    lognormal = profile(ttft_ms={"lognormal": {"median": 200, "sigma": 0.5, "max": 600}}).ttft_ms
    draws = sorted(sample_ms(lognormal, rng) for _ in range(1001))
    assert 170 < draws[500] < 230
    assert max(draws) == 600
    assert sample_ms(profile(ttft_ms={"fixed": 42}).ttft_ms, rng) == 42


def test_a_normal_stream_ends_with_finish_usage_done() -> None:
    assert datas(plan(profile(ttft_ms=0)))[-3:] == [b"data: finish\n\n", b"data: usage\n\n", sse.DONE]


def test_stream_error_after_n_chunks_then_done() -> None:
    steps = plan(profile(ttft_ms=0), fault(after_chunks=2, stream_error={}))
    assert datas(steps) == [b"data: open\n\n", b"data: p1\n\n", b"data: p2\n\n", b"data: error\n\n", sse.DONE]
    without_done = plan(profile(ttft_ms=0), fault(after_chunks=2, stream_error={"done": False}))
    assert datas(without_done)[-1] == b"data: error\n\n"


def test_truncate_ends_without_finish_usage_or_done() -> None:
    steps = plan(profile(ttft_ms=0), fault(after_chunks=3, truncate=True))
    assert datas(steps) == [b"data: open\n\n", b"data: p1\n\n", b"data: p2\n\n", b"data: p3\n\n"]
    assert steps[-1].action == "write"


def test_disconnect_and_stall_are_the_last_step() -> None:
    dropped = plan(profile(ttft_ms=0), fault(after_chunks=1, disconnect=True))
    assert (datas(dropped), dropped[-1].action) == ([b"data: open\n\n", b"data: p1\n\n"], "reset")
    stalled = plan(profile(ttft_ms=0), fault(after_chunks=1, stall={"max_s": 7}))
    assert (stalled[-1].action, stalled[-1].hold_s) == ("stall", 7)


def test_malformed_inserts_one_broken_event_and_goes_on() -> None:
    steps = plan(profile(ttft_ms=0), fault(after_chunks=1, malformed=True))
    assert datas(steps)[:4] == [b"data: open\n\n", b"data: p1\n\n", b"data: error\n\n", b"data: p2\n\n"]
    assert datas(steps)[-1] == sse.DONE


def test_fault_after_more_chunks_than_there_are_sends_them_all() -> None:
    steps = plan(profile(ttft_ms=0), fault(after_chunks=99, truncate=True))
    assert len([s for s in steps if s.content]) == 4


def test_the_plan_follows_the_seed_only() -> None:
    stream = profile(ttft_ms={"uniform": {"lower": 100, "upper": 900}}, jitter=0.3, chunk_delay_ms=50)
    waits = [s.wait_s for s in plan(stream, seed=9)]
    assert waits == [s.wait_s for s in plan(stream, seed=9)]
    assert waits != [s.wait_s for s in plan(stream, seed=10)]
    assert datas(plan(stream, seed=9)) == datas(plan(stream, seed=10))


@pytest.mark.parametrize(
    "wire",
    [
        Wire(crlf=True),
        Wire(split=3),
        Wire(batch=3),
        Wire(keepalive_between=True),
        Wire(crlf=True, split=3, batch=2, keepalive_between=True),
    ],
)
def test_wire_variants_carry_the_same_events(wire: Wire) -> None:
    plain = plan(profile(ttft_ms=0, chunk_delay_ms=10))
    framed = apply_wire(plain, wire)
    text = b"".join(s.data for s in framed).replace(b"\r\n", b"\n")
    events = [e for e in text.split(b"\n\n") if e and e != sse.KEEPALIVE.strip()]
    assert events == [e.strip() for e in datas(plain)]
    assert sum(s.wait_s for s in framed) == pytest.approx(sum(s.wait_s for s in plain))
    if wire.split > 1:
        assert len(framed) > len(plain)
    if wire.batch > 1 and wire.split == 1:
        assert any(s.data.count(b"data: ") == wire.batch for s in framed)
    if wire.keepalive_between:
        assert text.count(sse.KEEPALIVE) > len(datas(plain))
    if wire.crlf:
        assert b"\n\n" not in b"".join(s.data for s in framed)
