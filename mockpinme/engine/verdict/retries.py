"""``retries.*``: Retry-After honoured, no re-send of what cannot change, at most ``max``, backoff."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from ...scenario.expect import ExpectRetries
from ..journal import Entry
from .findings import Finding
from .resends import EPSILON_S, Chain, Resend

RETRY_AFTER_STATUSES = frozenset({429, 503})
BACKOFF_FACTOR = 1.5
RetriesOf = Callable[[Entry], ExpectRetries]


def _what(entry: Entry) -> str:
    status = "no status" if entry.status is None else str(entry.status)
    return f"{status} ({entry.error})" if entry.error else status


def _ids(resends: list[Resend]) -> tuple[int, ...]:
    return tuple(sorted({i for r in resends for i in (r.previous.id, r.entry.id)}))


def _waits(resends: list[Resend]) -> str:
    return ", ".join(f"#{r.entry.id} after {r.wait_s:.2f} s" for r in resends)


def _honours_retry_after(r: Resend) -> bool:
    wanted = r.previous.retry_after_s
    return wanted is None or r.previous.status not in RETRY_AFTER_STATUSES or r.wait_s + EPSILON_S >= wanted


def _retry_after(chain: Chain, expect: ExpectRetries) -> list[Finding]:
    if not expect.retry_after:
        return []
    judged = [r for r in chain.resends if r.previous.retry_after_s is not None]
    early = [r for r in judged if not _honours_retry_after(r)]
    if early:
        detail = "re-sent before Retry-After had passed: " + "; ".join(
            f"#{r.entry.id} came {r.wait_s:.2f} s after #{r.previous.id}'s {_what(r.previous)},"
            f" whose Retry-After asked for {r.previous.retry_after_s:g} s"
            for r in early
        )
        return [Finding("retries.retry_after", False, detail, _ids(early))]
    if judged:
        detail = f"waited for Retry-After: {_waits(judged)}"
        return [Finding("retries.retry_after", True, detail, _ids(judged))]
    return []


def _no_retry(chain: Chain, expect: ExpectRetries) -> list[Finding]:
    judged = [r for r in chain.resends if r.previous.status in expect.no_retry]
    if not judged:
        return []
    after = ", ".join(f"#{r.entry.id} after #{r.previous.id}'s {_what(r.previous)}" for r in judged)
    detail = f"re-sent a request whose answer cannot change by retrying: {after}"
    return [Finding("retries.no_retry", False, detail, _ids(judged))]


def _max(chain: Chain, expect: ExpectRetries) -> list[Finding]:
    if expect.max is None or len(chain.resends) <= expect.max:
        return []
    ids = (chain.first.id, *(r.entry.id for r in chain.resends))
    detail = f"sent the same request {len(ids)} times: {len(ids) - 1} re-sends, at most {expect.max} expected"
    return [Finding("retries.max", False, detail, ids)]


def _backoff(chain: Chain, expect: ExpectRetries) -> list[Finding]:
    plain = [r for r in chain.resends if r.previous.retry_after_s is None]
    problems: list[tuple[Resend, str]] = [
        (r, f"#{r.entry.id} after {r.wait_s:.2f} s, less than {expect.min_wait_s:g} s")
        for r in plain
        if r.wait_s + EPSILON_S < expect.min_wait_s
    ]
    if expect.backoff == "exponential":
        for before, r in itertools.pairwise(plain):
            wanted = before.wait_s * BACKOFF_FACTOR
            if r.previous is before.entry and r.wait_s + EPSILON_S < wanted:
                problems.append((r, f"#{r.entry.id} after {r.wait_s:.2f} s, less than {wanted:.2f} s"))
    if problems:
        detail = "re-sent without backing off: " + "; ".join(text for _, text in problems)
        return [Finding("retries.backoff", False, detail, _ids([r for r, _ in problems]))]
    if plain and (expect.min_wait_s > 0 or expect.backoff == "exponential"):
        return [Finding("retries.backoff", True, f"backed off: {_waits(plain)}", _ids(plain))]
    return []


def judge_retries(chains: list[Chain], retries_of: RetriesOf) -> list[Finding]:
    """Findings on every chain of re-sends, each under the expectations of its first request's scenario."""
    findings: list[Finding] = []
    for chain in chains:
        if not chain.resends:
            continue
        expect = retries_of(chain.first)
        for check in (_retry_after, _no_retry, _max, _backoff):
            findings += check(chain, expect)
    return findings
