"""How figures are written: as plain text for people, as JSON for schedulers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any


def to_json(document: Mapping[str, Any]) -> str:
    """``document`` as JSON on one line; times as ISO 8601, durations in seconds."""
    return json.dumps(document, default=json_default, sort_keys=False)


def json_default(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)




def label(key: str) -> str:
    # Only identifiers are relabelled: a question's title stays as written.
    return key if " " in key else key.replace("_", " ")


def plain(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Mapping, list)):
        return json.dumps(value, default=json_default)
    return str(value)
