"""Values typed on the command line: dates and resource lists, checked before a run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import typer

from pipelines.configuration.errors import ConfigError, did_you_mean


def parse_instant(text: str) -> datetime:
    """``2025-01-31`` (midnight UTC) or an RFC 3339 time; a time without zone is UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date: use YYYY-MM-DD or an RFC 3339 time "
            "such as 2025-01-31T08:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def instant_flag(text: str) -> datetime:
    """`parse_instant` for typer: a bad date is a usage error naming the flag."""
    try:
        return parse_instant(text)
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None


def check_window(since: datetime, until: datetime | None) -> None:
    """A backfill window must start in the past and end after it starts."""
    if since >= datetime.now(timezone.utc):
        raise ConfigError(f"--since {since.isoformat()} is in the future; nothing to backfill")
    if until is not None and until <= since:
        raise ConfigError(
            f"--until {until.isoformat()} is not after --since {since.isoformat()}"
        )


def parse_resources(values: Iterable[str]) -> tuple[str, ...]:
    """Resource names from flags (repeated or comma-separated), checked against the source."""
    from sources.spruce import RESOURCE_NAMES

    names = tuple(name.strip() for value in values for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in RESOURCE_NAMES]
    if unknown:
        raise ConfigError(
            # 0.8, not difflib's 0.6: `messages` is no typo of `saved_messages` (it means items)
            f"unknown resource {', '.join(unknown)}; {did_you_mean(unknown, RESOURCE_NAMES, 0.8)}"
            f"the resources are: {', '.join(RESOURCE_NAMES)}"
        )
    return names
