"""Secrets kept out of recordings: every match of a pattern becomes a stable ``{placeholder}``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
KEY = r"\b[sp]k-[A-Za-z0-9_-]{16,}"
SECRET = r"\S+"
"""What a literal secret's placeholder matches in a replayed request (the secret itself is never written)."""


class Redactor:
    """Replaces emails, ``sk-``/``pk-`` keys, given patterns and literal secrets in every string.

    The same text always becomes the same placeholder (``{email_1}``, ``{key_1}``, ``{redacted_1}``,
    ``{secret_1}``); :attr:`patterns` says what each placeholder stands for.
    """

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.kinds = [("email", EMAIL), ("key", KEY), *(("redacted", p) for p in extra)]
        self.compiled = [(kind, re.compile(pattern), pattern) for kind, pattern in self.kinds]
        self.secrets: list[str] = []
        self.names: dict[str, str] = {}
        self.patterns: dict[str, str] = {}
        self._counts: Counter[str] = Counter()

    def add_secret(self, value: str | None) -> None:
        """A literal value to keep out (an API key seen in a header, the upstream key)."""
        if value and len(value) >= 4 and value not in self.secrets:
            self.secrets.append(value)
            self.secrets.sort(key=len, reverse=True)

    def _name(self, value: str, kind: str, pattern: str) -> str:
        name = self.names.get(value)
        if name is None:
            self._counts[kind] += 1
            name = self.names[value] = f"{kind}_{self._counts[kind]}"
            self.patterns[name] = pattern
        return "{" + name + "}"

    def text(self, text: str) -> str:
        """``text`` with every secret and every pattern's match replaced by its placeholder."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, self._name(secret, "secret", SECRET))
        for kind, compiled, pattern in self.compiled:
            text = compiled.sub(self._replacer(kind, pattern), text)
        return text

    def _replacer(self, kind: str, pattern: str) -> Callable[[re.Match[str]], str]:
        return lambda found: self._name(found.group(0), kind, pattern)

    def value(self, value: Any) -> Any:
        """:meth:`text` applied to every string inside mappings and lists (keys left as they are)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def used(self, value: Any) -> dict[str, str]:
        """The placeholders that ``value`` holds, with the pattern each stands for."""
        found: dict[str, str] = {}
        if isinstance(value, str):
            for name in re.findall(r"\{(\w+)\}", value):
                if name in self.patterns:
                    found[name] = self.patterns[name]
        elif isinstance(value, dict):
            for item in value.values():
                found.update(self.used(item))
        elif isinstance(value, list):
            for item in value:
                found.update(self.used(item))
        return found
