"""One handler per get operation: a record by id, or NotFound / Gone."""

from __future__ import annotations

from collections.abc import Callable

from simulator.contract import Gone, JsonRecord, NotFound
from simulator.data.settings import LEGACY_TRANSCRIPTION_CUTOFF, LEGACY_TRANSCRIPTION_MESSAGE
from simulator.data.text import PATIENT_MESSAGES, message_text
from simulator.data.world import World

Lookup = Callable[[World, str, int], JsonRecord]


def _by_id(records: list[JsonRecord], record_id: str, kind: str) -> JsonRecord:
    for record in records:
        if record["id"] == record_id:
            return record
    raise NotFound(f"{kind} {record_id} not found")


def contact(world: World, record_id: str, now_ms: int) -> JsonRecord:
    index = world.contacts.index_of(record_id)
    if index is None:
        raise NotFound(f"contact {record_id} not found")
    return world.contacts.record(index)


def conversation(world: World, record_id: str, now_ms: int) -> JsonRecord:
    index = world.conversations.index_of(record_id)
    if index is None:
        raise NotFound(f"conversation {record_id} not found")
    return world.conversations.record(index)


def _item_place(world: World, record_id: str) -> tuple[int, int]:
    parsed = world.context.codecs.item.parse(record_id)
    if parsed is None or parsed[0] >= world.conversations.count:
        raise NotFound(f"conversation item {record_id} not found")
    if parsed[1] not in world.items.thread(parsed[0]).records:
        raise NotFound(f"conversation item {record_id} not found")
    return parsed


def conversation_item(world: World, record_id: str, now_ms: int) -> JsonRecord:
    conversation_index, sequence = _item_place(world, record_id)
    thread = world.items.thread(conversation_index)
    return thread.served(sequence, now_ms, world.drift, world.media_secret)


def transcription(world: World, record_id: str, now_ms: int) -> JsonRecord:
    place = world.context.codecs.transcription.parse(record_id)
    try:
        if place is None:
            raise NotFound(record_id)
        item = conversation_item(world, world.context.codecs.item.make(*place), now_ms)
    except NotFound:
        raise NotFound(f"transcription {record_id} not found") from None
    voicemail = (item.get("event") or {}).get("data", {}).get("voicemail")
    if voicemail is None or voicemail["transcription"]["id"] != record_id:
        raise NotFound(f"transcription {record_id} not found")
    if item["createdAt"] < LEGACY_TRANSCRIPTION_CUTOFF.strftime("%Y-%m-%dT%H:%M:%S.000Z"):
        raise Gone(LEGACY_TRANSCRIPTION_MESSAGE)
    return _transcription_record(world, record_id, place,
                                 voicemail["transcription"]["status"])


def _transcription_record(world: World, record_id: str, place: tuple[int, int], status: str
                          ) -> JsonRecord:
    conversation, sequence = place
    rng = world.context.rng("transcription", conversation * 32**5 + sequence)
    text = message_text(rng, PATIENT_MESSAGES) if status == "completed" else ""
    record: JsonRecord = {"id": record_id, "status": status, "text": text}
    if status == "completed":
        record["summarization"] = {"status": "completed", "text": f"Caller says: {text[:60]}"}
    return record


LOOKUPS: dict[str, Lookup] = {
    "Contact": contact,
    "Conversation": conversation,
    "ConversationItem": conversation_item,
    "OrganizationMember": lambda world, record_id, now_ms: _by_id(
        world.people.members, record_id, "organization member"),
    "PhoneLine": lambda world, record_id, now_ms: _by_id(
        world.reference.phone_lines, record_id, "phone line"),
    "Transcription": transcription,
    "WebhookEndpoint": lambda world, record_id, now_ms: _by_id(
        world.reference.webhook_endpoints, record_id, "webhook endpoint"),
}


def look_up(world: World, operation: str, record_id: str, now_ms: int) -> JsonRecord:
    """The record ``operation`` returns for ``record_id``."""
    lookup = LOOKUPS.get(operation)
    if lookup is None:
        raise ValueError(f"unknown get operation {operation!r}: choose one of {list(LOOKUPS)}")
    return lookup(world, record_id, now_ms)

