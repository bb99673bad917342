"""The auth proxy's four calls, each in PinMe's order: the common checks (key, project, tenant),
the call's own 400s, the scenario's scripted failures, then Identity Platform's answer."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import quote

from ..openrouter.encode import parse_json
from ..openrouter.errors import RenderedError
from .directory import User, page_size
from .email import deliver, is_address
from .gate import check_project
from .journal import Entry, mask
from .runtime import Runtime
from .services import Answer, Done, ServiceCall, pinme_error, scripted
from .session import Session

VERIFY_PATH = "/__mockpinme/auth/verify-email"
MIN_PASSWORD = 6


def _refused(entry: Entry, error: RenderedError) -> RenderedError:
    entry.error = error.name
    return error


def _gate(session: Session, call: ServiceCall, entry: Entry) -> RenderedError | None:
    """The skill's common errors: it has no "Invalid API key", so an unknown key does not match."""
    problem = check_project(session.scenario, call.api_key, call.project_name)
    if problem == "pinme.invalid_key":
        problem = "pinme.key_project_mismatch"
    if problem is None and not session.scenario.auth.configured:
        problem = "pinme.auth_not_configured"
    return _refused(entry, pinme_error(problem)) if problem else None


def _body(call: ServiceCall, entry: Entry, secret: str) -> dict[str, Any] | RenderedError:
    """The JSON object sent (``{}`` for anything else); the journal keeps it with ``secret`` masked."""
    if call.raw is None:
        return _refused(entry, pinme_error("pinme.body_too_large"))
    try:
        body = parse_json(call.raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        entry.body = call.raw
        return {}
    if isinstance(body.get(secret), str):
        shown = "********" if secret == "password" else mask(body[secret])
        entry.body = json.dumps({**body, secret: shown}).encode()
    else:
        entry.body = call.raw
    return body


def _script(session: Session, entry: Entry, endpoint: str, **facts: str | None) -> RenderedError | None:
    found = session.auth.rules.first_match({"endpoint": endpoint, **facts}, session.scenario.seed, endpoint)
    if found is None:
        return None
    entry.rule = found[0]
    return _refused(entry, scripted(found[1]))


def _verification_mail(project: str, user: User, link: str) -> tuple[str, str]:
    name = html.escape(user.display_name or user.email)
    href = html.escape(link, quote=True)
    body = (
        f"<p>Hello {name},</p>"
        "<p>Follow this link to verify your email address.</p>"
        f'<p><a href="{href}">{href}</a></p>'
        "<p>If you didn't ask to verify this address, you can ignore this email.</p>"
        f"<p>Thanks,</p><p>Your {html.escape(project)} team</p>"
    )
    return f"Verify your email for {project}", body


def create_user(session: Session, runtime: Runtime, call: ServiceCall, entry: Entry, base_url: str) -> Answer:
    """``POST create_user``: an unverified user and its verification mail, or nothing left behind."""
    refused = _gate(session, call, entry)
    if refused:
        return refused
    body = _body(call, entry, "password")
    if isinstance(body, RenderedError):
        return body
    email, password, name = body.get("email"), body.get("password"), body.get("display_name")
    if not isinstance(email, str) or not email or not isinstance(password, str) or not password:
        return _refused(entry, pinme_error("pinme.auth_email_password_required"))
    project = call.project_name
    refused = _script(session, entry, "create_user", email=email, project=project)
    if refused:
        return refused
    users = session.auth.directory(project)
    if not is_address(email) or len(password) < MIN_PASSWORD or users.find(email=email) is not None:
        return _refused(entry, pinme_error("pinme.auth_create_failed"))
    user = User(users.new_uid(email), email, password, name if isinstance(name, str) else "")
    users.add(user)
    code = session.auth.verification_code(project, user.uid)
    subject, mail = _verification_mail(project, user, f"{base_url}{VERIFY_PATH}?oob={quote(code)}")
    delivery = deliver(session, runtime, project, email, subject, mail, verification=True)
    if delivery.error is not None:
        users.remove(user.uid)
        session.auth.codes.pop(code, None)
        entry.rule = delivery.rule
        return _refused(entry, pinme_error("pinme.auth_verification_email_failed"))
    return Done(user.info())


def verify_token(session: Session, runtime: Runtime, call: ServiceCall, entry: Entry) -> Answer:
    """``POST verify_token``: who the token names, 401 when it is bad or expired, 403 when unverified."""
    refused = _gate(session, call, entry)
    if refused:
        return refused
    body = _body(call, entry, "id_token")
    if isinstance(body, RenderedError):
        return body
    token = body.get("id_token")
    if not isinstance(token, str) or not token:
        return _refused(entry, pinme_error("pinme.auth_id_token_required"))
    refused = _script(session, entry, "verify_token", project=call.project_name)
    if refused:
        return refused
    verified = session.auth.check(runtime.signer, runtime.clock, call.project_name, token)
    if verified is None:
        return _refused(entry, pinme_error("pinme.auth_invalid_token"))
    if not verified.email_verified:
        return _refused(entry, pinme_error("pinme.auth_email_not_verified"))
    data: dict[str, Any] = {"uid": verified.uid}
    if verified.email is not None:
        data["email"] = verified.email
    data.update(tenant_id=verified.tenant_id, claims=verified.claims)
    return Done(data)


def get_user(session: Session, call: ServiceCall, entry: Entry) -> Answer:
    """``GET user?uid=``: the user's ``UserInfo``, or 404."""
    refused = _gate(session, call, entry)
    if refused:
        return refused
    uid = call.query.get("uid", "")
    if not uid:
        return _refused(entry, pinme_error("pinme.auth_uid_required"))
    refused = _script(session, entry, "user", uid=uid, project=call.project_name)
    if refused:
        return refused
    user = session.auth.directory(call.project_name).find(uid=uid)
    if user is None:
        return _refused(entry, pinme_error("pinme.auth_user_not_found"))
    return Done(user.info())


def list_users(session: Session, call: ServiceCall, entry: Entry) -> Answer:
    """``GET list_users``: a page of users in uid order and, after a full page, ``next_page_token``."""
    refused = _gate(session, call, entry)
    if refused:
        return refused
    refused = _script(session, entry, "list_users", project=call.project_name)
    if refused:
        return refused
    users = session.auth.directory(call.project_name)
    page, following = users.page(
        call.query.get("page_token") or None, page_size(call.query.get("max_results"))
    )
    data: dict[str, Any] = {"users": [u.info() for u in page]}
    if following is not None:
        data["next_page_token"] = following
    return Done(data)
