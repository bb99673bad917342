"""One project's users, as Identity Platform keeps them: by uid, one account per email, listed in
uid order a page at a time."""

from __future__ import annotations

import base64
import binascii
import bisect
import random
import string
from dataclasses import dataclass
from typing import Any

from ..scenario.model import AuthUser

DEFAULT_PAGE = 100
MAX_PAGE = 1000
_UID_CHARS = string.ascii_letters + string.digits


@dataclass
class User:
    """A user record."""

    uid: str
    email: str
    password: str | None = None
    display_name: str = ""
    email_verified: bool = False
    disabled: bool = False
    photo_url: str | None = None

    def info(self) -> dict[str, Any]:
        """The skill's ``UserInfo``: ``photo_url`` only when there is one."""
        info: dict[str, Any] = {"uid": self.uid, "email": self.email, "display_name": self.display_name}
        if self.photo_url:
            info["photo_url"] = self.photo_url
        info.update(disabled=self.disabled, email_verified=self.email_verified)
        return info


def make_uid(seed: int, project: str, email: str) -> str:
    """A 28-character uid like Firebase's, the same for the same seed, project and email."""
    rng = random.Random(f"{seed}:{project}:{email.lower()}")
    return "".join(rng.choice(_UID_CHARS) for _ in range(28))


def page_token(uid: str) -> str:
    """The opaque token of the page after ``uid``."""
    return base64.urlsafe_b64encode(uid.encode()).decode().rstrip("=")


def _start_after(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return token


def page_size(value: str | None) -> int:
    """``max_results`` as served: 1 to 1000; above 1000 is 1000, anything else outside it the default 100."""
    try:
        size = int(value) if value is not None else DEFAULT_PAGE
    except ValueError:
        return DEFAULT_PAGE
    if size < 1:
        return DEFAULT_PAGE
    return min(size, MAX_PAGE)


class Directory:
    """The users of one project, seeded from the scenario's ``auth.users``."""

    def __init__(self, project: str, seed: int, seeded: tuple[AuthUser, ...]) -> None:
        self.project = project
        self.seed = seed
        self.by_uid: dict[str, User] = {}
        self.by_email: dict[str, str] = {}
        for user in seeded:
            self.add(
                User(
                    user.uid or make_uid(seed, project, user.email),
                    user.email,
                    user.password,
                    user.display_name,
                    user.email_verified,
                    user.disabled,
                    user.photo_url,
                )
            )

    def add(self, user: User) -> None:
        self.by_uid[user.uid] = user
        self.by_email[user.email.lower()] = user.uid

    def remove(self, uid: str) -> None:
        user = self.by_uid.pop(uid, None)
        if user is not None:
            self.by_email.pop(user.email.lower(), None)

    def find(self, *, uid: str | None = None, email: str | None = None) -> User | None:
        if uid is not None:
            return self.by_uid.get(uid)
        found = self.by_email.get(email.lower()) if email is not None else None
        return self.by_uid.get(found) if found is not None else None

    def new_uid(self, email: str) -> str:
        uid = make_uid(self.seed, self.project, email)
        while uid in self.by_uid:
            uid = make_uid(self.seed, self.project, uid)
        return uid

    def page(self, token: str | None, size: int) -> tuple[list[User], str | None]:
        """The users after ``token`` in uid order, ``size`` at most, and the next page's token.

        As Identity Platform does, a full page carries a token even when no user follows it.
        """
        uids = sorted(self.by_uid)
        start = bisect.bisect_right(uids, _start_after(token)) if token else 0
        chosen = uids[start : start + size]
        following = page_token(chosen[-1]) if len(chosen) == size else None
        return [self.by_uid[uid] for uid in chosen], following

    def __len__(self) -> int:
        return len(self.by_uid)
