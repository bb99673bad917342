"""Web search as OpenRouter answers it: results, citations and fees."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from ..search import SearchConfig

_DOMAINS = ("example.com", "example.org", "example.net", "example.edu")
_EXA_INCLUDED_RESULTS = 10


def search_fee(config: SearchConfig, native_price: str | None, results: int, native: bool) -> Decimal:
    """What one search costs, by engine and mode, as OpenRouter bills it (§7.4)."""
    engine = config.engine
    if native:
        return Decimal(native_price or 0)
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


def cite(
    content: str, results: list[dict[str, Any]], native: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Content with every result cited, and ``url_citation`` annotations whose indexes point at the
    citation inside the content (a markdown link to the result, added at the end if missing).
    A provider's own search (``native``) sends no ``content`` in its citations."""
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
        if result.get("content") and not native:
            citation["content"] = result["content"]
        citation.update(start_index=start, end_index=end)
        annotations.append({"type": "url_citation", "url_citation": citation})
    return content, annotations
