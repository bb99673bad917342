"""Reasoning as each model's entry and the request decide it: on, shown or hidden, how long."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...openrouter import ids
from ...openrouter.providers import Family
from ...openrouter.reasoning import ReasoningOut
from ..catalog import ModelInfo

SENTENCES = {"none": 1, "minimal": 1, "low": 2, "medium": 3, "high": 4, "xhigh": 5, "max": 6}
_HIDDEN_UNLESS_ASKED = ("google", "x-ai")


@dataclass(frozen=True)
class ReasoningPlan:
    """Does the model reason, was it asked to, is the text left out (still billed), at what effort."""

    on: bool
    asked: bool
    excluded: bool
    effort: str
    max_tokens: int | None

    def shown(self, family: Family) -> bool:
        """Is the text in the answer? Google and xAI send only opaque parts unless asked."""
        return not self.excluded and (self.asked or family.name not in _HIDDEN_UNLESS_ASKED)


def plan(body: Mapping[str, Any], model: ModelInfo) -> ReasoningPlan:
    """The request's ``reasoning``, ``reasoning_effort`` and ``include_reasoning`` against the entry's
    ``reasoning`` (``mandatory`` models always reason, ``default_enabled`` ones unless turned off, and
    so do OpenAI's reasoning models that cannot be set to ``none``)."""
    asked_for = body.get("reasoning")
    config = asked_for if isinstance(asked_for, dict) else {}
    effort = config.get("effort") or body.get("reasoning_effort")
    include = body.get("include_reasoning")
    off = config.get("enabled") is False or effort == "none"
    asked = not off and (isinstance(asked_for, dict) or isinstance(effort, str) or include is True)
    entry = model.reasoning or {}
    always = model.family.name == "openai" and "none" not in entry.get("supported_efforts", [])
    default_on = bool(entry.get("mandatory") or entry.get("default_enabled") or always)
    on = bool(entry) and (bool(entry.get("mandatory")) or ((asked or default_on) and not off))
    limit = config.get("max_tokens")
    return ReasoningPlan(
        on=on,
        asked=asked,
        excluded=bool(config.get("exclude")) or include is False,
        effort=str(
            effort if effort in SENTENCES and effort != "none" else entry.get("default_effort", "medium")
        ),
        max_tokens=limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None,
    )


def shape(family: Family, text: str | None, seed: int) -> ReasoningOut:
    """The reasoning in the family's format, with its signature or encrypted item made from ``seed``."""
    rng = random.Random(seed ^ 0x5EA5)
    signature = encrypted = None
    if family.reasoning == "signed":
        signature = ids.anthropic_signature(rng) if family.name == "anthropic" else ids.blob(rng, 200)
    elif family.reasoning == "summary":
        encrypted = ids.encrypted_reasoning(rng)
    elif family.reasoning == "encrypted":
        encrypted = ("", ids.blob(rng, 600))
    return ReasoningOut(family.reasoning, family.reasoning_format, text, signature, encrypted)
