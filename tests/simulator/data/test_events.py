"""The webhook event log: history, retention, time filters, one log for every endpoint."""

from __future__ import annotations

from datetime import timedelta

from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import events, read_all


def test_history_holds_the_creations_before_the_anchor(small_org: SimulatedOrganization
                                                       ) -> None:
    logged = events(small_org, AFTER_ANCHOR)
    types = {event["payload"]["type"] for event in logged}
    assert types == {"contact.created", "conversation.created", "conversationItem.created"}
    times = [(event["eventTime"], event["id"]) for event in logged]
    assert times == sorted(times)
    assert all(event["payload"]["eventTime"] == event["eventTime"] for event in logged)


def test_events_are_kept_thirty_days(tiny_org: SimulatedOrganization) -> None:
    tiny_org.advance({"new_contacts": 1}, AFTER_ANCHOR)
    within = events(tiny_org, AFTER_ANCHOR + timedelta(days=29))
    after = events(tiny_org, AFTER_ANCHOR + timedelta(days=31))
    assert within and within[-1]["payload"]["type"] == "contact.created"
    assert after == []


def test_start_time_inclusive_end_time_exclusive(tiny_org: SimulatedOrganization) -> None:
    now = AFTER_ANCHOR + timedelta(hours=1)
    for minutes in range(3):
        tiny_org.advance({"new_contacts": 1}, AFTER_ANCHOR + timedelta(minutes=minutes))
    window = events(tiny_org, now, startTime=AFTER_ANCHOR + timedelta(minutes=1),
                    endTime=AFTER_ANCHOR + timedelta(minutes=2))
    assert [event["eventTime"] for event in window] == [
        (AFTER_ANCHOR + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")]


def test_every_endpoint_lists_the_same_events_under_its_own_ids(
    small_org: SimulatedOrganization,
) -> None:
    endpoints = [endpoint["id"] for endpoint in small_org.world.reference.webhook_endpoints]
    listings = [read_all(small_org, "ListWebhookEndpointEvents", AFTER_ANCHOR, limit=20,
                         endpointId=endpoint) for endpoint in endpoints]
    assert len(endpoints) >= 2
    assert [e["data"] for e in listings[0]] == [e["data"] for e in listings[1]]
    assert not {e["id"] for e in listings[0]} & {e["id"] for e in listings[1]}


def test_future_events_are_not_listed_yet(tiny_org: SimulatedOrganization) -> None:
    listed_before = len(events(tiny_org, AFTER_ANCHOR))
    tiny_org.advance({"new_contacts": 1}, AFTER_ANCHOR + timedelta(hours=2))
    assert len(events(tiny_org, AFTER_ANCHOR + timedelta(hours=1))) == listed_before
    assert len(events(tiny_org, AFTER_ANCHOR + timedelta(hours=3))) == listed_before + 1


def test_created_and_deleted_endpoints_keep_the_log_and_the_truth_in_step(
    tiny_org: SimulatedOrganization,
) -> None:
    book = tiny_org.webhooks
    seeded = tiny_org.world.reference.webhook_endpoints[0]["id"]
    created = book.create("sync", "http://127.0.0.1:9/hook", "secret", AFTER_ANCHOR)["id"]
    book.delete(seeded)
    later = AFTER_ANCHOR + timedelta(minutes=1)
    tiny_org.advance({"new_contacts": 2}, later)

    due = book.take_deliveries()
    assert [delivery.endpoint_id for delivery in due] == [created, created]
    assert book.take_deliveries() == []
    truth = tiny_org.ground_truth(later)["webhook_events"]
    assert len(truth) == tiny_org.ground_truth_counts(later)["webhook_events"]
    assert seeded not in {event["endpointId"] for event in truth}
    mine = [event for event in truth if event["endpointId"] == created]
    assert [event["id"] for event in mine] == [delivery.event_id for delivery in due]
    assert [event["data"] for event in mine] == [delivery.payload for delivery in due]
    assert {event["delivery"]["status"] for event in mine} == {"pending"}
