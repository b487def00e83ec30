"""The items of one conversation, generated from (seed, conversation index) alone."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import NamedTuple

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339
from simulator.data.context import OrgContext
from simulator.data.media import unsigned
from simulator.data.people import People
from simulator.data.text import NOTE_MESSAGES, PATIENT_MESSAGES, TEAM_MESSAGES, message_text
from simulator.data.weighted import Weighted, pick

ATTACHMENTS = (
    ("image", "image/jpeg", "photo.jpg"),
    ("image", "image/png", "screenshot.png"),
    ("document", "application/pdf", "lab-results.pdf"),
    ("document", "application/pdf", "intake-form.pdf"),
    ("video", "video/mp4", "exercise.mp4"),
    ("audio", "audio/mpeg", "message.mp3"),
)

TRANSCRIPTION_STATUSES = Weighted(("completed", "noSpeech", "failed"), (85, 10, 5))


@dataclass(frozen=True)
class ThreadSeed:
    """What generating a conversation's items needs to know about the conversation."""

    index: int
    conversation: JsonRecord
    created_ms: int
    last_ms: int
    count: int


class ItemDraft(NamedTuple):
    """Inputs of one item: its place in the thread and who wrote it (a tuple: cheap)."""

    conversation: int
    sequence: int
    created_ms: int
    direction: str
    internal_note: bool


def item_times(rng: Random, seed: ThreadSeed) -> list[int]:
    """``count`` ascending times from the conversation's creation to its last message."""
    if seed.count == 1:
        return [seed.created_ms]
    start, span, draw = seed.created_ms, seed.last_ms - seed.created_ms + 1, rng.random
    middle = sorted(start + int(draw() * span) for _ in range(seed.count - 2))
    return [seed.created_ms, *middle, seed.last_ms]


def generate_items(
    context: OrgContext, people: People, seed: ThreadSeed
) -> tuple[list[JsonRecord], list[int]]:
    """Every generated item of the conversation, oldest first, and their times (ms)."""
    rng = context.rng("items", seed.index)
    kind = seed.conversation["type"]
    times = item_times(rng, seed)
    drafts = [ItemDraft(seed.index, sequence, created, *_direction(rng, kind))
              for sequence, created in enumerate(times)]
    return [build_item(context, people, seed.conversation, draft, rng) for draft in drafts], times


def _direction(rng: Random, kind: str) -> tuple[str, bool]:
    if kind in ("team", "note"):
        return "none", kind == "note"
    roll = rng.random()
    if roll < 0.1:
        return "none", True
    if kind == "fax":
        return ("inbound" if roll < 0.8 else "outbound"), False
    return ("inbound" if roll < 0.55 else "outbound"), False


def build_item(
    context: OrgContext, people: People, conversation: JsonRecord, draft: ItemDraft,
    rng: Random,
) -> JsonRecord:
    """One item; ``rng`` chooses its content (text, attachments, call event, pages)."""
    index = draft.conversation
    item_id = context.codecs.item.make(index, draft.sequence)
    stamp = rfc3339(draft.created_ms)
    record: JsonRecord = {
        "id": item_id,
        "object": "conversationItem",
        "conversationId": conversation["id"],
        "author": _author(rng, people, conversation, draft),
        "direction": draft.direction,
        "isInternalNote": draft.internal_note,
        "text": "",
        "attachments": [],
        "pages": [],
        "buttons": [],
        "createdAt": stamp,
        "modifiedAt": stamp,
        "requestId": context.codecs.request.make(index, draft.sequence),
        "canDelete": draft.direction != "inbound",
        "apiURL": context.api_url(f"conversationItems/{item_id}"),
        "appURL": context.app_url(f"thread/{conversation['id']}/message/{item_id}"),
    }
    _fill_content(context, people, conversation, draft, record, rng)
    return record


def _author(
    rng: Random, people: People, conversation: JsonRecord, draft: ItemDraft
) -> JsonRecord:
    participants = conversation.get("externalParticipants") or []
    if draft.direction == "inbound" and participants:
        author: JsonRecord = {"displayName": participants[0]["displayName"]}
        if "contact" in participants[0]:
            author["id"] = participants[0]["contact"]
        return author
    teammate = pick(rng, people.teammates)
    author = {"id": teammate["id"], "displayName": teammate["displayName"]}
    if rng.random() < 0.2:
        author["deviceInformation"] = {"platform": pick(rng, ("iOS", "Android", "web")),
                                       "appVersion": f"5.{int(rng.random() * 40)}.0"}
    return author


def _fill_content(
    context: OrgContext, people: People, conversation: JsonRecord, draft: ItemDraft,
    record: JsonRecord, rng: Random,
) -> None:
    kind = conversation["type"]
    roll = rng.random()
    if kind == "phone" and not draft.internal_note and roll < 0.12:
        record["event"] = _call_event(context, record, draft, rng)
        return
    if kind == "secure" and not draft.internal_note and roll < 0.05:
        record["event"] = _video_event(people, draft, rng)
        return
    if kind == "fax" and not draft.internal_note:
        # A fax is its document: no text.
        record["attachments"] = [_attachment(record["id"], rng, fax=True)]
        return
    record["text"] = _text(rng, draft)
    if kind in ("secure", "email", "other") and roll > 0.9:
        record["attachments"] = [_attachment(record["id"], rng, fax=False)]
    if draft.internal_note and roll < 0.3 and people.teammates:
        record["pages"] = [_page(rng, people, record["id"])]


def _text(rng: Random, draft: ItemDraft) -> str:
    if draft.internal_note or draft.direction == "none":
        return message_text(rng, NOTE_MESSAGES)
    pool = PATIENT_MESSAGES if draft.direction == "inbound" else TEAM_MESSAGES
    return message_text(rng, pool)


def _attachment(item_id: str, rng: Random, fax: bool) -> JsonRecord:
    kind, mimetype, name = ATTACHMENTS[2] if fax else rng.choice(ATTACHMENTS)
    data: JsonRecord = {"mimetype": mimetype, "signedUrl": unsigned(f"{item_id}/{name}")}
    if kind == "document":
        data["name"] = name
    return {"title": name, "type": kind, "data": data}


def _page(rng: Random, people: People, item_id: str) -> JsonRecord:
    resolved = rng.random() < 0.6
    page: JsonRecord = {"id": f"page_{item_id[3:]}", "memberId": rng.choice(people.teammate_ids),
                        "resolved": resolved}
    if resolved:
        page["resolvedByMemberId"] = page["memberId"]
    return page


def _call_event(
    context: OrgContext, record: JsonRecord, draft: ItemDraft, rng: Random
) -> JsonRecord:
    inbound = draft.direction == "inbound"
    answered = rng.random() < 0.6
    data: JsonRecord = {"answered": answered, "duration": rng.randrange(5, 900) if answered else 0,
                        "failed": False, "inbound": inbound, "spam": rng.random() < 0.02,
                        "initiatedBy": {"lineId": context.codecs.phone_line.make(0)}}
    if inbound and not answered:
        data["voicemail"] = _voicemail(context, record, draft, rng)
    kind = "inboundCall" if inbound else "outboundCall"
    return {"type": kind, "data": data}


def _voicemail(
    context: OrgContext, record: JsonRecord, draft: ItemDraft, rng: Random
) -> JsonRecord:
    status = TRANSCRIPTION_STATUSES.pick(rng)
    transcription_id = context.codecs.transcription.make(draft.conversation, draft.sequence)
    transcription: JsonRecord = {"id": transcription_id,
                                 "status": status}
    if status == "completed":
        transcription["summarizationStatus"] = "completed"
    return {"mimetype": "audio/mpeg", "signedUrl": unsigned(f"{record['id']}/voicemail.mp3"),
            "transcription": transcription}


def _video_event(people: People, draft: ItemDraft, rng: Random) -> JsonRecord:
    answered = rng.random() < 0.8
    kind = "inboundVideoCall" if draft.direction == "inbound" else "outboundVideoCall"
    return {"type": kind, "data": {"answered": answered,
                                   "duration": rng.randrange(60, 1800) if answered else 0,
                                   "initiatedBy": rng.choice(people.teammate_ids)}}


def has_media(record: JsonRecord) -> bool:
    """Whether serving ``record`` needs its URLs signed."""
    if record["attachments"]:
        return True
    event = record.get("event")
    return bool(event and "voicemail" in event["data"])
