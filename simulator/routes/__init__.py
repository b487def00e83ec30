"""The route table: every read operation of Spruce's OpenAPI, one small handler each,
and the webhook endpoints' write operations (``simulator.routes.webhooks``).

Handlers are plain callables ``(ApiCall) -> dict``; ``simulator.app`` does everything
around them (auth, rate limits, faults, headers, encoding, counters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.routes.call import ApiCall, ApiError
from simulator.routes.lists import PagedList, WholeList
from simulator.routes.records import GetRecord, OrganizationRecord
from simulator.routes.webhooks import CreateEndpoint, DeleteEndpoint, PauseEndpoint

Handler = Callable[[ApiCall], dict[str, Any]]


@dataclass(frozen=True)
class ApiRoute:
    """One operation of the OpenAPI: where it lives and who answers it."""

    path: str
    operation: str
    handler: Handler
    method: str = "GET"
    paged: bool = False
    # Takes Spruce's s-idempotency-key (the gateway answers a repeated key with 422).
    idempotent: bool = False


def _paged(path: str, handler: PagedList, method: str = "GET") -> ApiRoute:
    return ApiRoute(path, handler.operation, handler, method, paged=True)


def _whole(path: str, handler: WholeList | GetRecord | OrganizationRecord) -> ApiRoute:
    return ApiRoute(path, handler.operation, handler)


def _write(path: str, handler: CreateEndpoint | PauseEndpoint | DeleteEndpoint, method: str,
           *, idempotent: bool) -> ApiRoute:  # fmt: skip
    return ApiRoute(path, handler.operation, handler, method, idempotent=idempotent)


# Literal paths come before the templated ones they would otherwise match.
API_ROUTES: tuple[ApiRoute, ...] = (
    _paged("/contacts", PagedList("ListContacts", "contacts")),
    _paged("/contacts/search", PagedList("SearchContacts", "contacts", search=True), "POST"),
    _paged("/contacts/fields", PagedList("ContactFields", "fields")),
    _paged("/contacts/tags", PagedList("ContactTags", "tags")),
    _whole("/contacts/{contactId}", GetRecord("Contact", "contactId")),
    _whole(
        "/contacts/{contactId}/conversations",
        WholeList("ContactConversations", "conversations", "contactId"),
    ),
    _whole(
        "/contacts/{contactId}/integrationlinks",
        WholeList("ContactIntegrationLinks", "integrationLinks", "contactId"),
    ),
    _whole(
        "/conversationItems/{conversationItemId}",
        GetRecord("ConversationItem", "conversationItemId", "conversationItem"),
    ),
    _paged(
        "/conversations",
        PagedList(
            "ListConversations",
            "conversations",
            own_params=("orderBy", "startFrom"),
            required=("orderBy",),
            first_page_only=("startFrom",),
        ),
    ),
    _paged("/conversations/tags", PagedList("ConversationTags", "tags")),
    _whole(
        "/conversations/{conversationId}",
        GetRecord("Conversation", "conversationId", "conversation"),
    ),
    _paged(
        "/conversations/{conversationId}/items",
        PagedList(
            "ConversationItems",
            "conversationItems",
            "conversationId",
            own_params=("order", "startFrom"),
            first_page_only=("startFrom",),
        ),
    ),
    _whole(
        "/conversations/{conversationId}/scheduledmessages",
        WholeList("ListConversationScheduledMessages", "scheduledMessages", "conversationId"),
    ),
    _whole("/internalendpoints", WholeList("InternalEndpoints", "internalEndpoints")),
    _whole("/organization", OrganizationRecord()),
    _paged("/organization/members", PagedList("OrganizationMembers", "members")),
    _whole("/organization/members/{memberId}", GetRecord("OrganizationMember", "memberId")),
    _whole("/phonelines", WholeList("PhoneLines", "phonelines", total_count=True)),
    _whole("/phonelines/{phonelineId}", GetRecord("PhoneLine", "phonelineId")),
    _paged("/savedmessages", PagedList("ListSavedMessages", "savedMessages", total_count=False)),
    _paged("/scheduledmessages", PagedList("ListScheduledMessages", "scheduledMessages")),
    _paged("/teams/{teamId}/members", PagedList("TeamMembers", "members", "teamId")),
    _whole(
        "/transcriptions/{transcriptionId}",
        GetRecord("Transcription", "transcriptionId", "transcription"),
    ),
    _whole("/webhooks/endpoints", WholeList("ListWebhookEndpoints", "endpoints")),
    _write("/webhooks/endpoints", CreateEndpoint(), "POST", idempotent=True),
    _whole(
        "/webhooks/endpoints/{endpointId}", GetRecord("WebhookEndpoint", "endpointId", "endpoint")
    ),
    _write("/webhooks/endpoints/{endpointId}", DeleteEndpoint(), "DELETE", idempotent=False),
    _write("/webhooks/endpoints/{endpointId}/paused", PauseEndpoint(), "POST", idempotent=True),
    _paged(
        "/webhooks/endpoints/{endpointId}/events",
        PagedList(
            "ListWebhookEndpointEvents",
            "events",
            "endpointId",
            own_params=("startTime", "endTime"),
            total_count=False,
        ),
    ),
)

__all__ = ["API_ROUTES", "ApiCall", "ApiError", "ApiRoute", "Handler"]
