"""Spruce's delivery signature: base64(HMAC-SHA256(signing secret, raw body)).

Checked on the raw bytes before anything parses them, against every configured secret
(an endpoint holds several during a rotation), each comparison in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence


def sign(body: bytes, secret: str) -> str:
    """The ``X-Spruce-Signature`` value Spruce sends with ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, signature: str | None, secrets: Sequence[str]) -> bool:
    """Whether ``signature`` is ``body``'s under any of ``secrets``.

    Every secret is tried even after a match, so the time taken does not say which one
    (nor how many) matched; a missing or non-ASCII signature is simply wrong.
    """
    if not signature or not signature.isascii():
        return False
    given = signature.strip().encode("ascii")
    matches = [hmac.compare_digest(given, sign(body, secret).encode("ascii"))
               for secret in secrets]
    return any(matches)
