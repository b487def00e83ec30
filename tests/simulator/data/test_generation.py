"""Seeded generation: deterministic, sized per scale, realistic, all before the anchor."""

from __future__ import annotations

import re
from typing import Any

import pytest

from simulator.contract import ListOperation
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR, ANCHOR
from tests.simulator.data.reading import first_page, ids, items_of, read_all

ID_PATTERNS: dict[ListOperation, str] = {
    "ListContacts": r"entity_[0-9A-Z]{13}",
    "ListConversations": r"t_[0-9A-Z]{12}",
    "ListSavedMessages": r"sm_[0-9A-Z]{12}",
    "ListScheduledMessages": r"scm_[0-9A-Z]{12}",
    "ListWebhookEndpoints": r"wde_[0-9A-Z]{12}",
    "PhoneLines": r"pd_[0-9A-Z]{12}",
}


def snapshot(org: SimulatedOrganization) -> dict[str, Any]:
    conversations = read_all(org, "ListConversations", AFTER_ANCHOR, orderBy="created")
    return {
        "contacts": read_all(org, "ListContacts", AFTER_ANCHOR, limit=500),
        "conversations": conversations,
        "items": items_of(org, conversations[3]["id"], AFTER_ANCHOR),
    }


def test_same_seed_same_data() -> None:
    assert snapshot(SimulatedOrganization(3, "tiny")) == snapshot(SimulatedOrganization(3, "tiny"))


def test_other_seed_other_ids_and_data() -> None:
    first, second = snapshot(SimulatedOrganization(3, "tiny")), snapshot(
        SimulatedOrganization(4, "tiny"))
    assert not set(ids(first["contacts"])) & set(ids(second["contacts"]))
    assert [c["displayName"] for c in first["contacts"]] != [
        c["displayName"] for c in second["contacts"]]


@pytest.mark.parametrize("operation", sorted(ID_PATTERNS))
def test_ids_are_prefixed_and_opaque(
    small_org: SimulatedOrganization, operation: ListOperation
) -> None:
    records = read_all(small_org, operation, AFTER_ANCHOR, limit=None, orderBy="created")
    assert all(re.fullmatch(ID_PATTERNS[operation], record["id"]) for record in records)


def test_item_and_endpoint_ids(small_org: SimulatedOrganization) -> None:
    conversation = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy="created")[0]
    assert all(item["id"].startswith("ti_") for item in items_of(small_org, conversation["id"],
                                                                  AFTER_ANCHOR))
    contacts = read_all(small_org, "ListContacts", AFTER_ANCHOR, limit=500)
    phones = [phone["id"] for contact in contacts for phone in contact["phoneNumbers"]]
    assert phones and all(phone.startswith("entityContact_") for phone in phones)
    assert len(set(phones)) == len(phones)


def test_small_scale_sizes(small_org: SimulatedOrganization) -> None:
    contacts = first_page(small_org, "ListContacts", AFTER_ANCHOR, 500)
    assert contacts.has_more and 500 < contacts.total_count <= 1000
    conversations = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy="created")
    assert 150 <= len(conversations) <= 250
    counts = [first_page(small_org, "ConversationItems", AFTER_ANCHOR, 1,
                         conversationId=conversation["id"]).total_count
              for conversation in conversations]
    assert 2_000 <= sum(counts) <= 4_000
    assert sum(count > 400 for count in counts) >= 2


def test_unknown_scale_says_which_exist() -> None:
    with pytest.raises(ValueError, match="tiny, small, demo, medium, million, large"):
        SimulatedOrganization(1, "huge")


def test_history_lies_before_the_anchor(small_org: SimulatedOrganization) -> None:
    anchor = ANCHOR.strftime("%Y-%m-%dT%H:%M:%S")
    contacts = read_all(small_org, "ListContacts", AFTER_ANCHOR, limit=500)
    conversations = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy="created")
    assert max(contact["created"] for contact in contacts) < anchor
    assert max(c["lastMessageAt"] for c in conversations) < anchor
    assert all(c["createdAt"] <= c["lastMessageAt"] for c in conversations)


def test_contacts_are_varied(small_org: SimulatedOrganization) -> None:
    contacts = read_all(small_org, "ListContacts", AFTER_ANCHOR, limit=500)
    names = " ".join(contact["displayName"] for contact in contacts)
    assert re.search(r"[^\x00-\x7f]", names), "no non-ASCII names"
    assert {contact["category"] for contact in contacts} >= {"patient", "professional"}
    assert any("dateOfBirth" not in contact for contact in contacts)
    assert any("dateOfBirth" in contact for contact in contacts)
    assert any(contact["faxNumbers"] for contact in contacts)
    assert any(contact["integrationLinks"] for contact in contacts)
    assert any(contact["organizationContactFields"] for contact in contacts)
    assert any(contact["tags"] for contact in contacts)


def test_conversations_of_every_type(small_org: SimulatedOrganization) -> None:
    conversations = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy="created")
    assert {c["type"] for c in conversations} == {"phone", "secure", "email", "fax", "team",
                                                  "note", "other"}
    assert any(c["externalParticipants"] and c.get("assignedToMemberId") for c in conversations)
    assert any(c["tags"] for c in conversations)


def test_members_are_a_union_told_apart_by_type(small_org: SimulatedOrganization) -> None:
    members = read_all(small_org, "OrganizationMembers", AFTER_ANCHOR)
    kinds = [member["type"] for member in members]
    assert kinds.count("organization") == 1
    assert {"teammate", "team"} <= set(kinds)


def test_signed_urls_expire_and_carry_a_signature(small_org: SimulatedOrganization) -> None:
    conversations = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy="created")
    attachment = next(item["attachments"][0] for c in conversations
                      for item in items_of(small_org, c["id"], AFTER_ANCHOR)
                      if item["attachments"])
    signed_url = attachment["data"]["signedUrl"]
    assert re.search(r"\?Expires=\d+&Signature=[0-9a-f]{32}$", signed_url["url"])
    assert signed_url["expiresAt"] > AFTER_ANCHOR.strftime("%Y-%m-%dT%H:%M:%S")
