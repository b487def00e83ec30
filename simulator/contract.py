"""The seam between the simulator's data (an organization) and its HTTP layer.

The HTTP layer (``simulator.app``) owns everything about the wire: auth, rate limits,
faults, query-parameter validation, opaque pagination tokens, envelopes, counters.
The organization (``simulator.organization``) owns the records: generation from a seed,
keyset listing, changes over time, the webhook event log and the ground truth.

Listings are keyset-paged: a page ends at ``Page.last_key`` (a JSON-serialisable list),
and the next page starts strictly after that key. A key never names an offset, so an
insert or delete during paging neither skips nor repeats a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

JsonRecord = dict[str, Any]
SortKey = list[Any]

# operationIds of the OpenAPI document that return a paged or unpaged list.
ListOperation = Literal[
    "ListContacts",
    "SearchContacts",
    "ContactFields",
    "ContactTags",
    "ContactConversations",
    "ContactIntegrationLinks",
    "ListConversations",
    "ConversationItems",
    "ListConversationScheduledMessages",
    "ConversationTags",
    "InternalEndpoints",
    "OrganizationMembers",
    "TeamMembers",
    "PhoneLines",
    "ListSavedMessages",
    "ListScheduledMessages",
    "ListWebhookEndpoints",
    "ListWebhookEndpointEvents",
]

# operationIds of the OpenAPI document that return one record by id.
GetOperation = Literal[
    "Contact",
    "ConversationItem",
    "Conversation",
    "OrganizationMember",
    "PhoneLine",
    "Transcription",
    "WebhookEndpoint",
]


class NotFound(Exception):
    """The id (or the parent id of a listing) does not exist in this organization."""


class InvalidParameter(Exception):
    """A parameter value the organization cannot interpret (e.g. a malformed date)."""


class Gone(Exception):
    """A record that exists but is unavailable, e.g. a transcription made before Nov 2025.

    Spruce answers 404 with an explanatory message; ``str(exc)`` is that message.
    """


@dataclass(frozen=True)
class Page:
    """One page of a listing, before the HTTP layer wraps it in Spruce's envelope."""

    records: list[JsonRecord]
    last_key: SortKey | None
    has_more: bool
    total_count: int


@dataclass(frozen=True)
class ListQuery:
    """What the HTTP layer passes down after validating the request.

    ``params`` holds the operation's own validated inputs, already parsed:
    ``conversationId``, ``contactId``, ``teamId``, ``endpointId`` (path ids);
    ``orderBy`` ("created" | "last_message"), ``order`` ("newest_first" | "oldest_first"),
    ``startFrom``, ``startTime``, ``endTime`` (timezone-aware datetimes);
    ``search`` (the parsed JSON body of POST /contacts/search).
    ``limit`` is None for operations that take no pageSize (return everything).
    """

    operation: ListOperation
    after: SortKey | None
    limit: int | None
    params: dict[str, Any]
    now: datetime


DeliveryStatus = Literal["pending", "delivered", "failed", "paused"]


@dataclass(frozen=True)
class WebhookDelivery:
    """One event due at one endpoint; ``payload`` is the envelope exactly as the log holds it."""

    endpoint_id: str
    event_id: str
    payload: str


@dataclass(frozen=True)
class WebhookTarget:
    """Where an endpoint's deliveries go now, and the secret that signs them (its newest)."""

    url: str
    secret: str


@dataclass(frozen=True)
class DeliveryState:
    """An event's delivery to one endpoint, as its event log reports it."""

    attempts: int
    attempt_limit: int
    status: DeliveryStatus
    delivery_time: datetime | None = None
    next_attempt_time: datetime | None = None


class WebhookBook(Protocol):
    """The organization's webhook endpoints and the delivery state of their events.

    Endpoints created here are live: every event logged after their creation becomes a
    ``WebhookDelivery`` (unless the endpoint is paused) for the HTTP layer to send, and its
    outcome is recorded back. The seeded endpoints have no URL to reach; their log shows
    made-up delivery states. Unknown or deleted endpoint ids raise NotFound.
    """

    def create(self, name: str, url: str, secret: str, now: datetime) -> JsonRecord:
        """The new endpoint, its ``signingSecrets`` with their values (shown only now)."""
        ...

    def delete(self, endpoint_id: str) -> None: ...

    def set_paused(self, endpoint_id: str, paused: bool) -> None: ...

    def add_secret(self, endpoint_id: str, secret: str) -> JsonRecord:
        """A further signing secret (rotation); it signs from now on. ``{"id", "value"}``."""
        ...

    def target(self, endpoint_id: str) -> WebhookTarget | None:
        """Where to send now; None when the endpoint is gone, paused or not live."""
        ...

    def take_deliveries(self) -> list[WebhookDelivery]:
        """The deliveries made due by the changes since the last call."""
        ...

    def record(self, event_id: str, state: DeliveryState) -> None:
        """Record an attempt's outcome in the event log of the event's endpoint."""
        ...


class Organization(Protocol):
    """What the HTTP layer needs from the data. ``simulator.organization`` implements it."""

    organization_id: str
    webhooks: WebhookBook

    def list_page(self, query: ListQuery) -> Page:
        """One keyset page; raises NotFound for an unknown parent id, InvalidParameter."""
        ...

    def get(self, operation: GetOperation, record_id: str, now: datetime) -> JsonRecord:
        """One record by id; raises NotFound or Gone."""
        ...

    def advance(self, change: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Apply a change to the data (see ``simulator.organization`` for the keys).

        Returns a JSON-ready summary of what changed (ids created, edited, deleted).
        Every change is also written to the webhook endpoints' event log.
        """
        ...

    def ground_truth(self, now: datetime) -> dict[str, list[JsonRecord]]:
        """What a perfect sync must have loaded, keyed by warehouse table name."""
        ...
