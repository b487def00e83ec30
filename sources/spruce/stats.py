"""`RunStats`: live, thread-safe counters of a run, polled by the CLI for progress.

The fetcher counts requests, retries, throttled answers and time waited for the rate
limit; the resources count pages and rows, the conversations skipped because they were
deleted meanwhile (404), and what each listing said exists (``totalCount``) next to what
was read, for the completeness check.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ResourceProgress:
    """Counters of one resource."""

    pages: int = 0
    rows: int = 0
    requests: int = 0


@dataclass(frozen=True)
class CompletenessGap:
    """A listing (or one conversation's items) where what was read differs from totalCount."""

    resource: str
    scope: str
    expected: int
    loaded: int


@dataclass
class RunStats:
    """Counters shared by every thread of a run; read them with `snapshot`."""

    resources: dict[str, ResourceProgress] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    rate_limit_wait_s: float = 0.0
    skipped_conversations: list[str] = field(default_factory=list)
    completeness_gaps: list[CompletenessGap] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_request(self, resource: str, waited_s: float) -> None:
        with self._lock:
            self.requests += 1
            self.rate_limit_wait_s += waited_s
            self._progress(resource).requests += 1

    def record_page(self, resource: str, rows: int) -> None:
        with self._lock:
            progress = self._progress(resource)
            progress.pages += 1
            progress.rows += rows

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_throttled(self) -> None:
        with self._lock:
            self.throttled += 1

    def record_skipped_conversation(self, conversation_id: str) -> None:
        with self._lock:
            self.skipped_conversations.append(conversation_id)

    def record_listing(self, resource: str, scope: str, expected: int, loaded: int) -> None:
        """Compare a listing's ``totalCount`` with the rows read; keep only differences."""
        if expected == loaded:
            return
        with self._lock:
            self.completeness_gaps.append(CompletenessGap(resource, scope, expected, loaded))

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of every counter, as plain data: ``resources`` (per resource
        pages, rows, requests), ``totals`` (requests, retries, throttled,
        rate_limit_wait_s), ``skipped_conversations`` and ``completeness_gaps``."""
        with self._lock:
            return {
                "resources": {name: asdict(p) for name, p in self.resources.items()},
                "totals": {
                    "requests": self.requests,
                    "retries": self.retries,
                    "throttled": self.throttled,
                    "rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
                },
                "skipped_conversations": list(self.skipped_conversations),
                "completeness_gaps": [asdict(gap) for gap in self.completeness_gaps],
            }

    def _progress(self, resource: str) -> ResourceProgress:
        return self.resources.setdefault(resource, ResourceProgress())
