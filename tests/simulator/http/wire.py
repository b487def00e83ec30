"""Talking to a running simulator the way a Spruce client does, for the HTTP tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from simulator import Simulator
from tests.fixtures.simulator import TEST_TOKEN

ERROR_KEYS = {"statusCode", "type", "message"}
# Query parameters as httpx sends them (an int is a float to a type checker).
QueryValue = str | float | bool | None
QueryParams = dict[str, QueryValue]
# More pages than any listing of the test scales has: a paging loop, not data.
MAX_PAGES = 500


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_client(simulator: Simulator, token: str = TEST_TOKEN) -> httpx.Client:
    """A client of ``simulator``'s ``/v1`` with ``token``; close it (``with``)."""
    return httpx.Client(base_url=simulator.base_url, headers=bearer(token), timeout=30.0)


def admin_client(simulator: Simulator) -> httpx.Client:
    return httpx.Client(base_url=simulator.admin_url, timeout=30.0)


def read_pages(
    client: httpx.Client, path: str, envelope: str, params: dict[str, Any],
    between_pages: Callable[[], object] | None = None, method: str = "GET",
) -> list[dict[str, Any]]:  # fmt: skip
    """Every record of a paged listing; ``between_pages()`` runs after each page.

    A POST (contact search) sends an empty structured search as its body.
    """
    body: dict[str, Any] | None = {"structured": {}} if method == "POST" else None
    records: list[dict[str, Any]] = []
    response = client.request(method, path, params=params, json=body)
    for _ in range(MAX_PAGES):
        assert response.status_code == 200, response.text
        page = response.json()
        records += page[envelope]
        if not page["hasMore"]:
            return records
        if between_pages is not None:
            between_pages()
        follow = {key: value for key, value in params.items() if key != "startFrom"}
        follow["paginationToken"] = page["paginationToken"]
        response = client.request(method, path, params=follow, json=body)
    raise AssertionError(f"{path} did not end within {MAX_PAGES} pages")


def assert_spruce_error(response: httpx.Response, status: int, *words: str) -> None:
    """Spruce's error shape, the status, a request id, and a message naming ``words``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and body["statusCode"] == status
    assert response.headers["s-request-id"]
    for word in words:
        assert word in body["message"], body["message"]
