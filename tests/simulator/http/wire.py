"""Talking to a running simulator the way a Spruce client does, for the HTTP tests."""

from __future__ import annotations

from typing import Any

import httpx

from simulator import Simulator
from tests.fixtures.simulator import TEST_TOKEN

ERROR_KEYS = {"statusCode", "type", "message"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_client(simulator: Simulator, token: str = TEST_TOKEN) -> httpx.Client:
    """A client of ``simulator``'s ``/v1`` with ``token``; close it (``with``)."""
    return httpx.Client(base_url=simulator.base_url, headers=bearer(token), timeout=30.0)


def admin_client(simulator: Simulator) -> httpx.Client:
    return httpx.Client(base_url=simulator.admin_url, timeout=30.0)


def first_id(client: httpx.Client, path: str, envelope: str, **params: Any) -> str:
    """The id of the first record a listing returns."""
    response = client.get(path, params=params)
    response.raise_for_status()
    return str(response.json()[envelope][0]["id"])


def conversation_with_items(client: httpx.Client, at_least: int) -> str:
    """A conversation holding ``at_least`` items (read through the API)."""
    token = None
    while True:
        params = {"orderBy": "created", "pageSize": 200}
        if token:
            params = {"orderBy": "created", "paginationToken": token, "pageSize": 200}
        page = client.get("/conversations", params=params).json()
        for conversation in page["conversations"]:
            items = client.get(f"/conversations/{conversation['id']}/items", params={"pageSize": 1})
            if items.json()["totalCount"] >= at_least:
                return str(conversation["id"])
        token = page.get("paginationToken")
        assert page["hasMore"] and token, f"no conversation has {at_least} items"


def read_pages(
    client: httpx.Client, path: str, envelope: str, params: dict[str, Any],
    between_pages: Any = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every record of a paged listing; ``between_pages()`` runs after each page."""
    records: list[dict[str, Any]] = []
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        records += body[envelope]
        if not body["hasMore"]:
            return records
        if between_pages is not None:
            between_pages()
        follow = {key: value for key, value in params.items() if key != "startFrom"}
        response = client.get(path, params={**follow, "paginationToken": body["paginationToken"]})


def assert_spruce_error(response: httpx.Response, status: int, *words: str) -> None:
    """Spruce's error shape, the status, a request id, and a message naming ``words``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and body["statusCode"] == status
    assert response.headers["s-request-id"]
    for word in words:
        assert word in body["message"], body["message"]
