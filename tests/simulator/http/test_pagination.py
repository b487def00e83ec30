"""Opaque pagination tokens: keyset positions that survive changes, and cannot be forged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from simulator import Simulator
from tests.fixtures.simulator import TEST_SETTINGS
from tests.simulator.http.clock import ManualClock
from tests.simulator.http.wire import QueryParams, api_client, assert_spruce_error, read_pages

CONTACTS = {"pageSize": 50}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def clocked(clock: ManualClock) -> Iterator[Simulator]:
    """A simulator on a hand-moved clock, with one-hour pagination tokens."""
    simulator = Simulator(replace(TEST_SETTINGS, token_lifetime_seconds=3600.0), clock=clock)
    with simulator.running():
        yield simulator


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [record["id"] for record in records]


def test_reading_every_page_yields_the_ground_truth(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        contacts = read_pages(client, "/contacts", "contacts", CONTACTS)
    assert ids(contacts) == ids(simulator.ground_truth()["contacts"])


LISTINGS_UNDER_CHANGE = [
    pytest.param("/contacts", "contacts", CONTACTS,
                 {"new_contacts": 7, "deleted_contacts": 2, "edited_contacts": 3}, id="contacts"),
    pytest.param("/conversations", "conversations", {"orderBy": "created", "pageSize": 30},
                 {"new_conversations": 4, "archived_conversations": 2}, id="conversations"),
    pytest.param("/contacts/search", "contacts", CONTACTS, {"new_contacts": 5}, id="search"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "envelope", "params", "change"), LISTINGS_UNDER_CHANGE)
def test_changes_between_pages_neither_skip_nor_repeat_a_row(
    simulator: Simulator, path: str, envelope: str, params: dict[str, Any],
    change: dict[str, int],
) -> None:  # fmt: skip
    with api_client(simulator) as client:
        before = set(ids(read_pages(client, path, envelope, params, method=_method(path))))
        deleted: set[str] = set()

        def change_the_data() -> None:
            summary = simulator.advance(change)
            deleted.update(summary.get("contacts", {}).get("deleted", []))

        seen = ids(read_pages(client, path, envelope, params, change_the_data, _method(path)))
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert before - deleted <= set(seen), "a row was skipped"
    assert len(set(seen) - before) > 0, "rows inserted behind the position are listed"


def _method(path: str) -> str:
    return "POST" if path.endswith("/search") else "GET"


def test_total_count_is_kept_while_paging_then_refreshed_after_a_minute(
    clocked: Simulator, clock: ManualClock
) -> None:
    with api_client(clocked) as client:
        first = client.get("/contacts", params=CONTACTS).json()
        clocked.advance({"new_contacts": 5})
        token = first["paginationToken"]
        second = client.get("/contacts", params={**CONTACTS, "paginationToken": token}).json()
        clock.advance(61)
        third = client.get(
            "/contacts", params={**CONTACTS, "paginationToken": second["paginationToken"]}
        ).json()
    assert second["totalCount"] == first["totalCount"]
    assert third["totalCount"] == first["totalCount"] + 5


def test_a_token_expires_after_its_lifetime(clocked: Simulator, clock: ManualClock) -> None:
    with api_client(clocked) as client:
        token = client.get("/contacts", params=CONTACTS).json()["paginationToken"]
        clock.advance(3601)
        response = client.get("/contacts", params={**CONTACTS, "paginationToken": token})
    assert_spruce_error(response, 400, "expired")


def _tampered(token: str) -> str:
    body, _, signature = token.partition(".")
    return f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"


@pytest.mark.parametrize(
    ("forge", "words"),
    [(_tampered, "not one this API issued"), (lambda token: token + "x", "not one"),
     (lambda token: "garbage", "not one"), (lambda token: token.split(".")[0], "not one")],
)  # fmt: skip
def test_a_forged_token_is_refused(simulator: Simulator, forge: Any, words: str) -> None:
    with api_client(simulator) as client:
        token = client.get("/contacts", params=CONTACTS).json()["paginationToken"]
        response = client.get("/contacts", params={**CONTACTS, "paginationToken": forge(token)})
    assert_spruce_error(response, 400, words)


def test_a_token_belongs_to_its_own_listing(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        token = client.get("/contacts", params=CONTACTS).json()["paginationToken"]
        response = client.get("/contacts/tags", params={"paginationToken": token})
    assert_spruce_error(response, 400, "another listing")


def test_an_items_token_is_not_valid_for_another_conversation(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        heavy = _conversations_with_several_pages(client)
        token = client.get(f"/conversations/{heavy[0]}/items", params={"pageSize": 5}).json()[
            "paginationToken"
        ]
        response = client.get(f"/conversations/{heavy[1]}/items", params={"paginationToken": token})
    assert_spruce_error(response, 400, "another listing")


def _conversations_with_several_pages(client: Any) -> list[str]:
    page = client.get("/conversations", params={"orderBy": "created", "pageSize": 200}).json()
    return [conversation["id"] for conversation in page["conversations"]
            if client.get(f"/conversations/{conversation['id']}/items",
                          params={"pageSize": 5}).json()["hasMore"]][:2]  # fmt: skip


def test_a_later_page_may_not_change_the_listings_order(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        first = client.get("/conversations", params={"orderBy": "created", "pageSize": 5}).json()
        response = client.get("/conversations", params={
            "orderBy": "last_message", "paginationToken": first["paginationToken"]})  # fmt: skip
    assert_spruce_error(response, 400, "orderBy differs")


def test_an_empty_token_starts_the_listing(simulator: Simulator) -> None:
    with api_client(simulator) as client:
        start = client.get("/contacts", params=CONTACTS).json()
        empty = client.get("/contacts", params={**CONTACTS, "paginationToken": ""}).json()
    assert ids(empty["contacts"]) == ids(start["contacts"])


def test_new_records_are_listed_only_after_the_consistency_delay(clock: ManualClock) -> None:
    simulator = Simulator(replace(TEST_SETTINGS, consistency_delay_seconds=30.0), clock=clock)
    listing: QueryParams = {
        "orderBy": "created", "startFrom": clock.now.isoformat(), "pageSize": 200
    }
    with simulator.running(), api_client(simulator) as client:
        created = simulator.advance({"new_conversations": 1})["conversations"]["created"][0]
        hidden = ids(client.get("/conversations", params=listing).json()["conversations"])
        fetched = client.get(f"/conversations/{created}")
        clock.advance(31)
        shown = ids(client.get("/conversations", params=listing).json()["conversations"])
    assert created not in hidden
    assert fetched.status_code == 200
    assert created in shown
