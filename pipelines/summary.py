"""`RunSummary`: what one run did, for the CLI's summary and ``--json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunSummary:
    """The outcome of one `run_sync`.

    ``rows_per_table``: rows this run loaded (child tables included; merged rows count
    once per load). ``completeness_gaps``: listings whose ``totalCount`` differed from what
    was read (best effort on Spruce's side, so a gap is a hint, not a failure).
    ``skipped_conversations``: conversations deleted between listing and items (404).
    """

    destination: str
    location: str
    dataset_name: str
    rows_per_table: dict[str, int]
    requests: int
    retries: int
    throttled: int
    rate_limit_wait_s: float
    duration_s: float
    load_ids: list[str]
    windows: int
    completeness_gaps: list[dict[str, Any]] = field(default_factory=list)
    skipped_conversations: list[str] = field(default_factory=list)
    contacts_marked_deleted: int = 0
    conversation_cursor: str | None = None
    backfill: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for ``--json``)."""
        return asdict(self)
