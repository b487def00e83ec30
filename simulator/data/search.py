"""The part of ``POST /contacts/search`` the simulator understands: ``createdTimeFilter``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.contract import InvalidParameter
from simulator.data.clock import parse_rfc3339

Matcher = Callable[[int], bool]
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "equal": lambda created, bound: created == bound,
    "less_than": lambda created, bound: created < bound,
    "less_than_or_equal_to": lambda created, bound: created <= bound,
    "greater_than": lambda created, bound: created > bound,
    "greater_than_or_equal_to": lambda created, bound: created >= bound,
}
SUPPORTED = "structured.createdTimeFilter"


def created_time_matcher(search: dict[str, Any]) -> Matcher:
    """A test on a contact's created time (ms) for a contactSearch body.

    Filters in the list must all hold; within one filter ``match`` says whether all,
    any or none of its ``createdTimes`` comparisons must hold.
    """
    if search.get("freeText"):
        raise InvalidParameter(f"freeText search is not simulated: use {SUPPORTED}")
    structured = search.get("structured") or {}
    unknown = sorted(set(structured) - {"createdTimeFilter"})
    if unknown:
        raise InvalidParameter(f"search filters {unknown} are not simulated: use {SUPPORTED}")
    matchers = [_filter(entry, position)
                for position, entry in enumerate(structured.get("createdTimeFilter") or [])]
    return lambda created: all(matcher(created) for matcher in matchers)


def _filter(entry: dict[str, Any], position: int) -> Matcher:
    where = f"{SUPPORTED}[{position}]"
    match = entry.get("match", "all")
    tests = [_comparison(item, f"{where}.createdTimes[{index}]")
             for index, item in enumerate(entry.get("createdTimes") or [])]
    if match == "all":
        return lambda created: all(test(created) for test in tests)
    if match == "any":
        return lambda created: any(test(created) for test in tests)
    if match == "none":
        return lambda created: not any(test(created) for test in tests)
    raise InvalidParameter(f"{where}.match must be all, any or none, not {match!r}")


def _comparison(item: dict[str, Any], where: str) -> Matcher:
    compare = COMPARISONS.get(item.get("comparison", ""))
    if compare is None:
        raise InvalidParameter(f"{where}.comparison must be one of {', '.join(COMPARISONS)}")
    try:
        bound = parse_rfc3339(str(item.get("time")))
    except ValueError:
        raise InvalidParameter(f"{where}.time must be an RFC 3339 date-time") from None
    return lambda created: compare(created, bound)
