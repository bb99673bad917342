"""Web search as OpenRouter runs it: the server tool, the legacy ``web`` plugin and ``:online``."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from ..request import WEB_SEARCH_TOOL_TYPES, ChatRequest

_DOMAINS = ("example.com", "example.org", "example.net", "example.edu")
_EXA_INCLUDED_RESULTS = 10


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


def wants_web_search(request: ChatRequest) -> bool:
    """Does the request let the model search the web?"""
    return search_config(request) is not None


def search_fee(config: SearchConfig, native_price: str | None, results: int) -> Decimal:
    """What one search costs, by engine and mode, as OpenRouter bills it (§7.4)."""
    engine = config.engine
    if engine in ("auto", "native") and native_price is not None:
        return Decimal(native_price)
    if engine == "parallel":
        return Decimal("0.001") if config.mode in ("turbo", "fast") else Decimal("0.005")
    if engine == "perplexity":
        return Decimal("0.005")
    if engine == "firecrawl":
        return Decimal(0)
    base = {"deep-lite": "0.012", "deep": "0.015", "deep-reasoning": "0.015"}.get(config.mode or "", "0.007")
    return Decimal(base) + Decimal("0.001") * max(0, results - _EXA_INCLUDED_RESULTS)


def generated_results(config: SearchConfig, query: str, seed: int) -> list[dict[str, str]]:
    """Plausible results for ``query``: example.com-style URLs, titles from its words."""
    rng = random.Random(seed)
    words = [w.lower() for w in re.findall(r"[A-Za-z]{3,}", query)][:6] or ["results"]
    domains = [d for d in (config.allowed_domains or _DOMAINS) if d not in config.excluded_domains] or list(
        _DOMAINS
    )
    found = []
    for i in range(config.result_count):
        picked = rng.sample(words, k=min(len(words), 3))
        slug = "-".join(picked)
        domain = domains[i % len(domains)]
        title = " ".join(w.capitalize() for w in picked) + f": {rng.choice(_TITLE_TAILS)}"
        content = f"{' '.join(picked).capitalize()} {rng.choice(_SNIPPETS)}"
        found.append({"url": f"https://{domain}/{slug}-{i + 1}", "title": title, "content": content})
    return found


_TITLE_TAILS = ("an overview", "what to know", "a practical guide", "latest updates", "explained", "FAQ")
_SNIPPETS = (
    "is covered in depth, with figures from recent reports.",
    "has changed over the past year, according to several sources.",
    "is explained step by step, with examples.",
    "is compared across the main options available today.",
)


def domain_of(url: str) -> str:
    """``https://www.example.com/a`` -> ``example.com``."""
    host = urlparse(url).hostname or url
    return host.removeprefix("www.")


def summary(query: str, results: list[dict[str, Any]]) -> str:
    """An answer built from the results, citing each as a markdown link named by its domain."""
    topic = query.strip().rstrip("?.!") or "this"
    parts = [f"Here is what recent sources say about {topic}."]
    for result in results:
        snippet = (result.get("content") or result.get("title") or "it has more details").strip()
        snippet = snippet[0].lower() + snippet[1:] if snippet else snippet
        parts.append(f"According to [{domain_of(result['url'])}]({result['url']}), {snippet.rstrip('.')}.")
    return " ".join(parts)


def cite(content: str, results: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Content with every result cited, and ``url_citation`` annotations whose indexes point at the
    citation inside the content (a markdown link to the result, added at the end if missing)."""
    annotations = []
    for result in results:
        url = result["url"]
        link = re.search(r"\[[^\]]*\]\(" + re.escape(url) + r"\)", content)
        if link is None and url in content:
            start, end = content.index(url), content.index(url) + len(url)
        elif link is not None:
            start, end = link.span()
        else:
            addition = f"[{domain_of(url)}]({url})"
            content = f"{content.rstrip()} {addition}"
            start, end = len(content) - len(addition), len(content)
        citation = {"url": url, "title": result.get("title") or domain_of(url)}
        if result.get("content"):
            citation["content"] = result["content"]
        citation.update(start_index=start, end_index=end)
        annotations.append({"type": "url_citation", "url_citation": citation})
    return content, annotations
