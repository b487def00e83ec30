"""Keyset paging over ascending (time, index) keys."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

Entry = TypeVar("Entry")
TimeKey = tuple[int, int]
# Sorts after every real index at the same time.
AFTER_ALL = 1 << 62


def take(candidates: Iterable[Entry], limit: int | None) -> tuple[list[Entry], bool]:
    """The first ``limit`` candidates (all when None) and whether any remain."""
    if limit is None:
        return list(candidates), False
    iterator = iter(candidates)
    chosen = list(islice(iterator, limit))
    return chosen, next(iterator, None) is not None


def ascending_from(keys: Sequence[TimeKey], after: TimeKey | None, start_ms: int | None,
                   inclusive: bool) -> Iterator[TimeKey]:
    """Keys after ``after`` and at or after (or strictly after) ``start_ms``, ascending."""
    position = 0
    if after is not None:
        position = bisect_right(keys, after)
    if start_ms is not None:
        bound = (start_ms, -1) if inclusive else (start_ms, AFTER_ALL)
        position = max(position, bisect_left(keys, bound))
    return (keys[index] for index in range(position, len(keys)))


def descending_from(keys: Sequence[TimeKey], after: TimeKey | None, start_ms: int | None
                    ) -> Iterator[TimeKey]:
    """Keys before ``after`` (newest first), stopping at ``start_ms`` (exclusive)."""
    position = len(keys) if after is None else bisect_left(keys, after)
    floor = 0 if start_ms is None else bisect_left(keys, (start_ms, AFTER_ALL))
    return (keys[index] for index in range(position - 1, floor - 1, -1))


def count_from(keys: Sequence[TimeKey], start_ms: int | None, inclusive: bool) -> int:
    """How many keys are at or after (or strictly after) ``start_ms``."""
    if start_ms is None:
        return len(keys)
    bound = (start_ms, -1) if inclusive else (start_ms, AFTER_ALL)
    return len(keys) - bisect_left(keys, bound)


def visible(keys: Iterable[TimeKey], is_visible: Callable[[int], bool]) -> Iterator[TimeKey]:
    """The keys whose index ``is_visible``."""
    return (key for key in keys if is_visible(key[1]))
