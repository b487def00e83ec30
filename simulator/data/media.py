"""Signed media URLs: an expiring signature in the query string, re-signed when served.

Stored records hold an unsigned URL; ``signed`` copies a record with every ``signedUrl``
signed for the hour of the request, as Spruce's CDN does: a link read now expires in
about two hours, so a sync must never keep it as a durable link.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339
from simulator.data.settings import (
    MEDIA_BASE_URL,
    SECOND_MS,
    SIGNED_URL_BUCKET_SECONDS,
    SIGNED_URL_LIFETIME_SECONDS,
)

MEDIA_KEYS = ("attachments", "event")


def unsigned(path: str) -> JsonRecord:
    """A ``signedUrl`` placeholder for the media at ``path`` (signed when served)."""
    return {"url": f"{MEDIA_BASE_URL}/{path}", "expiresAt": ""}


def signed(record: JsonRecord, now_ms: int, secret: bytes) -> JsonRecord:
    """A copy of ``record`` whose signed URLs are valid from ``now_ms``."""
    bucket_seconds = now_ms // SECOND_MS // SIGNED_URL_BUCKET_SECONDS * SIGNED_URL_BUCKET_SECONDS
    expires = bucket_seconds + SIGNED_URL_LIFETIME_SECONDS
    # Only attachments and call events hold media: copy the rest by reference.
    result = dict(record)
    for key in MEDIA_KEYS:
        if record.get(key):
            result[key] = _resigned(record[key], expires, secret)
    return result


def _resigned(value: Any, expires: int, secret: bytes) -> Any:
    if isinstance(value, list):
        return [_resigned(entry, expires, secret) for entry in value]
    if not isinstance(value, dict):
        return value
    if "expiresAt" in value and "url" in value:
        return _sign(value["url"].split("?", 1)[0], expires, secret)
    return {key: _resigned(entry, expires, secret) for key, entry in value.items()}


def _sign(url: str, expires: int, secret: bytes) -> JsonRecord:
    message = f"{url}|{expires}".encode()
    signature = hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]
    return {
        "url": f"{url}?Expires={expires}&Signature={signature}",
        "expiresAt": rfc3339(expires * SECOND_MS),
    }
