"""Paginators: one protocol, named for their mechanism.

A paginator prepares the first request's query parameters, reads each response body, and
says what the next request sends or that the listing is over. Spruce pages by an opaque
token; a list response looks like::

    {"contacts": [...], "hasMore": true, "paginationToken": "abc", "totalCount": 750}

``totalCount`` is best effort, computed on the first page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sources.spruce.exceptions import PaginationLoopError

QueryParams = dict[str, Any]


class Paginator(Protocol):
    """Drives one listing: first params, then next params until there are none."""

    def first_params(self) -> QueryParams:
        """Query parameters of the first request."""
        ...

    def next_params(self, body: Mapping[str, Any]) -> QueryParams | None:
        """Query parameters of the next request after ``body``; None when it was the last."""
        ...


class SinglePage:
    """An operation that is not paged: one request returns everything."""

    def __init__(self, params: QueryParams | None = None) -> None:
        self._params = dict(params or {})

    def first_params(self) -> QueryParams:
        return dict(self._params)

    def next_params(self, body: Mapping[str, Any]) -> QueryParams | None:
        return None


class TokenPaginator:
    """Spruce's token paging, with a guard against a listing that would never end.

    ``start_params`` (e.g. ``startFrom``) go on the first request only: Spruce rejects
    ``startFrom`` together with a token. ``params`` (e.g. ``orderBy``, ``pageSize``) go on
    every request.
    """

    def __init__(self, params: QueryParams, start_params: QueryParams | None = None) -> None:
        self._params = dict(params)
        self._start_params = dict(start_params or {})
        self._seen_tokens: set[str] = set()

    def first_params(self) -> QueryParams:
        return {**self._params, **self._start_params}

    def next_params(self, body: Mapping[str, Any]) -> QueryParams | None:
        if not body.get("hasMore"):
            return None
        token = body.get("paginationToken")
        if not token:
            raise PaginationLoopError(
                "Spruce said hasMore without a paginationToken: the listing cannot continue."
                " Nothing from this run was committed; retry later or report it to Spruce."
            )
        if token in self._seen_tokens:
            raise PaginationLoopError(
                "Spruce returned the same paginationToken twice: the listing would loop."
                " Nothing from this run was committed; retry later or report it to Spruce."
            )
        self._seen_tokens.add(token)
        return {**self._params, "paginationToken": token}
