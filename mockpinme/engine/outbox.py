"""The outbox: every mail the mock accepted, newest last, with its text and links read from the html."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

OUTBOX_LIMIT = 1000
_BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"})
_HIDDEN = frozenset({"script", "style", "head", "title"})


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def read_html(html: str) -> tuple[str, list[str]]:
    """The text a mail reader shows (one line per block, spaces collapsed) and the ``href`` of each link."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    return "\n".join(line for line in lines if line), reader.links


@dataclass(frozen=True)
class OutboxEmail:
    """One mail as it would have been sent."""

    id: str
    project: str
    sender: str
    to: str
    subject: str
    html: str
    text: str
    links: tuple[str, ...]
    sent_at: str
    verification: bool = False

    def to_json(self) -> dict[str, Any]:
        """The mail as ``GET /__mockpinme/outbox`` lists it."""
        return {
            "id": self.id,
            "project": self.project,
            "from": self.sender,
            "to": self.to,
            "subject": self.subject,
            "html": self.html,
            "text": self.text,
            "links": list(self.links),
            "sent_at": self.sent_at,
            "verification": self.verification,
        }


class Outbox:
    """The accepted mails of one server (the newest ``OUTBOX_LIMIT``), oldest first."""

    def __init__(self, limit: int = OUTBOX_LIMIT) -> None:
        self.emails: deque[OutboxEmail] = deque(maxlen=limit)
        self._ids = itertools.count(1)

    def add(
        self, project: str, to: str, subject: str, html: str, unix: float, *, verification: bool = False
    ) -> OutboxEmail:
        """Put a mail in; its sender is ``{project}@pinme.cloud``."""
        text, links = read_html(html)
        sent_at = datetime.fromtimestamp(unix, timezone.utc).isoformat(timespec="milliseconds")
        email = OutboxEmail(
            f"email_{next(self._ids)}",
            project,
            f"{project}@pinme.cloud",
            to,
            subject,
            html,
            text,
            tuple(links),
            sent_at.replace("+00:00", "Z"),
            verification,
        )
        self.emails.append(email)
        return email

    def select(self, to: str | None = None) -> list[OutboxEmail]:
        """The mails (to ``to``, compared without case), oldest first."""
        wanted = to.lower() if to is not None else None
        return [e for e in self.emails if wanted is None or e.to.lower() == wanted]

    def clear(self) -> int:
        """Empty it; returns how many mails it held."""
        count = len(self.emails)
        self.emails.clear()
        return count

    def __len__(self) -> int:
        return len(self.emails)
