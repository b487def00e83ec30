"""Listing from server threads while a test thread advances the data."""

from __future__ import annotations

import threading
from datetime import timedelta

from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import ids, read_all

ROUNDS = 30


def test_listing_while_advancing_never_breaks_a_page(tiny_org: SimulatedOrganization) -> None:
    failures: list[BaseException] = []
    done = threading.Event()

    def read_repeatedly() -> None:
        try:
            while not done.is_set():
                contacts = ids(read_all(tiny_org, "ListContacts", AFTER_ANCHOR, limit=7))
                assert contacts == sorted(contacts) and len(set(contacts)) == len(contacts)
                read_all(tiny_org, "ListConversations", AFTER_ANCHOR, limit=5,
                         orderBy="last_message")
        except BaseException as error:  # reported to the test thread below
            failures.append(error)

    readers = [threading.Thread(target=read_repeatedly) for _ in range(3)]
    for reader in readers:
        reader.start()
    for round_number in range(ROUNDS):
        tiny_org.advance({"new_contacts": 1, "deleted_contacts": 1, "new_items": 2,
                          "deleted_items": 1}, AFTER_ANCHOR + timedelta(seconds=round_number))
    done.set()
    for reader in readers:
        reader.join()
    assert failures == []
