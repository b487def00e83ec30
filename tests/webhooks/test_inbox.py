"""The inbox over real SQLite files: stored once, pending in eventTime order, applied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines.webhooks.inbox import Inbox, ReceivedEvent

START = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def _event(key: str, minutes: int, organization: str = "default") -> ReceivedEvent:
    return ReceivedEvent(
        key=key, organization=organization, type="contact.updated",
        event_time=START + timedelta(minutes=minutes), resource_id=f"entity_{key}",
        resource={"id": f"entity_{key}", "givenName": "Ada"}, received_at=START,
    )  # fmt: skip


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    opened = Inbox.open(tmp_path / "var" / "inbox.sqlite")
    yield opened
    opened.close()


def test_events_are_pending_in_event_time_order_whatever_the_arrival_order(inbox: Inbox) -> None:
    for key, minutes in (("late", 3), ("early", 1), ("middle", 2)):
        assert inbox.store(_event(key, minutes))
    assert [event.key for event in inbox.pending(limit=10)] == ["early", "middle", "late"]
    assert [event.key for event in inbox.pending(limit=2)] == ["early", "middle"]


def test_a_key_is_stored_once(inbox: Inbox) -> None:
    assert inbox.store(_event("once", 1)) is True
    assert inbox.store(_event("once", 5)) is False
    (stored,) = inbox.pending(limit=10)
    assert stored.event_time == START + timedelta(minutes=1)
    assert stored.resource == {"id": "entity_once", "givenName": "Ada"}


def test_applied_events_leave_the_pending_list_and_set_the_catch_up_point(inbox: Inbox) -> None:
    assert inbox.last_applied_event_time() is None
    for key, minutes in (("a", 1), ("b", 2), ("c", 3)):
        inbox.store(_event(key, minutes))
    inbox.mark_applied(["a", "b"])
    assert [event.key for event in inbox.pending(limit=10)] == ["c"]
    assert inbox.last_applied_event_time() == START + timedelta(minutes=2)


def test_organizations_are_kept_apart(inbox: Inbox) -> None:
    inbox.store(_event("a", 1, organization="clinic-a"))
    inbox.store(_event("b", 2, organization="clinic-b"))
    inbox.mark_applied(["b"])
    assert [event.key for event in inbox.pending(10, organization="clinic-a")] == ["a"]
    assert inbox.pending(10, organization="clinic-b") == []
    assert inbox.last_applied_event_time("clinic-a") is None


def test_what_one_connection_stores_another_sees_and_a_reopen_keeps(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    receiver, applier = Inbox.open(path), Inbox.open(path)
    receiver.store(_event("shared", 1))
    applier.mark_applied([event.key for event in applier.pending(limit=10)])
    receiver.store(_event("after", 2))
    receiver.close()
    applier.close()
    reopened = Inbox.open(path)
    assert [event.key for event in reopened.pending(limit=10)] == ["after"]
    assert reopened.count() == 2
    reopened.close()
