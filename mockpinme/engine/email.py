"""``POST /api/v4/send_email``: PinMe's checks in the order of its table, scripted failures, the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..openrouter.encode import parse_json
from ..openrouter.errors import RenderedError
from .gate import check_key, project_of_key
from .journal import Entry
from .outbox import OutboxEmail
from .runtime import Runtime
from .services import Answer, Done, ServiceCall, pinme_error, scripted
from .session import Session

EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def is_address(value: object) -> bool:
    """Is ``value`` a string of the basic form ``name@domain.tld``?"""
    return isinstance(value, str) and EMAIL_ADDRESS.match(value) is not None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one mail: in the outbox, or refused by a rule (its label and error)."""

    email: OutboxEmail | None
    rule: str | None = None
    error: RenderedError | None = None


def deliver(
    session: Session, runtime: Runtime, project: str, to: str, subject: str, html: str, *, verification: bool
) -> Delivery:
    """Send one mail: the scenario's ``email.rules`` may fail it, else it lands in the outbox."""
    facts = {"to": to, "subject": subject, "project": project, "verification": verification}
    found = session.mail.first_match(facts, session.scenario.seed)
    if found is not None:
        return Delivery(None, found[0], scripted(found[1]))
    email = runtime.outbox.add(project, to, subject, html, runtime.clock.unix(), verification=verification)
    return Delivery(email)


def _refused(entry: Entry, error: RenderedError) -> RenderedError:
    entry.error = error.name
    return error


def send_email(session: Session, runtime: Runtime, call: ServiceCall, entry: Entry) -> Answer:
    """What PinMe answers to one send_email call; the journal ``entry`` learns the error and rule."""
    problem = check_key(session.scenario, call.api_key)
    if problem:
        return _refused(entry, pinme_error(problem))
    if call.raw is None:
        return _refused(entry, pinme_error("pinme.body_too_large"))
    entry.body = call.raw
    try:
        body = parse_json(call.raw)
    except ValueError:
        return _refused(entry, pinme_error("pinme.invalid_json"))
    if not isinstance(body, dict):
        return _refused(entry, pinme_error("pinme.invalid_json"))
    to, subject, html = body.get("to"), body.get("subject"), body.get("html")
    if not is_address(to):
        return _refused(entry, pinme_error("pinme.email_invalid_address"))
    if not isinstance(subject, str) or not subject.strip():
        return _refused(entry, pinme_error("pinme.email_subject_required"))
    if not isinstance(html, str) or not html.strip():
        return _refused(entry, pinme_error("pinme.email_html_required"))
    assert isinstance(to, str)
    project = project_of_key(session.scenario, call.api_key)
    delivery = deliver(session, runtime, project, to, subject, html, verification=False)
    entry.rule = delivery.rule
    if delivery.error is not None:
        return _refused(entry, delivery.error)
    return Done({"ok": True})
