"""A clock the test moves by hand: the only stand-in these tests use (time itself)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class ManualClock:
    """Starts at the real now; ``advance`` moves it forward."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
