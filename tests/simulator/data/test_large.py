"""The large scale: the promised sizes, served lazily (figures: python -m simulator.data.measure)."""

from __future__ import annotations

import pytest

from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import first_page, items_of, read_all


@pytest.fixture(scope="module")
def large_org() -> SimulatedOrganization:
    return SimulatedOrganization(7, "large")


@pytest.mark.slow
def test_large_scale_sizes(large_org: SimulatedOrganization) -> None:
    counts = large_org.ground_truth_counts(AFTER_ANCHOR)
    assert counts["contacts"] >= 100_000
    assert counts["conversations"] >= 100_000
    assert counts["conversation_items"] >= 2_000_000


@pytest.mark.slow
def test_large_scale_pages_are_served_from_anywhere(large_org: SimulatedOrganization) -> None:
    last = first_page(large_org, "ListConversations", AFTER_ANCHOR, 200, orderBy="last_message")
    assert last.total_count >= 100_000 and len(last.records) == 200
    newest = read_all(large_org, "ListConversations", AFTER_ANCHOR, orderBy="last_message",
                      startFrom=AFTER_ANCHOR.replace(month=10, day=31))
    assert newest, "no conversation active on the last day before the anchor"
    items = items_of(large_org, newest[-1]["id"], AFTER_ANCHOR)
    assert items[0]["createdAt"] == newest[-1]["lastMessageAt"]
    assert large_org.get("ConversationItem", items[-1]["id"], AFTER_ANCHOR) == items[-1]
