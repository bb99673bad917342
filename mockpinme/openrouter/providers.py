"""What differs by provider family in OpenRouter's answers, as the recorded exchanges show it.

A family is chosen by the model id's author prefix (``openai/…``, ``anthropic/…``); every other
prefix gets :data:`DEFAULT` under the provider name OpenRouter usually routes it to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

ReasoningStyle = Literal["summary", "signed", "text", "encrypted"]
ToolIdStyle = Literal["openai", "bedrock", "google", "mistral", "deepseek", "hex"]
_SAME: Mapping[str, str] = {}


@dataclass(frozen=True)
class Family:
    """How one provider family answers.

    ``native`` maps OpenRouter's ``finish_reason`` to the provider's own word (the same word when
    left out); ``reasoning`` is the shape of ``reasoning_details``: summaries then an encrypted
    item (OpenAI's Responses API), text then a signature in a chunk of its own (Anthropic, Google),
    plain text, or encrypted only (xAI). ``tool_content`` is the ``content`` beside tool calls.
    """

    name: str
    provider: str
    native: Mapping[str, str] = field(default_factory=dict)
    reasoning: ReasoningStyle = "text"
    reasoning_format: str | None = "unknown"
    tool_ids: ToolIdStyle = "openai"
    fingerprint: bool = False
    service_tier: str | None = None
    canonical_model: bool = False
    tool_content: str | None = None

    def native_finish(self, finish_reason: str) -> str:
        """The provider's own ``native_finish_reason`` for OpenRouter's ``finish_reason``."""
        return self.native.get(finish_reason, finish_reason)

    def system_fingerprint(self, model_id: str) -> str | None:
        """``fp_…`` for providers that send one (xAI), else None."""
        if not self.fingerprint:
            return None
        return "fp_" + hashlib.blake2b(model_id.encode(), digest_size=5).hexdigest()


_RESPONSES = {"stop": "completed", "tool_calls": "completed", "length": "max_output_tokens"}

OPENAI = Family(
    "openai",
    "OpenAI",
    _RESPONSES,
    "summary",
    "openai-responses-v1",
    service_tier="default",
    canonical_model=True,
)
OPENAI_CHAT = replace(OPENAI, name="openai-chat", native=_SAME, service_tier=None, canonical_model=False)
ANTHROPIC = Family(
    "anthropic",
    "Amazon Bedrock",
    {"stop": "end_turn", "length": "max_tokens"},
    "signed",
    "anthropic-claude-v1",
    tool_ids="bedrock",
    canonical_model=True,
)
GOOGLE = Family(
    "google",
    "Google AI Studio",
    {"stop": "STOP", "tool_calls": "STOP", "length": "MAX_TOKENS"},
    "signed",
    "google-gemini-v1",
    tool_ids="google",
    service_tier="default",
    tool_content="",
)
XAI = Family(
    "x-ai",
    "xAI",
    {"stop": "completed"},
    "encrypted",
    "xai-responses-v1",
    fingerprint=True,
)
DEEPSEEK = Family("deepseek", "DeepSeek", tool_ids="deepseek")
MISTRAL = Family("mistralai", "Mistral", tool_ids="mistral")
QWEN = Family("qwen", "Alibaba", tool_ids="hex", canonical_model=True)
MINIMAX = Family("minimax", "Minimax", reasoning_format=None)
DEFAULT = Family("default", "DeepInfra", tool_ids="hex")

_FAMILIES = {f.name: f for f in (OPENAI, ANTHROPIC, GOOGLE, XAI, DEEPSEEK, MISTRAL, QWEN, MINIMAX)}
_PROVIDERS = {
    "z-ai": "Z.AI",
    "moonshotai": "Moonshot AI",
    "meta-llama": "DeepInfra",
    "cohere": "Cohere",
    "perplexity": "Perplexity",
    "amazon": "Amazon Bedrock",
    "microsoft": "Azure",
    "nvidia": "DeepInfra",
    "bytedance-seed": "ByteDance",
    "inception": "Inception",
    "openrouter": "OpenRouter",
}
_CHAT_COMPLETIONS_MODELS = ("openai/gpt-4o", "openai/gpt-4-", "openai/gpt-3.5", "openai/chatgpt-4o")


def family_of(model_id: str) -> Family:
    """The family answering for ``model_id``: its author prefix, ``~`` aliases included."""
    author = model_id.split("/", 1)[0].lstrip("~")
    if author == "openai" and model_id.startswith(_CHAT_COMPLETIONS_MODELS):
        return OPENAI_CHAT
    found = _FAMILIES.get(author)
    if found is not None:
        return found
    provider = _PROVIDERS.get(author)
    return replace(DEFAULT, name=author, provider=provider) if provider else replace(DEFAULT, name=author)


def with_provider(family: Family, provider: str | None) -> Family:
    """The family under another provider name (a scenario's ``provider`` for an added model)."""
    return family if provider is None or provider == family.provider else replace(family, provider=provider)
