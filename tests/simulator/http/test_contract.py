"""Every read operation of the OpenAPI answers a body its schema accepts, errors included."""

from __future__ import annotations

import httpx
import pytest

from tests.simulator.http.samples import SampleRequest, transcription_ids
from tests.simulator.http.spec import read_operations, response_errors
from tests.simulator.http.wire import assert_spruce_error

OPERATIONS = sorted(read_operations())


def test_the_walk_covers_every_read_operation_of_the_spec(
    samples: dict[str, SampleRequest],
) -> None:
    assert sorted(samples) == OPERATIONS


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_valid_request_answers_a_body_the_schema_accepts(
    client: httpx.Client, samples: dict[str, SampleRequest], operation: str
) -> None:
    response = samples[operation].send(client)
    assert response.status_code == 200, response.text
    assert response.headers["s-request-id"]
    assert response_errors(operation, 200, response.json()) == []


@pytest.mark.parametrize(
    ("operation", "path"),
    [("Contact", "/contacts/entity_nobody"), ("Conversation", "/conversations/t_none"),
     ("ConversationItem", "/conversationItems/ti_none"),
     ("ConversationItems", "/conversations/t_none/items"),
     ("ContactConversations", "/contacts/entity_nobody/conversations"),
     ("WebhookEndpoint", "/webhooks/endpoints/wde_none"),
     ("ListWebhookEndpointEvents", "/webhooks/endpoints/wde_none/events"),
     ("OrganizationMember", "/organization/members/entity_nobody"),
     ("PhoneLine", "/phonelines/pd_none"), ("Transcription", "/transcriptions/tr_none")],
)  # fmt: skip
def test_an_unknown_id_is_a_404_in_the_error_schema(
    client: httpx.Client, operation: str, path: str
) -> None:
    response = client.get(path)
    assert_spruce_error(response, 404, "not found")
    assert response_errors(operation, 404, response.json()) == []


def test_a_legacy_transcription_is_a_404_that_explains_why(client: httpx.Client) -> None:
    _, legacy = transcription_ids(client)
    response = client.get(f"/transcriptions/{legacy}")
    assert_spruce_error(response, 404, "November 2025")


@pytest.mark.parametrize("operation", ["ListContacts", "ListConversations", "ConversationItems"])
def test_a_bad_parameter_is_a_400_in_the_error_schema(
    client: httpx.Client, samples: dict[str, SampleRequest], operation: str
) -> None:
    sample = samples[operation]
    response = client.get(sample.path, params={**sample.params, "pageSize": 0})
    assert_spruce_error(response, 400, "pageSize")
    assert response_errors(operation, 400, response.json()) == []
