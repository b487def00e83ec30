"""Organizations wrapped around the seeded one, for scenarios no fault switch expresses.

Each wrapper implements ``simulator.contract.Organization`` by delegating to the seeded
organization and changing one thing: a conversation whose items vanish (row 13), a change
applied while a listing is being paged (rows 15, 25), values that are hard to load
exactly (row 26). The simulator serves them over real HTTP like any organization.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from simulator.contract import (
    GetOperation,
    JsonRecord,
    ListQuery,
    NotFound,
    Organization,
    Page,
    WebhookBook,
)


class DelegatingOrganization:
    """Every call goes to ``inner``; subclasses override what their scenario changes."""

    def __init__(self, inner: Organization) -> None:
        self.inner = inner
        self.organization_id = inner.organization_id
        self.webhooks: WebhookBook = inner.webhooks

    def list_page(self, query: ListQuery) -> Page:
        return self.inner.list_page(query)

    def get(self, operation: GetOperation, record_id: str, now: datetime) -> JsonRecord:
        return self.inner.get(operation, record_id, now)

    def advance(self, change: dict[str, Any], now: datetime) -> dict[str, Any]:
        return self.inner.advance(change, now)

    def ground_truth(self, now: datetime) -> dict[str, list[JsonRecord]]:
        return self.inner.ground_truth(now)


class VanishingItems(DelegatingOrganization):
    """The items of one conversation answer 404, as if it was deleted after being listed."""

    def __init__(self, inner: Organization, conversation_id: str) -> None:
        super().__init__(inner)
        self.conversation_id = conversation_id

    def list_page(self, query: ListQuery) -> Page:
        if query.operation == "ConversationItems" and (
            query.params.get("conversationId") == self.conversation_id
        ):
            raise NotFound(f"conversation {self.conversation_id} not found")
        return self.inner.list_page(query)


@dataclass
class ChangeMidListing:
    """Apply ``change`` once, just before the second page of ``operation`` is served."""

    operation: str
    change: dict[str, Any]
    first_page_ids: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None


class ChangingOrganization(DelegatingOrganization):
    """Changes the data while a listing is being paged (a row moves between pages)."""

    def __init__(self, inner: Organization, plan: ChangeMidListing) -> None:
        super().__init__(inner)
        self.plan = plan

    def list_page(self, query: ListQuery) -> Page:
        plan = self.plan
        if query.operation == plan.operation and query.after is not None and plan.summary is None:
            plan.summary = self.inner.advance(plan.change, query.now)
        page = self.inner.list_page(query)
        if query.operation == plan.operation and query.after is None and not plan.first_page_ids:
            plan.first_page_ids = [str(record["id"]) for record in page.records]
        return page


Rewrite = Callable[[JsonRecord], JsonRecord]


class RewrittenOrganization(DelegatingOrganization):
    """Serves (and reports as truth) records passed through one rewrite per operation."""

    def __init__(self, inner: Organization, rewrites: dict[str, tuple[str, Rewrite]]) -> None:
        super().__init__(inner)
        # operationId -> (ground-truth table, rewrite)
        self.rewrites = rewrites

    def list_page(self, query: ListQuery) -> Page:
        page = self.inner.list_page(query)
        if query.operation not in self.rewrites:
            return page
        rewrite = self.rewrites[query.operation][1]
        return replace(page, records=[rewrite(record) for record in page.records])

    def ground_truth(self, now: datetime) -> dict[str, list[JsonRecord]]:
        truth = dict(self.inner.ground_truth(now))
        for table, rewrite in self.rewrites.values():
            truth[table] = [rewrite(record) for record in truth[table]]
        return truth


# Row 26: values that a careless loader mangles.
EMOJI_TEXT = "Thanks! 👩🏽‍⚕️💊 see you at 9 ✅ — naïve café 東京"
NUL_TEXT = "before\x00after"
MEGABYTE_TEXT = "0123456789abcdef" * 65_536  # 1 MiB
OFFSET = timezone(timedelta(hours=5, minutes=30))


def with_offset(timestamp: str) -> str:
    """The same instant written with a +05:30 offset instead of Z."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(OFFSET).isoformat(timespec="milliseconds")


def special_texts(texts: dict[str, str]) -> Rewrite:
    """Give the items named in ``texts`` (id -> text) those texts."""

    def rewrite(record: JsonRecord) -> JsonRecord:
        text = texts.get(str(record["id"]))
        return record if text is None else {**record, "text": text}

    return rewrite


def offset_timestamps(*fields: str) -> Rewrite:
    """Write ``fields`` of every record with a +05:30 offset (same instants)."""

    def rewrite(record: JsonRecord) -> JsonRecord:
        changed = {name: with_offset(record[name]) for name in fields if record.get(name)}
        return {**record, **changed}

    return rewrite
