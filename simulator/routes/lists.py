"""Handlers for listings: keyset-paged ones behind opaque tokens, and whole ones.

Sample envelope of a paged listing (``totalCount`` only where the schema has it)::

    {"conversationItems": [...], "hasMore": true, "paginationToken": "eyJv...", "totalCount": 812}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.contract import ListOperation, ListQuery, Page
from simulator.pagination import InvalidToken, TokenPosition
from simulator.routes import params
from simulator.routes.call import ApiCall, bad_parameter, organization_errors
from simulator.settings import FIXED_PAGE_SIZES, TOTAL_COUNT_REFRESH_SECONDS


@dataclass(frozen=True)
class PagedList:
    """A keyset-paged listing.

    ``own_params`` are the query parameters that shape the listing; the first page's
    values travel in the token, and a later page may repeat them but not change them.
    ``first_page_only`` ones (``startFrom``) must not be sent with a token at all.
    """

    operation: ListOperation
    envelope: str
    scope_param: str = ""
    own_params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    first_page_only: tuple[str, ...] = ()
    total_count: bool = True
    search: bool = False

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        self._check_required(call)
        size = self._page_size(call)
        call.counters.page_size(self.operation, size)
        position = self._position(call)
        raw = self._raw_params(call, position)
        query = ListQuery(
            operation=self.operation,
            after=position.after if position else None,
            limit=size,
            params={**params.parsed(raw), **call.path_params},
            now=call.now,
        )
        with call.data_lock, organization_errors(self.operation):
            page = call.organization.list_page(query)
        return self._envelope(call, page, raw, position)

    def _check_required(self, call: ApiCall) -> None:
        for name in self.required:
            if not call.query.get(name):
                choices = params.ENUMS.get(name, ())
                raise bad_parameter(f"{name} is required: one of {', '.join(choices)}")

    def _page_size(self, call: ApiCall) -> int:
        if self.operation in FIXED_PAGE_SIZES:
            return FIXED_PAGE_SIZES[self.operation]
        return params.page_size(self.operation, call.query.get("pageSize"))

    def _scope(self, call: ApiCall) -> str:
        return call.path_params.get(self.scope_param, "")

    def _position(self, call: ApiCall) -> TokenPosition | None:
        token = call.pagination_token
        if token is None:
            return None
        for name in self.first_page_only:
            if name in call.query:
                raise bad_parameter(f"send {name} or paginationToken, not both")
        now = call.now.timestamp()
        try:
            return call.pagination.read(token, self.operation, self._scope(call), now)
        except InvalidToken as error:
            raise bad_parameter(str(error)) from None

    def _raw_params(self, call: ApiCall, position: TokenPosition | None) -> dict[str, Any]:
        sent = {name: call.query[name] for name in self.own_params if name in call.query}
        if position is None:
            return {**sent, **({"search": params.search_body(call.body)} if self.search else {})}
        for name, value in sent.items():
            if position.params.get(name) != value:
                raise bad_parameter(f"{name} differs from the paginationToken's listing")
        return position.params

    def _envelope(
        self, call: ApiCall, page: Page, raw: dict[str, Any], position: TokenPosition | None
    ) -> dict[str, Any]:
        total, counted_at = _total_count(call, page, position)
        body: dict[str, Any] = {self.envelope: page.records, "hasMore": page.has_more}
        if page.has_more and page.last_key is not None:
            next_position = TokenPosition(
                self.operation, self._scope(call), page.last_key, raw, total, counted_at
            )
            body["paginationToken"] = call.pagination.issue(next_position, call.now.timestamp())
        if self.total_count:
            body["totalCount"] = total
        if self.search:
            body["totalCountRelation"] = "eq"
        return body


def _total_count(call: ApiCall, page: Page, position: TokenPosition | None) -> tuple[int, float]:
    """Spruce computes totalCount at the first page and refreshes it at most every 60 s."""
    now = call.now.timestamp()
    if position is not None and now - position.counted_at < TOTAL_COUNT_REFRESH_SECONDS:
        return position.total_count, position.counted_at
    return page.total_count, now


@dataclass(frozen=True)
class WholeList:
    """A listing without pageSize or token: every record in one envelope."""

    operation: ListOperation
    envelope: str
    scope_param: str = ""
    total_count: bool = False

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        query = ListQuery(
            operation=self.operation,
            after=None,
            limit=None,
            params=dict(call.path_params),
            now=call.now,
        )
        with call.data_lock, organization_errors(self.operation):
            page = call.organization.list_page(query)
        body: dict[str, Any] = {self.envelope: page.records}
        if self.total_count:
            body["totalCount"] = page.total_count
        return body
