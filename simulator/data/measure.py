"""Measure the organization data at a scale: start time, memory, CPU per served page.

Run: ``python -m simulator.data.measure --scale large``. This is the benchmark of the
data side alone (no HTTP); it prints its figures (it is a command, not library code).
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import timedelta

from simulator.contract import ListQuery
from simulator.data.settings import DEFAULT_ANCHOR
from simulator.organization import SimulatedOrganization

NOW = DEFAULT_ANCHOR + timedelta(hours=1)
PAGE = 200


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def item_pages(org: SimulatedOrganization, conversations: range) -> int:
    """Read every item of ``conversations`` oldest first in 200-item pages; item count."""
    read = 0
    for index in conversations:
        conversation_id = org.world.conversations.record(index)["id"]
        after = None
        while True:
            page = org.list_page(ListQuery("ConversationItems", after, PAGE, {
                "conversationId": conversation_id, "order": "oldest_first"}, NOW))
            read += len(page.records)
            after = page.last_key
            if not page.has_more:
                break
    return read


def measure_start(seed: int, scale: str) -> SimulatedOrganization:
    started = time.perf_counter()
    org = SimulatedOrganization(seed, scale)
    print(f"start: {time.perf_counter() - started:.2f} s wall, peak RSS {rss_mb():.0f} MB")
    return org


def measure_items(org: SimulatedOrganization, conversations: int) -> None:
    sample = range(min(conversations, org.world.conversations.count))
    counts: list[int] = []
    cold = cpu_seconds(lambda: counts.append(item_pages(org, sample)))
    warm = cpu_seconds(lambda: counts.append(item_pages(org, sample[-50:])))
    print(f"items, cold (generated while served): {counts[0]} items, "
          f"{cold / counts[0] * PAGE * 1000:.2f} ms CPU per {PAGE} items, "
          f"{counts[0] / cold:,.0f} items/s")
    print(f"items, warm (cached threads): {warm / counts[1] * PAGE * 1000:.2f} ms CPU per "
          f"{PAGE} items")


def measure_truth(org: SimulatedOrganization) -> None:
    contacts = cpu_seconds(lambda: org.list_page(ListQuery("ListContacts", None, 500, {}, NOW)))
    print(f"contacts: {contacts * 1000:.2f} ms CPU per 500-contact page (cold)")
    counts: list[dict[str, int]] = []
    counting = cpu_seconds(lambda: counts.append(org.ground_truth_counts(NOW)))
    print(f"ground_truth_counts: {counting:.2f} s CPU, "
          f"{counts[0]['conversation_items']:,} items")
    started = time.perf_counter()
    truth = org.ground_truth_ids(NOW)
    print(f"ground_truth_ids: {time.perf_counter() - started:.2f} s wall, "
          f"{len(truth['conversation_items']):,} item ids, peak RSS {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--conversations", type=int, default=2000,
                        help="conversations whose items are read cold, then warm")
    arguments = parser.parse_args()
    org = measure_start(arguments.seed, arguments.scale)
    measure_items(org, arguments.conversations)
    measure_truth(org)


if __name__ == "__main__":
    main()
