"""Token paging on recorded Spruce page shapes: startFrom first, the token after, loop guard."""

from __future__ import annotations

from typing import Any

import pytest

from sources.spruce.exceptions import PaginationLoopError
from sources.spruce.paging import SinglePage, TokenPaginator

FIRST_PAGE: dict[str, Any] = {
    "conversations": [{"id": "t_1"}], "hasMore": True, "paginationToken": "tok-1",
    "totalCount": 3,
}
LAST_PAGE: dict[str, Any] = {"conversations": [{"id": "t_3"}], "hasMore": False}


def conversations_paginator() -> TokenPaginator:
    return TokenPaginator(
        {"orderBy": "last_message", "pageSize": 200}, {"startFrom": "2026-01-01T00:00:00Z"}
    )


def test_start_from_goes_on_the_first_page_only() -> None:
    paginator = conversations_paginator()

    first = paginator.first_params()
    second = paginator.next_params(FIRST_PAGE)

    assert first == {"orderBy": "last_message", "pageSize": 200,
                     "startFrom": "2026-01-01T00:00:00Z"}  # fmt: skip
    assert second == {"orderBy": "last_message", "pageSize": 200, "paginationToken": "tok-1"}


def test_the_last_page_ends_the_listing() -> None:
    assert conversations_paginator().next_params(LAST_PAGE) is None


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        ([FIRST_PAGE, FIRST_PAGE], "same paginationToken twice"),
        ([{"conversations": [], "hasMore": True}], "hasMore without a paginationToken"),
        ([{"conversations": [], "hasMore": True, "paginationToken": ""}], "without a"),
    ],
)
def test_a_listing_that_would_never_end_is_stopped(
    pages: list[dict[str, Any]], message: str
) -> None:
    paginator = conversations_paginator()
    with pytest.raises(PaginationLoopError, match=message):
        for page in pages:
            paginator.next_params(page)


def test_an_unpaged_operation_is_one_request() -> None:
    single = SinglePage()
    assert single.first_params() == {}
    assert single.next_params({"phonelines": [], "totalCount": 0}) is None
