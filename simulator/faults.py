"""Faults on demand: which request fails, how, and which token is revoked.

Decisions are drawn from a RNG seeded by ``FaultSettings.seed`` so that a run is
repeatable; schedules ("the next N requests to X answer S") are consumed first. A fault
that needs a pagination token or a paged listing is only chosen where it can apply, and
a schedule waits for such a request rather than being spent on one it cannot affect.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass

from simulator.settings import (
    ANY_OPERATION,
    PAGED_FAULTS,
    TOKEN_FAULTS,
    FaultKind,
    FaultSettings,
)


@dataclass(frozen=True)
class RequestFacts:
    """What the injector needs to know about a request to pick an applicable fault."""

    operation: str
    has_pagination_token: bool
    paged: bool

    def accepts(self, fault: str) -> bool:
        if fault in TOKEN_FAULTS:
            return self.has_pagination_token
        if fault in PAGED_FAULTS:
            return self.paged
        return True


class FaultInjector:
    """The live fault state behind one ``FaultSettings``; ``configure`` starts afresh."""

    def __init__(self, settings: FaultSettings) -> None:
        self._lock = threading.Lock()
        self.configure(settings)

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings
            self._rng = random.Random(settings.seed)
            self._schedule_left = [schedule.count for schedule in settings.schedules]
            self._token_uses: Counter[str] = Counter()

    def revoked(self, token: str) -> bool:
        """Count one request of ``token``; True once it is past its allowed requests."""
        limit, target = self._settings.revoke_after, self._settings.revoke_token
        if limit is None or target not in (None, token):
            return False
        with self._lock:
            self._token_uses[token] += 1
            return self._token_uses[token] > limit

    def latency(self) -> float:
        """Seconds to wait before answering: the fixed latency plus a uniform jitter."""
        settings = self._settings
        if not settings.jitter_seconds:
            return settings.latency_seconds
        with self._lock:
            return settings.latency_seconds + self._rng.uniform(0, settings.jitter_seconds)

    def choose(self, facts: RequestFacts) -> FaultKind | None:
        with self._lock:
            return self._scheduled(facts) or self._drawn(facts)

    def _scheduled(self, facts: RequestFacts) -> FaultKind | None:
        for index, schedule in enumerate(self._settings.schedules):
            targets = schedule.operation in (ANY_OPERATION, facts.operation)
            if self._schedule_left[index] > 0 and targets and facts.accepts(schedule.fault):
                self._schedule_left[index] -= 1
                return schedule.fault
        return None

    def _drawn(self, facts: RequestFacts) -> FaultKind | None:
        probabilities = self._settings.probabilities
        for key in (facts.operation, ANY_OPERATION):
            for fault, probability in probabilities.get(key, {}).items():
                if facts.accepts(fault) and self._rng.random() < probability:
                    return fault
        return None
