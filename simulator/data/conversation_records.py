"""One conversation record, generated from (seed, conversation index) and the layout."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339
from simulator.data.context import OrgContext
from simulator.data.people import People
from simulator.data.reference import Reference
from simulator.data.text import COMPANIES, CONVERSATION_TITLES, SUBJECTS
from simulator.data.weighted import Weighted

TAG_COUNTS = Weighted((0, 1, 2), (60, 30, 10))
PARTICIPANT_CHANNEL = {"phone": "phone", "email": "email", "fax": "fax", "secure": "secure",
                       "other": "phone"}


@dataclass(frozen=True)
class ConversationSeed:
    """What the layout fixes about a conversation before its record is generated."""

    index: int
    kind: str
    created_ms: int
    last_ms: int
    contact: JsonRecord | None


def generate_conversation(
    context: OrgContext, people: People, reference: Reference, seed: ConversationSeed
) -> JsonRecord:
    """The conversation record; ``lastMessageAt`` is that of its newest generated item."""
    rng = context.rng("conversation", seed.index)
    conversation_id = context.codecs.conversation.make(seed.index)
    record: JsonRecord = {
        "id": conversation_id,
        "object": "conversation",
        "type": seed.kind,
        "title": _title(rng, seed, people),
        "archived": rng.random() < 0.3,
        "isReadOnly": seed.kind == "fax" or rng.random() < 0.03,
        "tags": _tags(rng, reference),
        "createdAt": rfc3339(seed.created_ms),
        "lastMessageAt": rfc3339(seed.last_ms),
        "apiURL": context.api_url(f"conversations/{conversation_id}"),
        "appURL": context.app_url(f"thread/{conversation_id}"),
    }
    record.update(_membership(rng, seed, people, reference))
    if rng.random() < 0.5 and seed.contact is not None:
        record["subtitle"] = _subtitle(seed)
    return record


def _title(rng: Random, seed: ConversationSeed, people: People) -> str:
    contact_name = seed.contact["displayName"] if seed.contact else "Unknown"
    team_name = people.teams[seed.index % len(people.teams)]["name"] if people.teams else "Team"
    return CONVERSATION_TITLES[seed.kind].format(
        name=contact_name, subject=rng.choice(SUBJECTS), company=rng.choice(COMPANIES),
        team=team_name,
    )


def _subtitle(seed: ConversationSeed) -> str:
    assert seed.contact is not None
    phones = seed.contact["phoneNumbers"]
    return str(phones[0]["displayValue"]) if phones else str(seed.contact["displayName"])


def _tags(rng: Random, reference: Reference) -> list[JsonRecord]:
    count = TAG_COUNTS.pick(rng)
    return sorted(rng.sample(reference.conversation_tags, count), key=lambda tag: str(tag["id"]))


def _membership(
    rng: Random, seed: ConversationSeed, people: People, reference: Reference
) -> JsonRecord:
    members: JsonRecord = {}
    if seed.kind in ("team", "note"):
        count = min(len(people.teammates), rng.randint(2, 4))
        members["internalMemberIds"] = sorted(rng.sample(people.teammate_ids, count))
        members["associatedContactIds"] = []
        members["externalParticipants"] = []
        return members
    members["internalMemberIds"] = [people.organization["id"]]
    if rng.random() < 0.4:
        members["assignedToMemberId"] = rng.choice(people.teammate_ids)
    channel = PARTICIPANT_CHANNEL[seed.kind]
    members["internalEndpoint"] = reference.endpoint(channel)
    members["associatedContactIds"] = [seed.contact["id"]] if seed.contact else []
    members["externalParticipants"] = [_participant(seed, channel)] if seed.contact else []
    return members


def _participant(seed: ConversationSeed, channel: str) -> JsonRecord:
    contact = seed.contact
    assert contact is not None
    participant: JsonRecord = {"contact": contact["id"], "displayName": contact["displayName"]}
    endpoint = _contact_endpoint(contact, channel)
    if endpoint is not None:
        participant["endpoint"] = endpoint
    return participant


def _contact_endpoint(contact: JsonRecord, channel: str) -> JsonRecord | None:
    # Secure conversations have no external endpoint; others use the contact's first one.
    source = {"phone": "phoneNumbers", "fax": "faxNumbers", "email": "emailAddresses"}
    entries = contact.get(source.get(channel, ""), [])
    if not entries:
        return None
    entry = entries[0]
    return {
        "id": entry["id"],
        "channel": channel,
        "displayValue": entry.get("displayValue", entry["value"]),
        "rawValue": entry["value"],
        "isInternal": False,
        "object": "endpoint",
    }
