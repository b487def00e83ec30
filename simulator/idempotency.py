"""Spruce's ``s-idempotency-key``: a key seen again on the same path answers 422.

A key is claimed before the operation runs (two concurrent requests with one key: one
runs, the other gets 422) and given back when the operation fails, so that a client may
retry a request that did nothing. Keys are kept ``IDEMPOTENCY_KEY_SECONDS`` of the
simulator's clock.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from simulator.settings import IDEMPOTENCY_KEY_SECONDS


class IdempotencyKeys:
    """The keys claimed per path, with the time each one expires."""

    def __init__(self, lifetime: timedelta = timedelta(seconds=IDEMPOTENCY_KEY_SECONDS)) -> None:
        self._lifetime = lifetime
        self._expiry: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def claim(self, path: str, key: str, now: datetime) -> bool:
        """True when ``key`` is new on ``path`` (it is now claimed); False for a repeat."""
        with self._lock:
            self._forget_expired(now)
            if (path, key) in self._expiry:
                return False
            self._expiry[(path, key)] = now + self._lifetime
            return True

    def release(self, path: str, key: str) -> None:
        """Give a claimed key back: its request failed and changed nothing."""
        with self._lock:
            self._expiry.pop((path, key), None)

    def _forget_expired(self, now: datetime) -> None:
        expired = [claimed for claimed, expiry in self._expiry.items() if expiry <= now]
        for claimed in expired:
            del self._expiry[claimed]
