"""How a request asks to search the web: the server tool, the legacy ``web`` plugin, ``:online``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .request import WEB_SEARCH_TOOL_TYPES, ChatRequest


@dataclass(frozen=True)
class SearchConfig:
    """How the request asked to search."""

    engine: str = "auto"
    mode: str | None = None
    max_results: int = 5
    max_total_results: int | None = None
    allowed_domains: tuple[str, ...] = ()
    excluded_domains: tuple[str, ...] = ()

    @property
    def result_count(self) -> int:
        count = max(1, min(self.max_results, 25))
        return min(count, self.max_total_results) if self.max_total_results else count


def _ints(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def search_config(request: ChatRequest) -> SearchConfig | None:
    """The search the request asks for, or None: a web-search tool, ``plugins: [{id: web}]``, ``:online``."""
    choice = request.body.get("tool_choice")
    for tool in request.tools:
        if tool.get("type") in WEB_SEARCH_TOOL_TYPES and choice != "none":
            params: dict[str, Any] = tool["parameters"] if isinstance(tool.get("parameters"), dict) else tool
            return SearchConfig(
                engine=str(params.get("engine", "auto")),
                mode=params.get("mode") if isinstance(params.get("mode"), str) else None,
                max_results=_ints(params.get("max_results"), 5) or 5,
                max_total_results=_ints(params.get("max_total_results"), None),
                allowed_domains=_strings(params.get("allowed_domains")),
                excluded_domains=_strings(params.get("excluded_domains")),
            )
    plugins = request.body.get("plugins")
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, dict) and plugin.get("id") == "web" and plugin.get("enabled", True):
            return SearchConfig(
                engine=str(plugin.get("engine", "auto")),
                max_results=_ints(plugin.get("max_results"), 5) or 5,
                allowed_domains=_strings(plugin.get("include_domains")),
                excluded_domains=_strings(plugin.get("exclude_domains")),
            )
    if request.model.endswith(":online"):
        return SearchConfig()
    return None


_NATIVE_FAMILIES = ("openai", "anthropic", "google", "x-ai", "perplexity")
_NO_NATIVE = ("openai/gpt-4o", "openai/gpt-3.5", "openai/gpt-4-")


def is_native(config: SearchConfig, model_id: str, native_price: str | None) -> bool:
    """Does the provider search itself (``native``, or ``auto`` on a model with native search:
    OpenAI's GPT-4.1 and later, Claude, Gemini, Grok, Perplexity) rather than OpenRouter with Exa?"""
    if config.engine == "native":
        return True
    if config.engine != "auto" or native_price is None or model_id.startswith(_NO_NATIVE):
        return False
    return model_id.split("/", 1)[0] in _NATIVE_FAMILIES


def wants_web_search(request: ChatRequest) -> bool:
    """Does the request let the model search the web?"""
    return search_config(request) is not None
