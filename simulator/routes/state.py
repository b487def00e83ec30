"""The live state one running simulator shares between its API, its admin API and tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timezone
from typing import Any

from simulator.contract import JsonRecord, ListQuery, Organization
from simulator.counters import Counters, RequestCounters
from simulator.faults import FaultInjector
from simulator.idempotency import IdempotencyKeys
from simulator.pagination import PaginationTokens
from simulator.ratelimit import RateBudget
from simulator.settings import FaultSettings, RateLimitSettings, WebhookSettings
from simulator.webhook_delivery import WebhookDispatcher

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class SimulatorState:
    """The organization and everything about the wire that changes while serving.

    Calls come from the server's event loop and from the test thread at once:
    ``data_lock`` serialises the organization, the other parts lock themselves.
    ``webhooks`` delivers the events of every change (``simulator.webhook_delivery``).
    """

    organization: Organization
    tokens: frozenset[str]
    pagination: PaginationTokens
    budget: RateBudget
    faults: FaultInjector
    counters: RequestCounters = field(default_factory=RequestCounters)
    clock: Clock = utc_now
    data_lock: threading.Lock = field(default_factory=threading.Lock)
    idempotency: IdempotencyKeys = field(default_factory=IdempotencyKeys)
    webhook_settings: InitVar[WebhookSettings | None] = None
    webhooks: WebhookDispatcher = field(init=False)

    def __post_init__(self, webhook_settings: WebhookSettings | None) -> None:
        self.webhooks = WebhookDispatcher(webhook_settings or WebhookSettings(),
                                          self.organization.webhooks, self.data_lock, self.clock)

    def advance(self, change: dict[str, Any]) -> dict[str, Any]:
        """Apply ``change``; the webhook deliveries it makes due go to the dispatcher."""
        with self.data_lock:
            summary = self.organization.advance(change, self.clock())
            deliveries = self.organization.webhooks.take_deliveries()
        self.webhooks.submit(deliveries)
        return summary

    def ground_truth(self) -> dict[str, list[JsonRecord]]:
        with self.data_lock:
            return self.organization.ground_truth(self.clock())

    def counters_snapshot(self) -> Counters:
        return self.counters.snapshot()

    def set_faults(self, settings: FaultSettings) -> None:
        self.faults.configure(settings)

    def set_rate_limit(self, settings: RateLimitSettings | None) -> None:
        """New settings for the budget; None: back to ``DEFAULT_RATE_LIMIT``."""
        self.budget.configure(settings)

    def some_contact(self) -> JsonRecord | None:
        """A contact, for the fault that leaks patient data into an error message."""
        query = ListQuery("ListContacts", None, 1, {}, self.clock())
        with self.data_lock:
            records = self.organization.list_page(query).records
        return records[0] if records else None
