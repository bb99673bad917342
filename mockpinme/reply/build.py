"""From a rule's ``respond`` and a request to a :class:`Reply`: text, ids, usage and cost."""

from __future__ import annotations

import hashlib
import random
import string
import time
from typing import Any

from ..catalog import ModelInfo
from ..request import ChatRequest
from ..scenario.model import Generate, Respond
from ..wire.errors import fill
from . import tokens
from .completion import Reply
from .text import TextGenerator, request_seed
from .usage import usage

_ID_ALPHABET = string.ascii_letters + string.digits
_DEFAULT_GENERATE = Generate()


class ReplyBuilder:
    """Makes replies: deterministic text and usage, fresh ids."""

    def __init__(self) -> None:
        self.text = TextGenerator()
        self._ids = random.Random()

    def generation_id(self, created: int) -> str:
        """``gen-<unix>-<20 alphanumerics>``, unique per reply."""
        return f"gen-{created}-{''.join(self._ids.choices(_ID_ALPHABET, k=20))}"

    def content(self, respond: Respond, request: ChatRequest, seed: int, values: dict[str, Any]) -> str:
        """The reply text: a filled template, or text generated from the seed and the request."""
        if respond.content is not None:
            return fill(respond.content, values)
        spec = respond.generate or _DEFAULT_GENERATE
        return self.text.generate(spec, request_seed(seed, request.model, request.messages))

    def build(self, model: ModelInfo, request: ChatRequest, content: str) -> Reply:
        """A complete reply for ``content`` from ``model``."""
        created = int(time.time())
        prompt = tokens.prompt_tokens(request.messages, request.body.get("tools"))
        completion = tokens.count(content)
        return Reply(
            id=self.generation_id(created),
            created=created,
            model=request.model,
            provider=model.provider,
            system_fingerprint=_fingerprint(model),
            content=content,
            finish_reason="stop",
            usage=usage(model, prompt, completion),
        )


def _fingerprint(model: ModelInfo) -> str | None:
    if model.provider not in ("OpenAI", "Azure"):
        return None
    return "fp_" + hashlib.blake2b(model.id.encode(), digest_size=5).hexdigest()


def template_values(request: ChatRequest, groups: dict[str, str]) -> dict[str, Any]:
    """What ``{placeholders}`` in a rule's text may name: request fields, then the rule's groups."""
    return {
        "model": request.model,
        "project": request.project,
        "last_user": request.last_text("user") or "",
        "nth": request.nth,
        **groups,
    }
