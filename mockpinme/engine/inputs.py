"""What one reply depends on: the reply cache's key and its placeholders' values, in one value."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..scenario.model import Respond
from .catalog import ModelInfo
from .request import ChatRequest

_KEYED = 7


class ReplyInputs(NamedTuple):
    """Everything a reply depends on and nothing else; equal inputs give the same reply but for ids.

    The first seven fields are the reply cache's key (equality and hash look at them alone); the
    last three are what the builder reads them from. ``project`` and ``nth`` are kept only when the
    answer's texts name them (else None), so one reply serves every call that would get the same
    text; :meth:`placeholders` offers only what is kept, so a text can never read a value the key
    left out.
    """

    answer: int
    body: bytes
    model: str
    seed: int
    groups: tuple[tuple[str, str], ...]
    project: str | None
    nth: int | None
    respond: Respond
    request: ChatRequest
    model_info: ModelInfo

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReplyInputs) and self.key == other.key

    def __ne__(self, other: object) -> bool:
        return not self == other

    @property
    def key(self) -> tuple[Any, ...]:
        """The fields a reply depends on, as the reply cache's key."""
        return self[:_KEYED]

    @classmethod
    def of(
        cls,
        request: ChatRequest,
        raw: bytes,
        respond: Respond,
        groups: dict[str, str],
        model_info: ModelInfo,
    ) -> ReplyInputs:
        """The inputs of ``respond`` answering ``request`` (whose body was ``raw``)."""
        used = respond.placeholders
        return cls(
            id(respond),
            raw,
            request.model,
            request.seed,
            tuple(sorted(groups.items())) if groups else (),
            request.project if "project" in used else None,
            request.nth if "nth" in used else None,
            respond,
            request,
            model_info,
        )

    def placeholders(self) -> dict[str, Any]:
        """What ``{placeholders}`` in the answer may name: request fields, then the rule's groups."""
        values: dict[str, Any] = {
            "model": self.model,
            "last_user": self.request.last_text("user") or "",
            "tool_result": self.request.last_text("tool") or "",
        }
        if self.project is not None:
            values["project"] = self.project
        if self.nth is not None:
            values["nth"] = self.nth
        values.update(self.groups)
        return values
