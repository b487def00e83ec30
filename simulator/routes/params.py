"""Query-parameter parsing with Spruce's 400s: what was wrong, and what to send instead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from simulator.routes.call import bad_parameter
from simulator.settings import PAGE_SIZE_BOUNDS

# Enumerated query parameters of the read operations, from the OpenAPI document.
ENUMS: dict[str, tuple[str, ...]] = {
    "orderBy": ("created", "last_message"),
    "order": ("newest_first", "oldest_first"),
}
DATE_PARAMS = ("startFrom", "startTime", "endTime")


def page_size(operation: str, raw: str | None) -> int:
    """The pageSize asked for, or the operation's default; 400 outside its bounds."""
    low, high, default = PAGE_SIZE_BOUNDS[operation]
    if raw is None or raw == "":
        return default
    try:
        size = int(raw)
    except ValueError:
        size = low - 1
    if not low <= size <= high:
        raise bad_parameter(f"pageSize must be an integer from {low} to {high}, got {raw!r}")
    return size


def date_time(name: str, raw: str) -> datetime:
    """An RFC 3339 date-time with a timezone, e.g. ``2025-01-01T00:00:00Z``."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None or "T" not in raw.upper():
        raise bad_parameter(
            f"{name} must be an RFC 3339 date-time with a timezone, "
            f"e.g. 2025-01-01T00:00:00Z; got {raw!r}"
        )
    return value


def enum(name: str, raw: str) -> str:
    if raw not in ENUMS[name]:
        raise bad_parameter(f"{name} must be one of {', '.join(ENUMS[name])}; got {raw!r}")
    return raw


def parsed(raw_params: dict[str, Any]) -> dict[str, Any]:
    """Typed values for a listing's own parameters (dates parsed, enums checked)."""
    typed: dict[str, Any] = {}
    for name, raw in raw_params.items():
        if name in DATE_PARAMS:
            typed[name] = date_time(name, raw)
        elif name in ENUMS:
            typed[name] = enum(name, raw)
        else:
            typed[name] = raw
    return typed


def search_body(body: bytes) -> dict[str, Any]:
    """The JSON object of POST /contacts/search."""
    return json_object(body, b"{}", 'the request body must be a JSON object such as'
                                    ' {"structured": {}}')


def json_object(body: bytes, empty: bytes, problem: str) -> dict[str, Any]:
    """A request body that must be a JSON object (``empty`` stands for no body); a 400
    saying ``problem`` otherwise."""
    try:
        data = orjson.loads(body or empty)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise bad_parameter(problem)
    return data
