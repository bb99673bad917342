"""What the verdict found: one finding per check and case, and the whole verdict in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One judgement: which check, whether the client passed it, why, and the journal ids it is about."""

    check: str
    ok: bool
    detail: str
    requests: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "requests": list(self.requests)}

    def __str__(self) -> str:
        ids = f" (requests {', '.join(f'#{i}' for i in self.requests)})" if self.requests else ""
        return f"{self.check}: {self.detail}{ids}"


@dataclass(frozen=True)
class Verdict:
    """Did the client behave, judged over the journal since the last reset. ``ok`` when no finding failed."""

    findings: tuple[Finding, ...]
    judged: int = 0

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        """The findings that did not pass."""
        return [f for f in self.findings if not f.ok]

    def to_json(self) -> dict[str, Any]:
        """The verdict as ``GET /__mockpinme/verdict`` returns it."""
        return {"ok": self.ok, "judged": self.judged, "findings": [f.to_json() for f in self.findings]}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Verdict:
        """A verdict read back from the control API."""
        findings = tuple(
            Finding(f["check"], bool(f["ok"]), str(f["detail"]), tuple(f.get("requests", ())))
            for f in body.get("findings", ())
        )
        return cls(findings, int(body.get("judged", 0)))

    def explain(self) -> str:
        """The failed findings, one a line; or a line saying all passed."""
        if self.ok:
            return f"the client behaved: {self.summary()}"
        lines = [f"the client did not behave ({len(self.failures)} finding(s) failed):"]
        return "\n".join([*lines, *(f"  - {f}" for f in self.failures)])

    def summary(self) -> str:
        """One line: ok or the failed checks, with the number of requests judged."""
        if self.ok:
            passed = sorted({f.check for f in self.findings})
            checks = f"; checks passed: {', '.join(passed)}" if passed else ""
            return f"ok, {self.judged} request(s) judged{checks}"
        failed: dict[str, list[int]] = {}
        for f in self.failures:
            failed.setdefault(f.check, []).extend(f.requests)
        parts = [f"{check} ({', '.join(f'#{i}' for i in ids)})" for check, ids in failed.items()]
        return f"NOT ok, {self.judged} request(s) judged; failed: {'; '.join(parts)}"

    def assert_ok(self) -> None:
        """Raise AssertionError with the failed findings in plain words unless the verdict is ok."""
        if not self.ok:
            raise AssertionError(self.explain())
