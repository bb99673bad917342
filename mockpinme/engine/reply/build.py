"""From a rule's ``respond`` and a request to a :class:`Reply`: text or tool calls, reasoning,
citations, ids, usage and cost. Same scenario seed and request, same reply (but for ids)."""

from __future__ import annotations

import hashlib
import json
import random
import re
from decimal import Decimal
from typing import Any

from ...openrouter import tokens
from ...openrouter.completion import Reply, ToolCallOut
from ...openrouter.encode import CREATED, GENERATION_ID, call_slot
from ...scenario.model import Generate, Respond
from ...template import fill
from ..catalog import ModelInfo
from ..inputs import ReplyInputs
from ..request import ChatRequest
from ..search import search_config
from . import reasoning
from .recorded import recorded
from .structured import SchemaValues
from .text import TextGenerator
from .tools import tool_calls
from .usage import usage
from .websearch import cite, generated_results, search_fee, summary

_DEFAULT_GENERATE = Generate(sentences=(1, 3))


def _max_tokens(body: Any) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return None


class ReplyBuilder:
    """Makes replies: the same text and usage for the same request; ids are left as slots."""

    def __init__(self) -> None:
        self.text = TextGenerator()

    def _content(
        self,
        respond: Respond,
        request: ChatRequest,
        seed: int,
        values: dict[str, Any],
        rng: random.Random,
        results: list[dict[str, Any]],
    ) -> str:
        if respond.content is not None:
            return fill(respond.content, values)
        fmt = request.body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and respond.generate is None:
            schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
            return json.dumps(SchemaValues(rng).value(schema), ensure_ascii=False)
        if results and respond.generate is None:
            return summary(request.last_text("user") or "", results)
        text = self.text.generate(respond.generate or _DEFAULT_GENERATE, seed)
        if isinstance(fmt, dict) and fmt.get("type") == "json_object":
            return json.dumps({"answer": text}, ensure_ascii=False)
        return text

    def _reasoning(
        self, respond: Respond, request: ChatRequest, model: ModelInfo, seed: int, values: dict[str, Any]
    ) -> tuple[str | None, int]:
        wanted, excluded = reasoning.asked(request.body)
        if respond.reasoning is not None:
            text = fill(respond.reasoning, values)
        elif wanted and model.supports_reasoning:
            question = (request.last_text("user") or "the request")[:80]
            text = f"The user asks: {question!r}. " + self.text.generate(Generate(sentences=2), seed + 1)
        else:
            return None, 0
        return (None if excluded else text), tokens.count(text)

    def build(self, inputs: ReplyInputs, seed: int) -> Reply:
        """The whole reply the inputs ask for, as the answer scripts it, the rest decided like a model
        would; the ids are slots; ``seed`` is the request's (see ``request_seed``).

        A ``stream_error`` fault on a JSON request cuts the content after ``after_chunks`` words
        and ends the reply in an error (a provider that failed mid-way).
        """
        model, request, respond = inputs.model_info, inputs.request, inputs.respond
        values = inputs.placeholders()
        fault = respond.fault
        cut_after = fault.after_chunks if fault and fault.stream_error and not request.stream else None
        rng = random.Random(seed)
        calls = tool_calls(respond, request, values, rng)
        search = None if calls else search_config(request)
        results: list[dict[str, Any]] = []
        if search is not None and respond.annotations is None:
            scripted = respond.web_search
            results = (
                [{"url": r.url, "title": r.title, "content": r.content} for r in scripted]
                if scripted is not None
                else generated_results(search, request.last_text("user") or "", seed)
            )
        content: str | None = None
        annotations: list[dict[str, Any]] = []
        finish = "tool_calls" if calls else "stop"
        if not calls:
            content = self._content(respond, request, seed, values, rng, results)
            if results:
                content, annotations = cite(content, results)
            limit = _max_tokens(request.body)
            if cut_after is not None:
                content = "".join(re.findall(r"\s*\S+", content)[:cut_after])
                annotations = [a for a in annotations if a["url_citation"]["end_index"] <= len(content)]
                finish = "error"
            elif limit is not None and tokens.count(content) > limit:
                content = "".join(tokens.pieces(content)[:limit])
                annotations = [a for a in annotations if a["url_citation"]["end_index"] <= len(content)]
                finish = "length"
        shown_reasoning, reasoning_tokens = self._reasoning(respond, request, model, seed, values)
        completion_tokens = (
            tokens.count(content or "") + reasoning_tokens + sum(tokens.count(args) for _, args in calls)
        )
        fee = Decimal(0)
        if search is not None:
            fee = search_fee(search, model.entry["pricing"].get("web_search"), len(results))
        reply = Reply(
            id=GENERATION_ID,
            created=CREATED,
            model=request.model,
            provider=model.provider,
            system_fingerprint=_fingerprint(model),
            content=content,
            finish_reason=finish,
            usage=usage(
                model,
                tokens.prompt_tokens(request.messages, request.body.get("tools")),
                completion_tokens,
                reasoning_tokens=reasoning_tokens,
                searches=1 if search is not None else 0,
                search_fee=fee,
            ),
            reasoning=shown_reasoning,
            reasoning_format=reasoning.detail_format(model.id),
            tool_calls=tuple(ToolCallOut(call_slot(i), name, args) for i, (name, args) in enumerate(calls)),
            annotations=tuple(annotations),
            searches=1 if search is not None else 0,
        )
        return recorded(respond, values, reply)


def _fingerprint(model: ModelInfo) -> str | None:
    if model.provider not in ("OpenAI", "Azure"):
        return None
    return "fp_" + hashlib.blake2b(model.id.encode(), digest_size=5).hexdigest()
