"""Fill the gaps a stopped receiver left, from the webhook endpoint's event log.

``GET /webhooks/endpoints/{endpointId}/events?startTime=`` lists every event Spruce made
for the endpoint (30 days, delivered or not). The catch-up reads it from the newest event
already applied minus `CATCH_UP_OVERLAP`, and stores each event in the inbox exactly as
the receiver would have (same parsing, same PHI policy, same idempotency key: the SHA-256
of the envelope, which is what a delivery's body is), so an event received and also read
here is kept once. `apply_pending` then applies them like any delivery: a re-read event
the warehouse already holds changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import dlt
from dlt.common.configuration.inject import with_config

from pipelines.configuration.options import SyncOptions
from pipelines.webhooks.apply_settings import CATCH_UP_OVERLAP, EVENT_LOG_RETENTION
from pipelines.webhooks.events import InvalidEvent, ResourceProtector, received_event
from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.settings import DEFAULT_ORGANIZATION
from sources.spruce import SourcePlan, settings
from sources.spruce.client import SpruceClient
from sources.spruce.listings import WEBHOOK_EVENTS, read_listing
from sources.spruce.plan import rate_budget
from sources.spruce.stats import RunStats


@dataclass
class CatchUpReport:
    """What the catch-up read: events listed, newly stored, and unusable ones skipped."""

    since: datetime | None = None
    listed: int = 0
    stored: int = 0
    invalid: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() if self.since else None,
                "listed": self.listed, "stored": self.stored, "invalid": self.invalid}


def catch_up(
    options: SyncOptions, inbox_path: Path, endpoint_id: str,
    organization: str = DEFAULT_ORGANIZATION, credentials: dict[str, str] | None = None,
) -> CatchUpReport:
    """Store in the inbox what the endpoint's log holds since the last applied event
    (less the overlap); ``credentials`` as for a run (``api_token``, ``base_url``; the
    missing ones come from dlt's configuration). Apply afterwards with `apply_pending`."""
    inbox = Inbox.open(inbox_path)
    try:
        report = CatchUpReport(since=catch_up_start(inbox, organization))
        protector = event_protector(options)
        plan = SourcePlan.for_run(options, datetime.now(timezone.utc))
        for envelope in read_event_log(plan, endpoint_id, report.since, **(credentials or {})):
            store_logged(inbox, envelope, organization, protector, report)
        return report
    finally:
        inbox.close()


def catch_up_start(inbox: Inbox, organization: str) -> datetime | None:
    """Where the log is read from: the last applied event less the overlap (never before
    the log's retention); None (the whole log) before anything was applied."""
    newest = inbox.last_applied_event_time(organization)
    if newest is None:
        return None
    return max(newest - CATCH_UP_OVERLAP, datetime.now(timezone.utc) - EVENT_LOG_RETENTION)


def event_protector(options: SyncOptions) -> ResourceProtector:
    """The profile's PHI policy, as the receiver applies it before storing."""
    from sources.spruce.phi import PhiPolicy, RecordProtector, resolve_hash_key

    return RecordProtector(options.phi_policy or PhiPolicy(), "contacts", resolve_hash_key())


def store_logged(
    inbox: Inbox, envelope: bytes, organization: str, protector: ResourceProtector,
    report: CatchUpReport,
) -> None:  # fmt: skip
    """Store one logged event as its delivery would have been stored."""
    from sources.spruce.phi.settings import EVENT_OBJECT_RESOURCES

    report.listed += 1
    try:
        event = received_event(envelope, organization, protector, EVENT_OBJECT_RESOURCES)
    except InvalidEvent:
        report.invalid += 1  # a kind this version does not know: the receiver refuses it too
        return
    report.stored += inbox.store(event)


@with_config(sections=("sources", "spruce"))
def read_event_log(
    plan: SourcePlan, endpoint_id: str, since: datetime | None,
    api_token: str = dlt.secrets.value, base_url: str = settings.DEFAULT_BASE_URL,
) -> Iterator[bytes]:
    """Each logged event's envelope (its ``data``: the JSON a delivery carries), oldest
    page first, through the source's client (throttle, retries, token restarts)."""
    stats = RunStats()
    start = {"startTime": since.isoformat()} if since else {}
    path = WEBHOOK_EVENTS.path.format(id=endpoint_id)
    with SpruceClient.for_plan(api_token, base_url, plan, rate_budget(plan), stats) as client:
        for page in read_listing(client, WEBHOOK_EVENTS, plan, stats, path, start_params=start):
            for record in page.records:
                if isinstance(record.get("data"), str):
                    yield record["data"].encode()
