"""What each action does to one value. Pure functions: no logging, no state."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson


def hash_value(value: Any, key: bytes) -> Any:
    """Keyed HMAC-SHA256 (hex) of a value; equal inputs give equal outputs, so joins work.

    Strings are hashed as UTF-8; lists element by element (a list of ids stays joinable);
    other values through their canonical JSON. None stays None.
    """
    if value is None:
        return None
    if isinstance(value, list):
        return [hash_value(element, key) for element in value]
    payload = value if isinstance(value, str) else orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    data = payload.encode() if isinstance(payload, str) else payload
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def redacted_length(value: Any) -> int | None:
    """The length that ``redact`` keeps of a string; nothing of any other value."""
    return len(value) if isinstance(value, str) else None


def generalize_value(value: Any) -> int | None:
    """A date or timestamp reduced to its year; anything unparseable is withheld (None)."""
    if isinstance(value, (date, datetime)):
        return value.year
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def strip_signature(url: Any) -> Any:
    """The URL without its query and fragment: where the file was, not a key to open it."""
    if not isinstance(url, str):
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
