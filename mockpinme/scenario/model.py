"""The scenario format as typed, frozen data: what a YAML file may say, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from ..wire.errors import ERROR_NAMES
from .checks import AtLeast, AtMost, IsRegex, NotEmpty, OneOfNames

Regex = Annotated[str, IsRegex()]
NonNegative = Annotated[float, AtLeast(0)]
Positive = Annotated[int, AtLeast(1)]
ErrorName = Annotated[str, OneOfNames(ERROR_NAMES, "error name")]
ChunkMode = Literal["char", "word", "token"]


@dataclass(frozen=True)
class TextMatch:
    """How a text must look: any of the given tests, all must hold."""

    contains: str | None = None
    equals: str | None = None
    regex: Regex | None = None

    def _problems(self) -> list[tuple[str, str]]:
        if self.contains is None and self.equals is None and self.regex is None:
            return [("", "give at least one of contains, equals, regex")]
        return []


@dataclass(frozen=True)
class CallRange:
    """Calls ``after`` + 1 to ``after`` + ``count`` (every later call when ``count`` is left out)."""

    after: Annotated[int, AtLeast(0)] = 0
    count: Positive | None = None


@dataclass(frozen=True)
class When:
    """Conditions on a chat request; every condition given must hold. Empty matches every request.

    Texts given as a plain string: a substring for messages, the exact value for headers and query.
    """

    model: str | tuple[str, ...] | None = None
    stream: bool | None = None
    last_user: str | TextMatch | None = None
    any_message: str | TextMatch | None = None
    system: str | TextMatch | None = None
    tool: str | None = None
    has_tools: bool | None = None
    tool_result: bool | str | None = None
    header: dict[str, str | TextMatch] | None = None
    query: dict[str, str | TextMatch] | None = None
    response_format: Literal["text", "json_object", "json_schema"] | None = None
    nth: Positive | CallRange | None = None
    probability: Annotated[float, AtLeast(0), AtMost(1)] | None = None


@dataclass(frozen=True)
class ChunkChars:
    """Stream chunks of a fixed number of characters."""

    chars: Positive


def _exactly_one(obj: object, names: tuple[str, ...], empty: object = None) -> list[tuple[str, str]]:
    given = [n for n in names if getattr(obj, n) not in (empty, False)]
    if len(given) == 1:
        return []
    if not given:
        return [("", f"give one of {', '.join(names)}")]
    return [(given[1], f"'{given[0]}' and '{given[1]}' cannot be used together")]


@dataclass(frozen=True)
class Uniform:
    """Any value from ``lower`` to ``upper``, equally likely."""

    lower: NonNegative
    upper: NonNegative


@dataclass(frozen=True)
class Lognormal:
    """Mostly near ``median``, with a long tail set by ``sigma``, cut at ``max``."""

    median: NonNegative
    sigma: Annotated[float, AtLeast(0), AtMost(5)] = 0.5
    max: NonNegative | None = None


@dataclass(frozen=True)
class Distribution:
    """A delay drawn from the seed, in WireMock's vocabulary: ``fixed``, ``uniform``, ``lognormal``."""

    fixed: NonNegative | None = None
    uniform: Uniform | None = None
    lognormal: Lognormal | None = None

    def _problems(self) -> list[tuple[str, str]]:
        return _exactly_one(self, ("fixed", "uniform", "lognormal"))


Delay = NonNegative | Distribution


@dataclass(frozen=True)
class Wire:
    """Legal SSE framings that client parsers must survive."""

    crlf: bool = False
    split: Annotated[int, AtLeast(1), AtMost(64)] = 1
    batch: Annotated[int, AtLeast(1), AtMost(64)] = 1
    keepalive_between: bool = False


@dataclass(frozen=True)
class StreamProfile:
    """The pace of an SSE reply, in scenario milliseconds."""

    ttft_ms: Delay = 200
    keepalive_ms: Annotated[float, AtLeast(1)] = 100
    tokens_per_s: Annotated[float, AtLeast(0.001)] | None = 80
    chunk_delay_ms: Delay | None = None
    jitter: Annotated[float, AtLeast(0), AtMost(1)] = 0
    search_ms: Delay = 800
    chunk: ChunkMode | ChunkChars = "word"
    wire: Wire = field(default_factory=Wire)


@dataclass(frozen=True)
class StreamError:
    """OpenRouter's in-band error chunk, sent after the 200 status and some content."""

    code: Annotated[int, AtLeast(400), AtMost(599)] = 502
    message: str = "Provider disconnected"
    error_type: str = "provider_unavailable"
    done: bool = True


@dataclass(frozen=True)
class Stall:
    """Stop writing but keep the socket open, for at most ``max_s`` scenario seconds."""

    max_s: NonNegative = 300


@dataclass(frozen=True)
class Fault:
    """One way for a reply to go wrong after ``after_chunks`` content chunks."""

    after_chunks: Annotated[int, AtLeast(0)] = 0
    stream_error: StreamError | None = None
    disconnect: bool = False
    truncate: bool = False
    stall: Stall | bool = False
    malformed: bool = False

    def _problems(self) -> list[tuple[str, str]]:
        return _exactly_one(self, ("stream_error", "disconnect", "truncate", "stall", "malformed"))

    @property
    def stall_limit_s(self) -> float:
        return self.stall.max_s if isinstance(self.stall, Stall) else Stall().max_s


Count = Positive | Annotated[tuple[Positive, ...], NotEmpty()]


@dataclass(frozen=True)
class Generate:
    """Generated text: sentences or words, a number or a range ``[low, high]`` chosen by the seed."""

    sentences: Count | None = None
    words: Count | None = None

    def _problems(self) -> list[tuple[str, str]]:
        if self.sentences is not None and self.words is not None:
            return [("words", "'sentences' and 'words' cannot be used together")]
        return []


@dataclass(frozen=True)
class ToolCall:
    """A function call the reply asks for; string arguments may hold ``{placeholders}``."""

    name: Annotated[str, NotEmpty()]
    arguments: dict[str, Any] | str = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    """One web-search result, cited in the reply."""

    url: Annotated[str, NotEmpty()]
    title: str | None = None
    content: str | None = None


@dataclass(frozen=True)
class Respond:
    """What the upstream answers: a reply (``content`` or ``generate``) or an error.

    ``error`` names an entry of the catalogue; ``status``/``body``/``headers`` send anything raw.
    """

    content: str | None = None
    generate: Generate | None = None
    tool_calls: Literal["auto", "none"] | tuple[ToolCall, ...] = "auto"
    reasoning: str | None = None
    web_search: tuple[SearchResult, ...] | None = None
    error: ErrorName | None = None
    message: str | None = None
    retry_after_s: NonNegative | None = None
    status: Annotated[int, AtLeast(100), AtMost(599)] | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: StreamProfile | None = None
    fault: Fault | None = None
    latency_ms: Delay | None = None

    def _problems(self) -> list[tuple[str, str]]:
        given = [k for k in ("content", "generate", "error", "status") if getattr(self, k) is not None]
        if len(given) > 1:
            return [(given[1], f"'{given[0]}' and '{given[1]}' cannot be used together")]
        if self.body is not None and self.status is None:
            return [("body", "'body' needs 'status'")]
        return []


@dataclass(frozen=True)
class Rule:
    """One scripted answer (or a sequence of them, one per match) and the requests it is for.

    ``times`` caps how often the rule answers; ``then`` says what a used-up sequence does:
    repeat its last answer, start again, or let later rules answer.
    """

    respond: Respond | Annotated[tuple[Respond, ...], NotEmpty()]
    when: When = field(default_factory=When)
    name: str | None = None
    times: Positive | None = None
    then: Literal["repeat_last", "cycle", "fall_through"] = "repeat_last"

    @property
    def answers(self) -> tuple[Respond, ...]:
        return self.respond if isinstance(self.respond, tuple) else (self.respond,)


@dataclass(frozen=True)
class Project:
    """A PinMe project: its key (any non-empty key when left out), balance and LLM switch."""

    api_key: str | None = None
    balance_usd: NonNegative | None = None
    llm: Literal["enabled", "disabled", "not-configured"] = "enabled"


@dataclass(frozen=True)
class Pricing:
    """Prices in USD per token, as OpenRouter's decimal strings."""

    prompt: str = "0.000001"
    completion: str = "0.000002"


@dataclass(frozen=True)
class ModelAdd:
    """A model added to the catalog; what is left out gets plausible defaults."""

    id: Annotated[str, NotEmpty()]
    name: str | None = None
    context_length: Positive = 128000
    description: str | None = None
    pricing: Pricing = field(default_factory=Pricing)
    supported_parameters: tuple[str, ...] | None = None
    output_modalities: tuple[str, ...] = ("text",)
    provider: str | None = None


@dataclass(frozen=True)
class Models:
    """The model list: a built-in catalog, entries added, ids removed, entries generated."""

    catalog: Literal["openrouter", "none"] = "openrouter"
    add: tuple[ModelAdd, ...] = ()
    remove: tuple[str, ...] = ()
    generate: Annotated[int, AtLeast(0), AtMost(1000)] = 0


@dataclass(frozen=True)
class RateLimits:
    """OpenRouter's per-key limits over a sliding minute of scenario time."""

    requests_per_minute: Positive | None = None
    tokens_per_minute: Positive | None = None


@dataclass(frozen=True)
class Pinme:
    """PinMe's own behaviour: the style of its wrapped errors (the seed guide's or the template's)."""

    error_style: Literal["seed", "template"] = "seed"


@dataclass(frozen=True)
class Scenario:
    """A whole scenario, after ``extends`` is applied."""

    name: Annotated[str, NotEmpty()]
    version: Literal[1] = 1
    description: str = ""
    extends: str | None = None
    seed: int = 0
    strict: bool = False
    pinme: Pinme = field(default_factory=Pinme)
    projects: dict[str, Project] = field(default_factory=dict)
    models: Models = field(default_factory=Models)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    stream: StreamProfile = field(default_factory=StreamProfile)
    rules: tuple[Rule, ...] = ()
    fallback: Respond = field(default_factory=lambda: Respond(generate=Generate(sentences=(1, 3))))
