"""get: each record by id, NotFound for unknown ids, Gone for legacy transcriptions."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.contract import GetOperation, Gone, NotFound
from simulator.data.settings import LEGACY_TRANSCRIPTION_MESSAGE
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import items_of, read_all


def voicemails(org: SimulatedOrganization) -> list[dict[str, Any]]:
    conversations = read_all(org, "ListConversations", AFTER_ANCHOR, orderBy="created")
    return [item for conversation in conversations
            for item in items_of(org, conversation["id"], AFTER_ANCHOR)
            if "voicemail" in item.get("event", {}).get("data", {})]


def transcription_id(item: dict[str, Any]) -> str:
    return str(item["event"]["data"]["voicemail"]["transcription"]["id"])


def test_legacy_transcriptions_are_gone_with_an_explanation(small_org: SimulatedOrganization
                                                            ) -> None:
    legacy = [item for item in voicemails(small_org) if item["createdAt"] < "2025-11-01"]
    assert legacy
    with pytest.raises(Gone, match=LEGACY_TRANSCRIPTION_MESSAGE):
        small_org.get("Transcription", transcription_id(legacy[0]), AFTER_ANCHOR)


def test_recent_transcriptions_are_available(small_org: SimulatedOrganization) -> None:
    recent = [item for item in voicemails(small_org) if item["createdAt"] >= "2025-11-01"]
    record = small_org.get("Transcription", transcription_id(recent[0]), AFTER_ANCHOR)
    assert record["id"] == transcription_id(recent[0])
    assert record["status"] in ("completed", "noSpeech", "failed")


def test_listed_items_are_got_by_id(small_org: SimulatedOrganization) -> None:
    item = voicemails(small_org)[0]
    assert small_org.get("ConversationItem", item["id"], AFTER_ANCHOR) == item


@pytest.mark.parametrize(("operation", "record_id"), [
    ("Contact", "entity_nope"),
    ("Contact", "entity_3ZZZ0000000ZZ"),
    ("Conversation", "t_ZZZZZZZZZZZZ"),
    ("ConversationItem", "ti_00000000000000000"),
    ("ConversationItem", "t_000000000000"),
    ("OrganizationMember", "entity_nope"),
    ("PhoneLine", "pd_nope"),
    ("Transcription", "tr_nope"),
    ("WebhookEndpoint", "wde_nope"),
])
def test_unknown_ids_are_not_found(small_org: SimulatedOrganization, operation: GetOperation,
                                   record_id: str) -> None:
    with pytest.raises(NotFound, match="not found"):
        small_org.get(operation, record_id, AFTER_ANCHOR)


def test_ids_of_another_organization_are_not_found(small_org: SimulatedOrganization) -> None:
    other = SimulatedOrganization(8, "tiny")
    contact = read_all(other, "ListContacts", AFTER_ANCHOR)[0]
    with pytest.raises(NotFound):
        small_org.get("Contact", contact["id"], AFTER_ANCHOR)


def test_transcription_of_an_item_without_voicemail_is_not_found(
    small_org: SimulatedOrganization,
) -> None:
    conversation = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy="created")[0]
    item = next(item for item in items_of(small_org, conversation["id"], AFTER_ANCHOR)
                if "event" not in item)
    made_up = "tr_" + item["id"][3:]
    with pytest.raises(NotFound):
        small_org.get("Transcription", made_up, AFTER_ANCHOR)
