"""The analysts' figures computed independently, in Python, from the simulator's truth.

These follow the models' documented definitions, not their SQL: a reply is the first
outbound item after an inbound one in the same conversation (ordered by time, then
id), internal notes and deleted items neither wait nor answer; days are UTC days.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from simulator.contract import JsonRecord
from tests.analytics.practice import Practice

ANSWERABLE = ("inbound", "outbound")


def timestamp(stamp: str) -> datetime:
    """An RFC 3339 time of the API as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def utc_day(stamp: str) -> date:
    return timestamp(stamp).date()


def items(practice: Practice) -> list[JsonRecord]:
    return practice.truth["conversation_items"]


def messages_per_day(practice: Practice) -> Counter[tuple[date, str]]:
    """Items per (UTC day, direction), deleted ones included."""
    return Counter((utc_day(item["createdAt"]), item["direction"]) for item in items(practice))


def _threads(practice: Practice) -> dict[str, list[JsonRecord]]:
    threads: dict[str, list[JsonRecord]] = defaultdict(list)
    for item in items(practice):
        if (item["direction"] in ANSWERABLE and not item["isInternalNote"]
                and item["id"] not in practice.deleted_item_ids):
            threads[item["conversationId"]].append(item)
    for thread in threads.values():
        thread.sort(key=lambda item: (timestamp(item["createdAt"]), item["id"]))
    return threads


def _waits(thread: list[JsonRecord]) -> Iterator[tuple[JsonRecord, JsonRecord | None]]:
    """Each inbound item of a sorted thread with the first outbound item after it."""
    for position, item in enumerate(thread):
        if item["direction"] == "inbound":
            later = (reply for reply in thread[position + 1:] if reply["direction"] == "outbound")
            yield item, next(later, None)


def _seconds(inbound: JsonRecord, reply: JsonRecord | None) -> float | None:
    if reply is None:
        return None
    waited = timestamp(reply["createdAt"]) - timestamp(inbound["createdAt"])
    return round(waited.total_seconds(), 3)


def response_seconds(practice: Practice) -> dict[str, float | None]:
    """Inbound item id -> seconds to the next reply (None while unanswered)."""
    return {inbound["id"]: _seconds(inbound, reply)
            for thread in _threads(practice).values() for inbound, reply in _waits(thread)}


def first_response_seconds(practice: Practice) -> dict[str, float | None]:
    """Conversation id -> seconds from its first inbound message to the reply after it."""
    first: dict[str, float | None] = {}
    for conversation_id, thread in _threads(practice).items():
        waits = list(_waits(thread))
        if waits:
            first[conversation_id] = _seconds(*waits[0])
    return first


def channel(conversation: JsonRecord) -> str:
    """The conversation's internal endpoint channel, else its type."""
    endpoint = conversation.get("internalEndpoint") or {}
    return str(endpoint.get("channel") or conversation["type"])


def new_conversations(practice: Practice) -> Counter[tuple[date, str]]:
    """Conversations created per (UTC day, channel)."""
    return Counter((utc_day(conversation["createdAt"]), channel(conversation))
                   for conversation in practice.truth["conversations"])


def new_contacts(practice: Practice) -> Counter[date]:
    """Live contacts created per UTC day."""
    return Counter(utc_day(contact["created"]) for contact in practice.truth["contacts"])


def first_phones(practice: Practice) -> dict[str, str | None]:
    """Live contact id -> its first phone number (E.164), if any."""
    return {contact["id"]: next((phone["value"] for phone in contact.get("phoneNumbers") or []),
                                None)
            for contact in practice.truth["contacts"]}
