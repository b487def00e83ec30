"""Times as integer milliseconds since the epoch, and their RFC 3339 form."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_ms(moment: datetime) -> int:
    """``moment`` (timezone-aware) as milliseconds since the epoch."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass a timezone-aware time")
    return (moment - _EPOCH) // _MILLISECOND


def rfc3339(ms: int) -> str:
    """``ms`` as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (fixed width, so strings sort like times)."""
    day, in_day = divmod(ms, 86_400_000)
    hours, in_hour = divmod(in_day, 3_600_000)
    minutes, in_minute = divmod(in_hour, 60_000)
    seconds, millis = divmod(in_minute, 1000)
    return f"{_day(day)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


@lru_cache(maxsize=4096)
def _day(day: int) -> str:
    # Every record formats several times; the date part repeats across a day's records.
    return f"{datetime.fromtimestamp(day * 86_400, timezone.utc):%Y-%m-%d}"


def rfc3339_date(ms: int) -> str:
    """The UTC calendar date of ``ms`` as ``YYYY-MM-DD``."""
    return f"{datetime.fromtimestamp(ms // 1000, timezone.utc):%Y-%m-%d}"


def parse_rfc3339(text: str) -> int:
    """Milliseconds of an RFC 3339 string; ValueError when it is not one."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return to_ms(moment)


_MILLISECOND = datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=timezone.utc) - _EPOCH
