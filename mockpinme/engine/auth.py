"""The auth proxy's state for one scenario: each project's users, verification links, and id tokens
(minted, signed and checked on the scenario clock)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from ..scenario.model import Auth
from .clock import Clock
from .directory import Directory, User
from .services import ScriptBook
from .tokens import ISSUER_PREFIX, STANDARD_CLAIMS, Signer, algorithm, unsigned_claims


class TokenProblem(ValueError):
    """Why no token can be minted, in words for the control API."""


@dataclass(frozen=True, slots=True)
class Verified:
    """A token that passed: its uid, email, tenant and the claims beyond the standard ones."""

    uid: str
    email: str | None
    tenant_id: str | None
    email_verified: bool
    claims: dict[str, Any]


class AuthDesk:
    """Users per project (seeded on first use), one-time verification codes, scripted failures."""

    def __init__(self, config: Auth, seed: int) -> None:
        self.config = config
        self.seed = seed
        self.rules = ScriptBook(config.rules, "auth")
        self.projects: dict[str, Directory] = {}
        self.codes: dict[str, tuple[str, str]] = {}

    def reset(self) -> None:
        """Every project back to its seeded users; links forgotten; rule counters back to zero."""
        self.projects.clear()
        self.codes.clear()
        self.rules.reset()

    def directory(self, project: str) -> Directory:
        """The project's users (its seeded users, the first time it is asked for)."""
        found = self.projects.get(project)
        if found is None:
            found = self.projects[project] = Directory(project, self.seed, self.config.users)
        return found

    def tenant(self, project: str) -> str:
        """The project's Identity Platform tenant (``{project}`` in ``auth.tenant_id`` is its name)."""
        return self.config.tenant_id.replace("{project}", project)

    @property
    def issuer(self) -> str:
        return ISSUER_PREFIX + self.config.project_id

    def verification_code(self, project: str, uid: str) -> str:
        """A one-time code whose link marks the user verified."""
        code = secrets.token_urlsafe(24)
        self.codes[code] = (project, uid)
        return code

    def open_link(self, code: str) -> User | None:
        """Use a verification code: its user is now verified (None for a used or unknown code)."""
        found = self.codes.pop(code, None)
        if found is None:
            return None
        user = self.directory(found[0]).find(uid=found[1])
        if user is not None:
            user.email_verified = True
        return user

    def locate(self, *, email: str | None, uid: str | None, project: str | None) -> tuple[str, User]:
        """The project and user a token is minted for; raises TokenProblem saying what is missing."""
        who = f"email {email!r}" if email is not None else f"uid {uid!r}"
        if project is not None:
            user = self.directory(project).find(uid=uid, email=email)
            if user is None:
                raise TokenProblem(f"no user with {who} in project {project!r}")
            return project, user
        for name, directory in self.projects.items():
            user = directory.find(uid=uid, email=email)
            if user is not None:
                return name, user
        raise TokenProblem(f'no user with {who} in any project used so far; name its "project"')

    def claims(
        self, project: str, user: User, now: float, ttl: float, extra: dict[str, Any]
    ) -> dict[str, Any]:
        """The claims of an Identity Platform id token for ``user`` of ``project``, issued ``now``."""
        issued = int(now)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.config.project_id,
            "auth_time": issued,
            "user_id": user.uid,
            "sub": user.uid,
            "iat": issued,
            "exp": issued + int(ttl),
            "email": user.email,
            "email_verified": user.email_verified,
            "firebase": {
                "identities": {"email": [user.email]},
                "sign_in_provider": "password",
                "tenant": self.tenant(project),
            },
        }
        if user.display_name:
            claims["name"] = user.display_name
        for key, value in extra.items():
            if key == "firebase" and isinstance(value, dict):
                claims["firebase"] = {**claims["firebase"], **value}
            else:
                claims[key] = value
        return claims

    def mint(
        self,
        signer: Signer,
        clock: Clock,
        *,
        email: str | None = None,
        uid: str | None = None,
        project: str | None = None,
        expires_in_s: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, str, str]:
        """A signed id token for a user: ``(token, uid, project)``; raises TokenProblem."""
        if (email is None) == (uid is None):
            raise TokenProblem('give one of "email" and "uid"')
        name, user = self.locate(email=email, uid=uid, project=project)
        if user.disabled:
            raise TokenProblem(f"user {user.uid} is disabled: Identity Platform signs no token for it")
        ttl = self.config.token_ttl_s if expires_in_s is None else expires_in_s
        token = signer.sign(self.claims(name, user, clock.unix(), ttl, extra or {}))
        return token, user.uid, name

    def check(self, signer: Signer, clock: Clock, project: str, token: str) -> Verified | None:
        """The token's identity if it is valid for ``project`` now, else None (bad, foreign or expired)."""
        alg = algorithm(token)
        if alg == "RS256":
            claims = signer.verify(token)
        elif alg == "none" and self.config.accept_emulator_tokens:
            claims = unsigned_claims(token)
        else:
            claims = None
        if claims is None or claims.get("iss") != self.issuer or claims.get("aud") != self.config.project_id:
            return None
        exp, sub = claims.get("exp"), claims.get("sub")
        if not isinstance(exp, (int, float)) or exp <= clock.unix() or not isinstance(sub, str) or not sub:
            return None
        firebase = claims.get("firebase")
        tenant = firebase.get("tenant") if isinstance(firebase, dict) else None
        if tenant != self.tenant(project):
            return None
        email = claims.get("email")
        verified = Verified(
            sub,
            email if isinstance(email, str) else None,
            tenant,
            claims.get("email_verified") is True,
            {k: v for k, v in claims.items() if k not in STANDARD_CLAIMS},
        )
        if alg == "none":
            self._adopt(project, verified)
        return verified

    def _adopt(self, project: str, verified: Verified) -> None:
        """An emulator user joins the project's users (Identity Platform would hold it), up to date."""
        users = self.directory(project)
        user = users.find(uid=verified.uid)
        if user is None:
            name = verified.claims.get("name")
            user = User(
                verified.uid, verified.email or "", display_name=name if isinstance(name, str) else ""
            )
            users.add(user)
        user.email_verified = verified.email_verified
