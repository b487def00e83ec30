"""Request counters that tests and benchmarks assert on.

The server's event loop writes them while a test thread reads them, so every access
takes one lock; ``snapshot()`` returns a frozen copy that no later request can change.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Counters:
    """What the simulator has served since the last reset (admin calls excluded)."""

    total_requests: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)
    # (operationId -> status -> count), for "how many 400s did ListConversations give"
    by_operation_status: dict[str, dict[int, int]] = field(default_factory=dict)
    throttled: int = 0  # 429/503 answered by the rate limiter, not by a fault
    faults_injected: dict[str, int] = field(default_factory=dict)
    # operationId -> pageSize -> requests (the size actually used, default included)
    page_sizes: dict[str, dict[int, int]] = field(default_factory=dict)
    peak_concurrency: int = 0
    bad_requests: int = 0  # 400s, whatever their cause
    neighbour_requests: int = 0  # spent by the simulated noisy neighbour

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: integer keys become strings."""
        values: dict[str, Any] = _stringify_keys(asdict(self))
        return values


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _stringify_keys(item) for key, item in value.items()}
    return value


class RequestCounters:
    """The live, thread-safe counters behind ``Counters`` snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._operations: Counter[str] = Counter()
            self._statuses: Counter[tuple[str, int]] = Counter()
            self._throttled = 0
            self._faults: Counter[str] = Counter()
            self._page_sizes: Counter[tuple[str, int]] = Counter()
            self._in_flight = 0
            self._peak = 0
            self._neighbour = 0

    def started(self) -> None:
        """A request entered the API; tracks requests in flight."""
        with self._lock:
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)

    def finished(self, operation: str, status: int) -> None:
        with self._lock:
            self._in_flight -= 1
            self._total += 1
            self._operations[operation] += 1
            self._statuses[(operation, status)] += 1

    def throttled(self) -> None:
        with self._lock:
            self._throttled += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def page_size(self, operation: str, size: int) -> None:
        with self._lock:
            self._page_sizes[(operation, size)] += 1

    def neighbour_request(self) -> None:
        with self._lock:
            self._neighbour += 1

    def snapshot(self) -> Counters:
        with self._lock:
            return Counters(
                total_requests=self._total,
                by_operation=dict(self._operations),
                by_status=_sum_by_status(self._statuses),
                by_operation_status=_nest(self._statuses),
                throttled=self._throttled,
                faults_injected=dict(self._faults),
                page_sizes=_nest(self._page_sizes),
                peak_concurrency=self._peak,
                bad_requests=_sum_by_status(self._statuses).get(400, 0),
                neighbour_requests=self._neighbour,
            )


def _sum_by_status(statuses: Counter[tuple[str, int]]) -> dict[int, int]:
    totals: Counter[int] = Counter()
    for (_, status), count in statuses.items():
        totals[status] += count
    return dict(totals)


def _nest(pairs: Counter[tuple[str, int]]) -> dict[str, dict[int, int]]:
    nested: dict[str, dict[int, int]] = {}
    for (outer, inner), count in pairs.items():
        nested.setdefault(outer, {})[inner] = count
    return nested
