"""The simulator's constants and the settings that switch its behaviours on.

Every behaviour of the wire (rate limits, faults, token lifetime) is a field of a frozen
dataclass here, so that tests, the admin API and the CLI describe it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar, get_args

API_PREFIX = "/v1"
ADMIN_PREFIX = "/_sim"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_TOKEN = "test-token"

# Spruce: totalCount is computed at the first page, refreshed at most this often.
TOTAL_COUNT_REFRESH_SECONDS = 60.0
# Not published by Spruce; long enough for any sync, short enough to test with a fault.
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600.0
# Spruce's rate windows: a minute, and the daily one.
RATE_WINDOW_SECONDS = 60.0
DAY_SECONDS = 86_400.0

# (minimum, maximum, default) pageSize per operationId, from the OpenAPI document.
# The default is not published; Spruce's console pages by 50.
PAGE_SIZE_BOUNDS: Mapping[str, tuple[int, int, int]] = {
    "ListContacts": (1, 500, 50),
    "SearchContacts": (1, 500, 50),
    "ContactFields": (1, 500, 50),
    "ContactTags": (1, 500, 50),
    "ListConversations": (1, 200, 50),
    "ConversationItems": (1, 200, 50),
    "ConversationTags": (1, 500, 50),
    "OrganizationMembers": (2, 500, 50),
    "TeamMembers": (1, 500, 50),
    "ListSavedMessages": (1, 500, 50),
}
# Operations paged by token only, with the server's fixed page size.
FIXED_PAGE_SIZES: Mapping[str, int] = {
    "ListScheduledMessages": 20,
    "ListWebhookEndpointEvents": 20,  # API-NOTES: "20 events a page"
}

ExhaustedStatus = Literal[429, 503]
EXHAUSTED_STATUSES: tuple[ExhaustedStatus, ...] = get_args(ExhaustedStatus)
FaultKind = Literal[
    "500",
    "502",
    "503",
    "504",
    "429",  # with Retry-After
    "429-no-retry-after",
    "disconnect",  # headers and part of the body sent, then the connection is aborted
    "truncated-json",  # status 200, the JSON body cut short
    "html",  # status 200, an HTML page (a proxy's error page)
    "expired-token",  # 400 on a request that carries a pagination token
    "repeat-token",  # the request's own pagination token is returned again
    "has-more-without-token",  # hasMore true and no paginationToken
    "leak-error",  # a 400 whose message echoes a contact's name and phone
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
# Faults that only make sense on a request carrying a pagination token / on a paged list.
TOKEN_FAULTS: frozenset[str] = frozenset({"expired-token", "repeat-token"})
PAGED_FAULTS: frozenset[str] = frozenset({"has-more-without-token"})
RETRY_AFTER_SECONDS = 1
ANY_OPERATION = "*"

MemberT = TypeVar("MemberT")


def literal_member(value: object, members: tuple[MemberT, ...]) -> MemberT | None:
    """``value`` as one of ``members`` (a ``Literal``'s values, typed), or None if it is not."""
    return next((member for member in members if member == value), None)


def checked_exhausted_status(status: object) -> ExhaustedStatus:
    """``status`` as an `ExhaustedStatus`; ValueError when it is neither 429 nor 503."""
    member = literal_member(status, EXHAUSTED_STATUSES)
    if member is None:
        raise ValueError("exhausted_status must be 429 or 503")
    return member


def _require(holds: bool, message: str) -> None:
    """Settings are checked where they are made: the API, the admin API and the CLI alike."""
    if not holds:
        raise ValueError(message)


@dataclass(frozen=True)
class RateLimitSettings:
    """One budget per organization, shared by all its tokens.

    Throttled requests (answered ``exhausted_status`` by the limiter) do not consume
    budget: ``remaining`` stays at 0 until the window rolls over. ``noisy_neighbour_share``
    (0..1) of each window's budget is spent evenly by another integration of the same
    organization; its requests are counted apart from the API's.
    """

    # A configured limit without a number: the OpenAPI example's 100 a minute.
    limit: int = 100
    window_seconds: float = RATE_WINDOW_SECONDS
    daily_limit: int | None = None
    daily_window_seconds: float = DAY_SECONDS
    # operationIds the daily window applies to; empty = every operation.
    daily_operations: frozenset[str] = frozenset()
    exhausted_status: ExhaustedStatus = 429
    retry_after: bool = True
    noisy_neighbour_share: float = 0.0

    def __post_init__(self) -> None:
        _require(self.limit >= 1, f"limit must be at least 1, got {self.limit}")
        _require(self.window_seconds > 0, "window_seconds must be positive")
        _require(self.daily_limit is None or self.daily_limit >= 1, "daily_limit must be >= 1")
        _require(self.daily_window_seconds > 0, "daily_window_seconds must be positive")
        checked_exhausted_status(self.exhausted_status)  # raises for any other status
        _require(0 <= self.noisy_neighbour_share < 1, "noisy_neighbour_share must be in [0, 1)")


# When no rate limit is configured the simulator still sends Spruce's per-minute headers on
# every API response, as Spruce does, with a budget no test, benchmark or demo can meet: the
# simulator served ~1,300 requests a second to 8 clients on a 2-core machine (~80,000 a
# minute), and the source bursts only while more than about half of a window is left to
# it (it keeps ``reserve_share`` and its guess of the other integrations' share back), so a
# million a minute neither paces nor throttles a run that assumes "no limit". No daily
# window by default: Spruce applies it to some requests only, unnamed, and a missing header
# means that dimension is not limited. Documented in ``simulator`` (the package docstring)
# and ``serve --help``.
DEFAULT_RATE_LIMIT_PER_MINUTE = 1_000_000
DEFAULT_RATE_LIMIT = RateLimitSettings(limit=DEFAULT_RATE_LIMIT_PER_MINUTE)


@dataclass(frozen=True)
class FaultSchedule:
    """The next ``count`` eligible requests to ``operation`` answer with ``fault``."""

    fault: FaultKind
    count: int = 1
    operation: str = ANY_OPERATION

    def __post_init__(self) -> None:
        _require_kind(self.fault)
        _require(self.count >= 0, f"count must not be negative, got {self.count}")


@dataclass(frozen=True)
class FaultSettings:
    """Faults on demand; all off by default.

    ``probabilities`` maps an operationId (or ``"*"``) to fault kinds and their chance per
    request, drawn from a RNG seeded with ``seed``. Schedules are consumed before
    probabilities are drawn. ``revoke_after`` revokes ``revoke_token`` (or every token
    when None) once it has made that many API requests since these settings applied.
    """

    seed: int = 0
    probabilities: Mapping[str, Mapping[FaultKind, float]] = field(default_factory=dict)
    schedules: tuple[FaultSchedule, ...] = ()
    latency_seconds: float = 0.0
    jitter_seconds: float = 0.0
    revoke_after: int | None = None
    revoke_token: str | None = None

    def __post_init__(self) -> None:
        for operation, kinds in self.probabilities.items():
            for kind, probability in kinds.items():
                _require_kind(kind)
                _require(0 <= probability <= 1,
                         f"the probability of {kind} on {operation} must be in [0, 1]")  # fmt: skip
        _require(self.latency_seconds >= 0 and self.jitter_seconds >= 0,
                 "latency_seconds and jitter_seconds must not be negative")  # fmt: skip
        _require(self.revoke_after is None or self.revoke_after >= 0, "revoke_after must be >= 0")


def _require_kind(kind: str) -> None:
    _require(kind in FAULT_KINDS, f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")


# Spruce's webhook deliveries (its webhook documentation): an answer other than 2xx within
# 5 s fails the attempt; failures are retried every 2 minutes, 10 attempts in all.
WEBHOOK_TIMEOUT_SECONDS = 5.0
WEBHOOK_RETRY_INTERVAL_SECONDS = 120.0
WEBHOOK_ATTEMPT_LIMIT = 10
# Deliveries sent at once: a receiver that hangs for the whole timeout holds one of them, so
# eight keep Spruce's 1,000 events a minute flowing past up to seven hanging requests.
WEBHOOK_CONCURRENCY = 8
# Deliveries waiting to be sent: ten minutes of Spruce's 1,000 events a minute. Beyond it a
# delivery is dropped and counted (the event log keeps the event for a catch-up).
WEBHOOK_QUEUE_LIMIT = 10_000
# Spruce limits an s-idempotency-key to 255 characters; the simulator keeps one 24 hours.
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY_SECONDS = DAY_SECONDS
WebhookOrder = Literal["sent", "reversed", "shuffled"]
WEBHOOK_ORDERS: tuple[WebhookOrder, ...] = get_args(WebhookOrder)


@dataclass(frozen=True)
class WebhookSettings:
    """How the simulator delivers webhooks: Spruce's schedule, and faults for tests.

    ``scaled(s)`` gives Spruce's timeout and retry interval times ``s`` (tests run the
    whole schedule in a second). Faults, drawn from a RNG seeded with ``seed``: a
    delivered event is sent once more with ``duplicate_probability``; an event is held
    back ``delay_seconds`` before its first attempt with ``delay_probability``, so that
    events after it overtake it. ``event_ids`` adds the log's event id to the envelope
    (``"id"``): Spruce does not document one, so a receiver must cope without it.
    """

    timeout_seconds: float = WEBHOOK_TIMEOUT_SECONDS
    retry_interval_seconds: float = WEBHOOK_RETRY_INTERVAL_SECONDS
    attempt_limit: int = WEBHOOK_ATTEMPT_LIMIT
    concurrency: int = WEBHOOK_CONCURRENCY
    queue_limit: int = WEBHOOK_QUEUE_LIMIT
    seed: int = 0
    duplicate_probability: float = 0.0
    delay_probability: float = 0.0
    delay_seconds: float = 1.0
    event_ids: bool = False

    def __post_init__(self) -> None:
        _require(self.timeout_seconds > 0 and self.retry_interval_seconds >= 0,
                 "timeout_seconds must be positive, retry_interval_seconds >= 0")  # fmt: skip
        _require(self.attempt_limit >= 1 and self.concurrency >= 1 and self.queue_limit >= 1,
                 "attempt_limit, concurrency and queue_limit must be at least 1")  # fmt: skip
        _require(0 <= self.duplicate_probability <= 1 and 0 <= self.delay_probability <= 1,
                 "duplicate_probability and delay_probability must be in [0, 1]")  # fmt: skip
        _require(self.delay_seconds >= 0, "delay_seconds must be >= 0")

    def scaled(self, scale: float) -> WebhookSettings:
        """Spruce's timeout and retry interval times ``scale`` (> 0)."""
        _require(scale > 0, f"the webhook time scale must be positive, got {scale}")
        return replace(self, timeout_seconds=WEBHOOK_TIMEOUT_SECONDS * scale,
                       retry_interval_seconds=WEBHOOK_RETRY_INTERVAL_SECONDS * scale)  # fmt: skip


@dataclass(frozen=True)
class SimulatorSettings:
    """Everything one simulator needs; ``tokens`` all belong to its one organization."""

    seed: int = 7
    scale: str = "small"
    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    rate_limit: RateLimitSettings = DEFAULT_RATE_LIMIT
    faults: FaultSettings = field(default_factory=FaultSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    consistency_delay_seconds: float = 0.0
    token_lifetime_seconds: float = DEFAULT_TOKEN_LIFETIME_SECONDS
    host: str = DEFAULT_HOST
    port: int = 0

    def __post_init__(self) -> None:
        _require(bool(self.tokens), "tokens must name at least one accepted token")
        _require(self.consistency_delay_seconds >= 0, "consistency_delay_seconds must be >= 0")
        _require(self.token_lifetime_seconds > 0, "token_lifetime_seconds must be positive")
