"""The scenario format as typed, frozen data: what a YAML file may say, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal

from ..openrouter.checks import AtLeast, AtMost, IsRegex, NotEmpty, OneOfNames, Positive
from ..openrouter.errors import ERROR_NAMES, PINME_ERROR_NAMES
from ..openrouter.faults import Fault, Stall, StreamError
from ..openrouter.timing import (
    ChunkChars,
    ChunkMode,
    Delay,
    Distribution,
    Lognormal,
    NonNegative,
    StreamProfile,
    Uniform,
    Wire,
)
from ..template import names
from .expect import Expect

Regex = Annotated[str, IsRegex()]
ErrorName = Annotated[str, OneOfNames(ERROR_NAMES, "error name")]
PinmeErrorName = Annotated[str, OneOfNames(PINME_ERROR_NAMES, "PinMe error name")]
Chance = Annotated[float, AtLeast(0), AtMost(1)]

__all__ = [
    "ChunkChars", "ChunkMode", "Delay", "Distribution", "Fault", "Lognormal", "Stall", "StreamError",
    "StreamProfile", "Uniform", "Wire",
]  # fmt: skip


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
class Conversation:
    """A whole conversation, as recorded: a request matches when its messages (role, content and
    tool calls by name and arguments; ids ignored), its tools and its ``response_format`` all equal
    these (left out: the request has none). ``{name}`` in a text stands for any text that matches
    ``placeholders[name]`` (the same text wherever it recurs), and is filled into the reply.
    """

    messages: Annotated[tuple[dict[str, Any], ...], NotEmpty()]
    tools: tuple[dict[str, Any], ...] | None = None
    response_format: dict[str, Any] | None = None
    placeholders: dict[str, Regex] = field(default_factory=dict)

    def _problems(self) -> list[tuple[str, str]]:
        problems = [
            ("messages", f"message {i + 1} needs a 'role'")
            for i, m in enumerate(self.messages)
            if not isinstance(m.get("role"), str)
        ]
        return problems + [
            ("placeholders", f"'{name}' is not a placeholder name (letters, digits, _)")
            for name in self.placeholders
            if not name.isidentifier()
        ]


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
    conversation: Conversation | None = None


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
    ``finish_reason``, ``usage``, ``annotations``, ``provider`` and ``model`` replace what the
    reply would otherwise say (a recorded reply gives them all).
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
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    annotations: tuple[dict[str, Any], ...] | None = None
    provider: str | None = None
    model: str | None = None

    def _problems(self) -> list[tuple[str, str]]:
        given = [k for k in ("content", "generate", "error", "status") if getattr(self, k) is not None]
        if len(given) > 1:
            return [(given[1], f"'{given[0]}' and '{given[1]}' cannot be used together")]
        if self.body is not None and self.status is None:
            return [("body", "'body' needs 'status'")]
        return []

    @cached_property
    def placeholders(self) -> frozenset[str]:
        """The ``{placeholder}`` names its reply texts use."""
        calls = [c.arguments for c in self.tool_calls] if isinstance(self.tool_calls, tuple) else []
        return names([self.content, self.reasoning, calls])


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
class ModelReasoning:
    """An added model's ``reasoning`` entry: always on (``mandatory``) or on unless turned off."""

    mandatory: bool = False
    default_enabled: bool | None = None


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
    input_modalities: tuple[str, ...] = ("text", "image", "file")
    provider: str | None = None
    reasoning: ModelReasoning | None = None


@dataclass(frozen=True)
class Models:
    """The model list: the built-in catalog (or none, or a file saved from the real ``/models``),
    entries added, ids removed, entries generated; ``accept_unknown`` answers any ``vendor/name``."""

    catalog: Annotated[str, NotEmpty()] = "openrouter"
    add: tuple[ModelAdd, ...] = ()
    remove: tuple[str, ...] = ()
    generate: Annotated[int, AtLeast(0), AtMost(1000)] = 0
    accept_unknown: bool = False


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
class ServiceRespond:
    """A scripted failure of send_email or the auth proxy: a ``pinme.*`` error, or a raw status."""

    error: PinmeErrorName | None = None
    message: str | None = None
    status: Annotated[int, AtLeast(100), AtMost(599)] | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def _problems(self) -> list[tuple[str, str]]:
        if (self.error is None) == (self.status is None):
            return [("", "give one of 'error' and 'status'")]
        if self.body is not None and self.status is None:
            return [("body", "'body' needs 'status'")]
        return []


@dataclass(frozen=True)
class EmailWhen:
    """Conditions on a mail (sent by a Worker or as a verification mail); every one given must hold."""

    to: str | TextMatch | None = None
    subject: str | TextMatch | None = None
    project: str | None = None
    verification: bool | None = None
    nth: Positive | CallRange | None = None
    probability: Chance | None = None


@dataclass(frozen=True)
class EmailRule:
    """A mail that fails: ``respond`` when ``when`` holds, at most ``times`` times."""

    respond: ServiceRespond
    when: EmailWhen = field(default_factory=EmailWhen)
    name: str | None = None
    times: Positive | None = None


@dataclass(frozen=True)
class Email:
    """send_email: scripted failures (every other mail lands in the outbox)."""

    rules: tuple[EmailRule, ...] = ()


@dataclass(frozen=True)
class AuthWhen:
    """Conditions on an auth proxy call; every one given must hold."""

    endpoint: Literal["create_user", "verify_token", "user", "list_users"] | None = None
    email: str | TextMatch | None = None
    uid: str | None = None
    project: str | None = None
    nth: Positive | CallRange | None = None
    probability: Chance | None = None


@dataclass(frozen=True)
class AuthRule:
    """An auth proxy call that fails: ``respond`` when ``when`` holds, at most ``times`` times."""

    respond: ServiceRespond
    when: AuthWhen = field(default_factory=AuthWhen)
    name: str | None = None
    times: Positive | None = None


@dataclass(frozen=True)
class AuthUser:
    """A user every project starts with (verified unless ``email_verified: false``)."""

    email: Annotated[str, NotEmpty()]
    password: str | None = None
    display_name: str = ""
    email_verified: bool = True
    disabled: bool = False
    photo_url: str | None = None
    uid: Annotated[str, NotEmpty()] | None = None


@dataclass(frozen=True)
class Auth:
    """The auth proxy: the Identity Platform project and tenant, seeded users, scripted failures."""

    configured: bool = True
    project_id: Annotated[str, NotEmpty()] = "pinme-auth"
    tenant_id: Annotated[str, NotEmpty()] = "{project}-tenant"
    token_ttl_s: Positive = 3600
    accept_emulator_tokens: bool = False
    users: tuple[AuthUser, ...] = ()
    rules: tuple[AuthRule, ...] = ()

    def _problems(self) -> list[tuple[str, str]]:
        emails = [u.email.lower() for u in self.users]
        uids = [u.uid for u in self.users if u.uid is not None]
        if len(set(emails)) != len(emails):
            return [("users", "two users have the same email")]
        if len(set(uids)) != len(uids):
            return [("users", "two users have the same uid")]
        return []


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
    expect: Expect = field(default_factory=Expect)
    email: Email = field(default_factory=Email)
    auth: Auth = field(default_factory=Auth)
