"""`RunSummary`: what one run did, for the CLI's summary and ``--json``; `WindowTally` adds
up the windows' outcomes into it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions


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


@dataclass
class WindowTally:
    """The windows of a run added up: loads, rows, deletions, the source's last figures."""

    backfill: bool = False
    windows: int = 0
    load_ids: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    contacts_marked_deleted: int = 0
    # The source's counters as its last window reported them (they cover the whole run).
    figures: Mapping[str, Any] = field(default_factory=dict)

    def count_rows(self, row_counts: Mapping[str, int]) -> None:
        """Add a window's normalized rows per table (dlt's own tables left out)."""
        for table, count in row_counts.items():
            if not table.startswith("_dlt"):
                self.rows[table] = self.rows.get(table, 0) + count

    def summary(
        self, options: SyncOptions, location: str, cursor: str | None, duration_s: float
    ) -> RunSummary:
        """The run's summary once its last window ran."""
        totals = self.figures.get("totals", {})
        return RunSummary(
            destination=options.destination, location=location,
            dataset_name=options.dataset_name, rows_per_table=dict(sorted(self.rows.items())),
            requests=totals.get("requests", 0), retries=totals.get("retries", 0),
            throttled=totals.get("throttled", 0),
            rate_limit_wait_s=totals.get("rate_limit_wait_s", 0.0),
            duration_s=round(duration_s, 3), load_ids=list(self.load_ids), windows=self.windows,
            completeness_gaps=list(self.figures.get("completeness_gaps", [])),
            skipped_conversations=list(self.figures.get("skipped_conversations", [])),
            contacts_marked_deleted=self.contacts_marked_deleted, conversation_cursor=cursor,
            backfill=self.backfill,
        )
