"""A request log in front of the simulator's app: what arrived when, and its answer.

The simulator's counters say how many; some rows need when (a retry waited at least
``Retry-After``) and in which order (no request after the budget hit zero).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class LoggedRequest:
    """One API request: when it arrived and finished (monotonic seconds), path, status."""

    started: float
    finished: float
    path: str
    query: str
    status: int


class RequestLog:
    """ASGI middleware recording every ``/v1`` request; thread-safe reads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._requests: list[LoggedRequest] = []
        self.first_request = threading.Event()
        # Requests that arrived, answered or not (a timed-out one is still being served).
        self.arrivals = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        started, status = time.monotonic(), [0]
        with self._lock:
            self.arrivals += 1
        self.first_request.set()

        async def remember_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            self._record(scope, started, status[0])

    def _record(self, scope: Scope, started: float, status: int) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        entry = LoggedRequest(started, time.monotonic(), scope["path"], query, status)
        with self._lock:
            self._requests.append(entry)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request so far, in the order they arrived."""
        with self._lock:
            return sorted(self._requests, key=lambda entry: entry.started)

    def to_path(self, path_suffix: str) -> list[LoggedRequest]:
        """Requests whose path ends with ``path_suffix`` (e.g. ``/conversations``)."""
        return [entry for entry in self.requests if entry.path.endswith(path_suffix)]

    def statuses(self) -> dict[int, int]:
        counts: dict[int, Any] = {}
        for entry in self.requests:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return counts
