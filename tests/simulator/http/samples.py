"""One concrete, valid request per read operation, with ids discovered through the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class SampleRequest:
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.request(self.method, self.path, params=self.params, json=self.json)


def _first(client: httpx.Client, path: str, envelope: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    response.raise_for_status()
    return dict(response.json()[envelope][0])


def transcription_ids(client: httpx.Client) -> tuple[str, str]:
    """(a retrievable transcription id, a legacy one from before November 2025)."""
    current = legacy = ""
    conversations = client.get("/conversations", params={"orderBy": "created", "pageSize": 200})
    for conversation in conversations.json()["conversations"]:
        items = client.get(f"/conversations/{conversation['id']}/items", params={"pageSize": 200})
        for item in items.json()["conversationItems"]:
            voicemail = ((item.get("event") or {}).get("data") or {}).get("voicemail")
            if voicemail and item["createdAt"] >= "2025-11":
                current = current or voicemail["transcription"]["id"]
            elif voicemail:
                legacy = legacy or voicemail["transcription"]["id"]
            if current and legacy:
                return current, legacy
    raise AssertionError("the organization has no current and legacy voicemail transcriptions")


def sample_requests(client: httpx.Client) -> dict[str, SampleRequest]:
    """operationId -> a request that must answer 200."""
    contact = _first(client, "/contacts", "contacts")["id"]
    conversation = _first(client, "/conversations", "conversations", orderBy="last_message")["id"]
    items = f"/conversations/{conversation}/items"
    item = _first(client, items, "conversationItems")["id"]
    members = client.get("/organization/members", params={"pageSize": 500}).json()["members"]
    team = next(member["id"] for member in members if member["type"] == "team")
    phoneline = _first(client, "/phonelines", "phonelines")["id"]
    endpoint = _first(client, "/webhooks/endpoints", "endpoints")["id"]
    transcription, _ = transcription_ids(client)
    created = {"time": "2020-01-01T00:00:00Z", "comparison": "greater_than"}
    search = {"structured": {"createdTimeFilter": [{"createdTimes": [created], "match": "all"}]}}
    return {
        "ListContacts": SampleRequest("GET", "/contacts", {"pageSize": 5}),
        "SearchContacts": SampleRequest("POST", "/contacts/search", {"pageSize": 5}, search),
        "ContactFields": SampleRequest("GET", "/contacts/fields"),
        "ContactTags": SampleRequest("GET", "/contacts/tags"),
        "Contact": SampleRequest("GET", f"/contacts/{contact}"),
        "ContactConversations": SampleRequest("GET", f"/contacts/{contact}/conversations"),
        "ContactIntegrationLinks": SampleRequest("GET", f"/contacts/{contact}/integrationlinks"),
        "ConversationItem": SampleRequest("GET", f"/conversationItems/{item}"),
        "ListConversations": SampleRequest("GET", "/conversations", {"orderBy": "created"}),
        "ConversationTags": SampleRequest("GET", "/conversations/tags"),
        "Conversation": SampleRequest("GET", f"/conversations/{conversation}"),
        "ConversationItems": SampleRequest("GET", items, {"order": "oldest_first"}),
        "ListConversationScheduledMessages": SampleRequest(
            "GET", f"/conversations/{conversation}/scheduledmessages"
        ),
        "InternalEndpoints": SampleRequest("GET", "/internalendpoints"),
        "Organization": SampleRequest("GET", "/organization"),
        "OrganizationMembers": SampleRequest("GET", "/organization/members", {"pageSize": 2}),
        "OrganizationMember": SampleRequest("GET", f"/organization/members/{members[1]['id']}"),
        "PhoneLines": SampleRequest("GET", "/phonelines"),
        "PhoneLine": SampleRequest("GET", f"/phonelines/{phoneline}"),
        "ListSavedMessages": SampleRequest("GET", "/savedmessages", {"pageSize": 3}),
        "ListScheduledMessages": SampleRequest("GET", "/scheduledmessages"),
        "TeamMembers": SampleRequest("GET", f"/teams/{team}/members"),
        "Transcription": SampleRequest("GET", f"/transcriptions/{transcription}"),
        "ListWebhookEndpoints": SampleRequest("GET", "/webhooks/endpoints"),
        "WebhookEndpoint": SampleRequest("GET", f"/webhooks/endpoints/{endpoint}"),
        "ListWebhookEndpointEvents": SampleRequest(
            "GET",
            f"/webhooks/endpoints/{endpoint}/events",
            {"startTime": "2020-01-01T00:00:00Z"},
        ),
    }
