"""Listing from server threads while a test thread advances the data."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import ids, read_all

ROUNDS = 30
READERS = 3


def read_until(org: SimulatedOrganization, done: threading.Event) -> int:
    """Page through contacts and conversations until ``done``; how many passes."""
    passes = 0
    while not done.is_set():
        contacts = ids(read_all(org, "ListContacts", AFTER_ANCHOR, limit=7))
        assert contacts == sorted(contacts) and len(set(contacts)) == len(contacts)
        read_all(org, "ListConversations", AFTER_ANCHOR, limit=5, orderBy="last_message")
        passes += 1
    return passes


def test_listing_while_advancing_never_breaks_a_page(tiny_org: SimulatedOrganization) -> None:
    done = threading.Event()
    with ThreadPoolExecutor(READERS) as pool:
        readers = [pool.submit(read_until, tiny_org, done) for _ in range(READERS)]
        for round_number in range(ROUNDS):
            tiny_org.advance({"new_contacts": 1, "deleted_contacts": 1, "new_items": 2,
                              "deleted_items": 1}, AFTER_ANCHOR + timedelta(seconds=round_number))
        done.set()
        # result() re-raises a reader's failure here, in the test thread.
        assert all(reader.result() >= 0 for reader in readers)
