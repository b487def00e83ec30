"""POST /contacts/search: the created-time filter, id ascending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simulator.contract import InvalidParameter
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import first_page, ids, read_all

COMPARISONS: dict[str, Callable[[str, str], bool]] = {
    "equal": lambda created, bound: created == bound,
    "less_than": lambda created, bound: created < bound,
    "less_than_or_equal_to": lambda created, bound: created <= bound,
    "greater_than": lambda created, bound: created > bound,
    "greater_than_or_equal_to": lambda created, bound: created >= bound,
}


def created_filter(*times: tuple[str, str], match: str = "all") -> dict[str, Any]:
    created_times = [{"comparison": comparison, "time": time} for comparison, time in times]
    return {"structured": {"createdTimeFilter": [{"createdTimes": created_times,
                                                  "match": match}]}}


@pytest.fixture(scope="module")
def contacts(small_org: SimulatedOrganization) -> list[dict[str, Any]]:
    return read_all(small_org, "ListContacts", AFTER_ANCHOR, limit=500)


@pytest.mark.parametrize("comparison", sorted(COMPARISONS))
def test_created_time_comparisons(
    small_org: SimulatedOrganization, contacts: list[dict[str, Any]], comparison: str
) -> None:
    bound = contacts[len(contacts) // 2]["created"]
    found = read_all(small_org, "SearchContacts", AFTER_ANCHOR, limit=50,
                     search=created_filter((comparison, bound)))
    expected = [c["id"] for c in contacts if COMPARISONS[comparison](c["created"], bound)]
    assert ids(found) == expected and expected
    page = first_page(small_org, "SearchContacts", AFTER_ANCHOR, 50,
                      search=created_filter((comparison, bound)))
    assert page.total_count == len(expected)


@pytest.mark.parametrize(("match", "keep"), [
    ("all", lambda low, high: low and high),
    ("any", lambda low, high: low or high),
    ("none", lambda low, high: not (low or high)),
])
def test_match_combines_comparisons(
    small_org: SimulatedOrganization, contacts: list[dict[str, Any]], match: str, keep: Callable[[bool, bool], bool]
) -> None:
    low, high = contacts[100]["created"], contacts[400]["created"]
    search = created_filter(("greater_than", low), ("less_than", high), match=match)
    found = read_all(small_org, "SearchContacts", AFTER_ANCHOR, limit=500, search=search)
    assert ids(found) == [c["id"] for c in contacts
                          if keep(c["created"] > low, c["created"] < high)]


def test_no_filter_finds_every_live_contact(
    small_org: SimulatedOrganization, contacts: list[dict[str, Any]]
) -> None:
    assert ids(read_all(small_org, "SearchContacts", AFTER_ANCHOR, limit=500,
                        search={})) == ids(contacts)


@pytest.mark.parametrize(("search", "message"), [
    ({"freeText": "smith"}, "freeText search is not simulated"),
    ({"structured": {"nameFilter": []}}, r"\['nameFilter'\] are not simulated"),
    (created_filter(("about", "2026-01-01T00:00:00Z")), r"createdTimes\[0\].comparison"),
    (created_filter(("equal", "last week")), r"createdTimes\[0\].time must be an RFC 3339"),
    (created_filter(("equal", "2026-01-01T00:00:00Z"), match="most"), "match must be all"),
])
def test_unsupported_or_malformed_searches_say_where(
    small_org: SimulatedOrganization, search: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidParameter, match=message):
        first_page(small_org, "SearchContacts", AFTER_ANCHOR, 10, search=search)
