"""The tables ``run.py`` prints: targets (mockpinme beside the bare server), peers, instructions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callgrind import Count

BARE, MOCK = "bare aiohttp", "mockpinme"
CASES = ("default", "rule-and-added-model")
JSON_TARGET = {"default": 0.9, "rule-and-added-model": 0.85}


@dataclass
class Results:
    """Everything one run measured; a server missing from a measure has a reason in ``skipped``."""

    rounds: int
    streams: int
    rps: dict[str, dict[str, float]] = field(default_factory=dict)
    stream: dict[str, dict[str, Any]] = field(default_factory=dict)
    spawn: dict[str, float] = field(default_factory=dict)
    counts: dict[str, list[Count]] = field(default_factory=dict)
    inner: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


class Targets:
    """Rows of the targets table: what, mockpinme, the other, ratio, target and whether it holds."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(self, what: str, mine: float, other: float | None, unit: str, target: str, holds: bool) -> None:
        ratio = f"{mine / other:.2f}x" if other else "-"
        shown = f"{number(other)} {unit}".strip() if other is not None else "-"
        mark = "" if target == "(info)" else (" yes" if holds else " NO")
        self.rows.append([what, f"{number(mine)} {unit}".strip(), shown, ratio, target + mark])

    def ratio(
        self, what: str, mine: float, other: float, unit: str, at_most: float | None, at_least: float | None
    ) -> None:
        if at_most is not None:
            self.add(what, mine, other, unit, f"<= {at_most}x", mine <= at_most * other)
        elif at_least is not None:
            self.add(what, mine, other, unit, f">= {at_least}x", mine >= at_least * other)
        else:
            self.add(what, mine, other, unit, "(info)", True)

    def holds(self) -> bool:
        return all(not row[4].endswith(" NO") for row in self.rows)


def json_rows(table: Targets, results: Results) -> None:
    for case, rps in results.rps.items():
        label = f"chat JSON, {case}, 32 conns, median of {results.rounds} interleaved runs"
        table.ratio(label, rps[MOCK], rps[BARE], "req/s", None, JSON_TARGET.get(case))
        peers = {name: value for name, value in rps.items() if name not in (MOCK, BARE)}
        if peers:
            best = max(peers, key=peers.__getitem__)
            table.ratio(
                f"chat JSON, {case}, vs the best peer ({best})", rps[MOCK], peers[best], "req/s", None, 1.0
            )


def stream_rows(table: Targets, results: Results) -> None:
    mine, bare = results.stream[MOCK], results.stream[BARE]
    done = f"{results.streams} streams completed (fewest of {results.rounds} interleaved runs)"
    table.add(done, mine["completed"], bare["completed"], "", "all", mine["completed"] == results.streams)
    table.ratio("stream gap error p99", mine["p99_ms"], bare["p99_ms"], "ms", 1.5, None)
    table.ratio("stream gap error p50", mine["p50_ms"], bare["p50_ms"], "ms", None, None)
    table.ratio("stream TTFB p50", mine["ttfb_p50_ms"], bare["ttfb_p50_ms"], "ms", 1.2, None)
    table.ratio("server CPU per chunk", mine["cpu_per_chunk_us"], bare["cpu_per_chunk_us"], "us", 2.0, None)
    table.add("idle RSS", mine["rss_idle_kb"] / 1024, bare["rss_idle_kb"] / 1024, "MB", "<= 60 MB",
              mine["rss_idle_kb"] / 1024 <= 60)  # fmt: skip
    table.add("RSS per open stream", mine["kb_per_stream"], bare["kb_per_stream"], "KB", "<= 40 KB",
              mine["kb_per_stream"] <= 40)  # fmt: skip


def inner_rows(table: Targets, inner: dict[str, float]) -> None:
    table.add("import mockpinme (fixture's first use)", inner["import_s"], None, "s", "(info)", True)
    table.add("fixture: first server start", inner["start_s"], None, "s", "<= 0.1 s", inner["start_s"] <= 0.1)
    table.add(
        "fixture: per-test reset", inner["reset_s"] * 1000, None, "ms", "<= 1 ms", inner["reset_s"] <= 0.001
    )
    table.add("--speed 0, 30 s of delays", inner["speed0_s"], None, "s", "<= 0.1 s", inner["speed0_s"] <= 0.1)
    table.add("1,000 rules: load", inner["load_1000_s"], None, "s", "<= 0.3 s", inner["load_1000_s"] <= 0.3)
    table.add("1,000 rules: match the last", inner["match_1000_us"], None, "us", "<= 50 us",
              inner["match_1000_us"] <= 50)  # fmt: skip


def targets(results: Results) -> Targets:
    table = Targets()
    json_rows(table, results)
    stream_rows(table, results)
    table.ratio("spawn -> first 200", results.spawn[MOCK], results.spawn[BARE], "s", 1.1, None)
    for case, counts in results.counts.items():
        mine, bare = (next(c for c in counts if c.server == name) for name in (MOCK, BARE))
        what = f"instructions per request, {case} (callgrind, {mine.requests} requests)"
        table.ratio(what, mine.request_path, bare.request_path, "", None, None)
    inner_rows(table, results.inner)
    return table


def peers_table(results: Results) -> list[str]:
    """Issue 21's table: every server beside the bare one, or why it is missing."""
    header = ["server", *(f"JSON req/s vs bare, {case}" for case in results.rps),
              "spawn -> first 200", f"{results.streams} streams: gap error p99", "TTFB p50"]  # fmt: skip
    rows = []
    for name in results.order:
        if name in results.skipped:
            rows.append([name, f"not run: {results.skipped[name]}", *["-"] * (len(header) - 2)])
            continue
        cells = [name]
        for rps in results.rps.values():
            cells.append(f"{rps[name] / rps[BARE]:.2f}x ({number(rps[name])})" if name in rps else "-")
        cells.append(f"{results.spawn[name]:.3f} s" if name in results.spawn else "-")
        stream = results.stream.get(name)
        cells.append(f"+{stream['p99_ms']:.1f} ms ({stream['completed']} done)" if stream else "-")
        cells.append(f"{stream['ttfb_p50_ms']:.1f} ms" if stream else "-")
        rows.append(cells)
    return markdown(header, rows)


def instructions_table(results: Results) -> list[str]:
    header = ["server", "case", "warm-up only", "warm-up + N requests", "per request (window)", "vs bare"]
    rows = []
    for case, counts in results.counts.items():
        bare = next(c for c in counts if c.server == BARE)
        for count in counts:
            window = f" ({number(count.window / count.requests)})" if count.window else ""
            rows.append([count.server, f"{case}, N={count.requests}", number(count.without),
                         number(count.with_requests), number(count.per_request) + window,
                         f"{count.request_path / bare.request_path:.2f}x"])  # fmt: skip
    return markdown(header, rows)


def render(results: Results, heading: str) -> tuple[str, bool]:
    table = targets(results)
    lines = [heading, "", *markdown(["what", MOCK, "baseline", "ratio", "target"], table.rows)]
    lines += ["", "Peers (medians of interleaved rounds; ratios to the bare server in this run):", ""]
    lines += peers_table(results)
    if results.counts:
        lines += [
            "",
            "Instructions (callgrind): (total with N requests - total with none) / N, and in"
            " brackets the N requests' window alone, which the ratio uses (the totals also hold"
            " the exit, where mockpinme judges its journal)",
            "",
        ]
        lines += instructions_table(results)
    return "\n".join(lines), table.holds()
