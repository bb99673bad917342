"""From a rule's ``respond`` and a request to a :class:`Reply`: text or tool calls, reasoning,
citations, ids, usage and cost. Same scenario seed and request, same reply (but for ids)."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from typing import Any

from ...openrouter import tokens
from ...openrouter.completion import Reply, ToolCallOut
from ...openrouter.encode import CREATED, GENERATION_ID, call_slot
from ...openrouter.faults import choice_error
from ...openrouter.ids import CallId
from ...openrouter.reasoning import ReasoningOut
from ...scenario.model import Generate, Respond
from ...template import fill
from ..catalog import ModelInfo
from ..inputs import ReplyInputs
from ..request import ChatRequest
from ..search import is_native, search_config
from . import reasoning
from .files import file_annotations
from .recorded import recorded
from .structured import SchemaValues
from .text import TextGenerator
from .tools import tool_calls
from .usage import usage
from .websearch import cite, generated_results, search_fee, summary

_DEFAULT_GENERATE = Generate(sentences=(1, 3))
ADVISOR_FEE = Decimal("0.0158850")


def _max_tokens(body: Any) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return None


def _choices(request: ChatRequest, model: ModelInfo) -> int:
    """How many choices a JSON reply carries: ``n`` for a model that lists it (OpenRouter ignores it
    otherwise, as for every model of its listing today); streams carry one."""
    n = request.body.get("n")
    if request.stream or not isinstance(n, int) or isinstance(n, bool) or n < 2:
        return 1
    return min(n, 128) if "n" in model.entry.get("supported_parameters", ()) else 1


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
            spec = fmt.get("json_schema")
            schema = (spec.get("schema") if isinstance(spec, dict) else None) or {"type": "object"}
            return json.dumps(SchemaValues(rng).value(schema), ensure_ascii=False)
        if results and respond.generate is None:
            return summary(request.last_text("user") or "", results)
        text = self.text.generate(respond.generate or _DEFAULT_GENERATE, seed)
        if isinstance(fmt, dict) and fmt.get("type") == "json_object":
            return json.dumps({"answer": text}, ensure_ascii=False)
        return text

    def _reasoning(
        self, respond: Respond, request: ChatRequest, model: ModelInfo, seed: int, values: dict[str, Any]
    ) -> tuple[ReasoningOut | None, int]:
        thinking = reasoning.plan(request.body, model)
        if respond.reasoning is not None:
            text = fill(respond.reasoning, values)
            shown: str | None = None if thinking.excluded else text
        elif thinking.on:
            question = (request.last_text("user") or "the request")[:80]
            sentences = Generate(sentences=reasoning.SENTENCES.get(thinking.effort, 3))
            text = f"The user asks: {question!r}. " + self.text.generate(sentences, seed + 1)
            shown = text if thinking.shown(model.family) else None
        else:
            return None, 0
        billed = tokens.count(text)
        if thinking.max_tokens is not None and billed > thinking.max_tokens:
            text = "".join(tokens.pieces(text)[: thinking.max_tokens])
            shown = text if shown is not None else None
            billed = thinking.max_tokens
        if thinking.excluded:
            return None, billed
        return reasoning.shape(model.family, shown, seed), billed

    def build(self, inputs: ReplyInputs, seed: int) -> Reply:
        """The whole reply the inputs ask for, as the answer scripts it, the rest decided like a model
        would; the ids are slots; ``seed`` is the request's (see ``request_seed``).

        A ``stream_error`` fault on a JSON request cuts the content after ``after_chunks`` words
        and ends the reply in an error (a provider that failed mid-way).
        """
        model, request, respond = inputs.model_info, inputs.request, inputs.respond
        values = inputs.placeholders()
        fault = respond.fault
        cut_after = fault.after_chunks if fault and choice_error(fault) and not request.stream else None
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
            if results and search is not None:
                native_search = is_native(search, model.id, model.entry["pricing"].get("web_search"))
                content, annotations = cite(content, results, native_search)
            limit = _max_tokens(request.body)
            if cut_after is not None:
                content = "".join(re.findall(r"\s*\S+", content)[:cut_after])
                annotations = [a for a in annotations if a["url_citation"]["end_index"] <= len(content)]
                finish = "error"
            elif limit is not None and tokens.count(content) > limit:
                content = "".join(tokens.pieces(content)[:limit])
                annotations = [a for a in annotations if a["url_citation"]["end_index"] <= len(content)]
                finish = "length"
        annotations = [*file_annotations(request), *annotations]
        shown_reasoning, reasoning_tokens = self._reasoning(respond, request, model, seed, values)
        count = _choices(request, model) if content is not None and cut_after is None else 1
        more = tuple(
            self._content(respond, request, seed + i, values, random.Random(seed + i), results)
            for i in range(1, count)
        )
        completion_tokens = (
            tokens.count(content or "")
            + sum(tokens.count(text) for text in more)
            + reasoning_tokens
            + sum(tokens.count(args) for _, args in calls)
        )
        provider_fee = openrouter_fee = Decimal(0)
        server_tools: dict[str, int] = {}
        native = False
        if search is not None:
            price = model.entry["pricing"].get("web_search")
            native = is_native(search, model.id, price)
            fee = search_fee(search, price, len(results), native)
            if native:
                provider_fee = fee
                server_tools["web_search_requests"] = 1
            else:
                openrouter_fee = fee
                server_tools.update(tool_calls_requested=1, tool_calls_executed=1, web_search_requests=1)
        advisors = sum(1 for t in request.tools if t.get("type") == "openrouter:advisor")
        if advisors:
            openrouter_fee += ADVISOR_FEE * advisors
            server_tools["tool_calls_requested"] = server_tools.get("tool_calls_requested", 0) + advisors
            server_tools["tool_calls_executed"] = server_tools.get("tool_calls_executed", 0) + advisors
        family = model.family
        prompt = tokens.prompt_usage(request.messages, request.body.get("tools"))
        reply = Reply(
            id=GENERATION_ID,
            created=CREATED,
            model=answered_model(request.model, model),
            provider=family.provider,
            system_fingerprint=family.system_fingerprint(model.id),
            content=family.tool_content if calls else content,
            finish_reason=finish,
            native_finish_reason=family.native_finish(finish) if finish != "error" else "error",
            service_tier=family.service_tier,
            usage=usage(
                model,
                prompt.total,
                completion_tokens,
                reasoning_tokens=reasoning_tokens,
                audio_tokens=prompt.audio,
                video_tokens=prompt.video,
                provider_fee=provider_fee,
                openrouter_fee=openrouter_fee,
                server_tool_use=server_tools,
            ),
            reasoning=shown_reasoning,
            tool_calls=tuple(
                ToolCallOut(call_slot(i), name, args, CallId(family.tool_ids, name))
                for i, (name, args) in enumerate(calls)
            ),
            annotations=tuple(annotations),
            annotations_per_chunk=not native,
            searches=1 if search is not None else 0,
            more_choices=more,
        )
        return recorded(respond, values, reply)


def answered_model(requested: str, model: ModelInfo) -> str:
    """The ``model`` of the answer: the dated canonical slug for the families that send it (Anthropic,
    Qwen, OpenAI's reasoning models), the requested id otherwise."""
    family = model.family
    if not family.canonical_model or (family.name == "openai" and not model.supports_reasoning):
        return requested
    _, colon, variant = requested.partition(":")
    return model.canonical_slug + (colon + variant if colon else "")
