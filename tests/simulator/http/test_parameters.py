"""Query parameters as the spec and API-NOTES define them, and 400s that say what to fix."""

from __future__ import annotations

import httpx
import pytest

from simulator import Simulator
from simulator.settings import PAGE_SIZE_BOUNDS
from tests.fixtures.simulator import TEST_SETTINGS
from tests.simulator.http.samples import SampleRequest
from tests.simulator.http.wire import QueryParams, QueryValue, api_client, assert_spruce_error

BAD_DATES = ["yesterday", "2025-01-01", "2025-01-01T00:00:00", "2025-13-01T00:00:00Z"]


def _get(client: httpx.Client, sample: SampleRequest, **params: QueryValue) -> httpx.Response:
    return client.request(sample.method, sample.path, params={**sample.params, **params},
                          json=sample.json)  # fmt: skip


@pytest.mark.parametrize("operation", sorted(PAGE_SIZE_BOUNDS))
def test_page_size_outside_its_bounds_is_a_400(
    client: httpx.Client, samples: dict[str, SampleRequest], operation: str
) -> None:
    low, high, _ = PAGE_SIZE_BOUNDS[operation]
    sample = samples[operation]
    for size in (low - 1, high + 1, "ten"):
        assert_spruce_error(_get(client, sample, pageSize=size), 400, "pageSize", str(high))
    for size in (low, high):
        assert _get(client, sample, pageSize=size).status_code == 200


def test_an_absent_page_size_uses_the_default(samples: dict[str, SampleRequest]) -> None:
    simulator = Simulator(TEST_SETTINGS)
    with simulator.running(), api_client(simulator) as client:
        body = client.get("/contacts").json()
    assert len(body["contacts"]) == PAGE_SIZE_BOUNDS["ListContacts"][2]
    assert simulator.counters().page_sizes == {
        "ListContacts": {PAGE_SIZE_BOUNDS["ListContacts"][2]: 1}
    }


@pytest.mark.parametrize("order_by", [None, "", "newest"])
def test_conversations_require_a_valid_order_by(client: httpx.Client, order_by: str | None) -> None:
    params = {} if order_by is None else {"orderBy": order_by}
    assert_spruce_error(client.get("/conversations", params=params), 400, "orderBy", "last_message")


def test_start_from_cannot_come_with_a_token(client: httpx.Client) -> None:
    params: QueryParams = {"orderBy": "created", "pageSize": 5}
    token = client.get("/conversations", params=params).json()["paginationToken"]
    response = client.get("/conversations", params={
        **params, "paginationToken": token, "startFrom": "2025-01-01T00:00:00Z"})  # fmt: skip
    assert_spruce_error(response, 400, "startFrom", "paginationToken")


@pytest.mark.parametrize("date", BAD_DATES)
@pytest.mark.parametrize(
    ("operation", "name"),
    [("ListConversations", "startFrom"), ("ConversationItems", "startFrom"),
     ("ListWebhookEndpointEvents", "startTime"), ("ListWebhookEndpointEvents", "endTime")],
)  # fmt: skip
def test_a_malformed_date_is_a_400(
    client: httpx.Client, samples: dict[str, SampleRequest], operation: str, name: str, date: str
) -> None:
    response = _get(client, samples[operation], **{name: date})
    assert_spruce_error(response, 400, name, "RFC 3339", date)


def test_start_from_keeps_conversations_at_or_after_it(client: httpx.Client) -> None:
    start = "2026-06-01T00:00:00.000Z"
    params: QueryParams = {"orderBy": "last_message", "startFrom": start, "pageSize": 200}
    conversations = client.get("/conversations", params=params).json()["conversations"]
    assert conversations
    assert all(conversation["lastMessageAt"] >= start for conversation in conversations)


def test_items_come_newest_first_unless_asked_otherwise(
    client: httpx.Client, samples: dict[str, SampleRequest]
) -> None:
    path = samples["ConversationItems"].path
    newest = client.get(path, params={"pageSize": 200}).json()["conversationItems"]
    oldest = client.get(path, params={"pageSize": 200, "order": "oldest_first"}).json()
    assert [item["id"] for item in newest] == [item["id"] for item in oldest["conversationItems"]][
        ::-1
    ]
    assert_spruce_error(
        client.get(path, params={"order": "sideways"}), 400, "order", "oldest_first"
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"{not json", ["JSON object"]), (b"[1]", ["JSON object"]),
     (b'{"freeText": "smith"}', ["freeText"])],
)  # fmt: skip
def test_a_bad_search_body_is_a_400(client: httpx.Client, body: bytes, words: list[str]) -> None:
    response = client.post("/contacts/search", content=body)
    assert_spruce_error(response, 400, *words)
