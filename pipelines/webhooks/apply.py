"""Apply the inbox's events to contacts, conversations and conversation_items, through dlt.

Interface (the runner and the commands call these)::

    report = apply_pending(options, inbox_path, organization)   # takes the run's lock
    report = apply_inbox(pipeline, target, options, inbox, organization)  # inside a run

The same dlt pipeline as ``spruce-sync run`` (name, dataset, destination, schema ``spruce``),
so schema and state stay one, and the same lock: a DuckDB file or a dlt working folder is
one writer's at a time. A batch of events folds to one row per resource (`changes`) and
merges by ``id`` like a sync does, each row carrying ``_spruce_event_time``.

Why the newest ``eventTime`` wins whatever the arrival order, across batches too: dlt's
``delete-insert`` merge with a ``source_filter`` (`newest_wins_filter`). The filter keeps
a staged event row only when the warehouse holds no newer state of the resource; a row's
state is as new as its ``_spruce_event_time``, or, for a row a sync loaded, its load (the
load id is taken when the extract starts, before the listing read the record). dlt
evaluates the filter both where it deletes the old row (and its child rows) and where it
inserts, so a dropped event leaves the row and its child tables untouched. The other ways
dlt offers do not do this: ``dedup_sort`` only orders duplicates *within* one load's
staged rows (and a table has one: the sync's own ``modified_at``/``last_message_at``);
``upsert`` replaces a matched row unconditionally; ``scd2`` keeps history, not one row per
id; ``hard_delete`` removes rows, while Spruce's deletions keep them (``deleted_at``).
Rows of a sync carry no event time and pass the filter (a sync's listing is the truth
when it loads), so the hint, stored in the shared schema, leaves syncs unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.typing import TColumnSchema, TDeleteInsertStrategyDict
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from pipelines.configuration.options import SyncOptions, pipeline_name_of
from pipelines.runner.destinations import Target, pipelines_dir, run_target
from pipelines.runner.lock import pipeline_lock
from pipelines.runner.naming import named
from pipelines.runner.pipeline import (
    build_pipeline,
    check_destination,
    run_pipeline,
    table_contract,
)
from pipelines.runner.warehouse import query_table
from pipelines.webhooks.apply_settings import (
    APPLY_BATCH_SIZE,
    DELETED_AT_COLUMN,
    EVENT_TABLES,
    EVENT_TIME_COLUMN,
)
from pipelines.webhooks.changes import BatchChanges, fold
from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.settings import DEFAULT_ORGANIZATION

log = logging.getLogger("spruce_sync.webhooks")
# The time of the state a warehouse row shows: its event's, else its load's.
ROW_VERSION = (f"COALESCE({EVENT_TIME_COLUMN},"
               " to_timestamp(CAST(_dlt_load_id AS DOUBLE PRECISION)))")
TIME_COLUMNS: dict[str, TColumnSchema] = {
    name: {"data_type": "timestamp", "nullable": True}
    for name in (EVENT_TIME_COLUMN, DELETED_AT_COLUMN)
}


@dataclass
class ApplyReport:
    """What an apply did; ``rows`` counts the rows offered per table (newer rows already
    in the warehouse keep theirs)."""

    events: int = 0
    batches: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    merged_away: int = 0
    not_applied: int = 0
    newest_event_time: datetime | None = None

    def add(self, changes: BatchChanges, events: int, newest: datetime) -> None:
        self.events += events
        self.batches += 1
        for table, count in changes.row_counts().items():
            self.rows[table] = self.rows.get(table, 0) + count
        self.not_applied += changes.not_applied
        self.newest_event_time = max(newest, self.newest_event_time or newest)

    def to_dict(self) -> dict[str, Any]:
        newest = self.newest_event_time
        return {"events": self.events, "batches": self.batches, "rows": dict(self.rows),
                "merged_away": self.merged_away, "not_applied": self.not_applied,
                "newest_event_time": newest.isoformat() if newest else None}


def apply_pending(
    options: SyncOptions, inbox_path: Path, organization: str = DEFAULT_ORGANIZATION,
    batch_size: int = APPLY_BATCH_SIZE,
) -> ApplyReport:
    """Apply every pending event of ``organization`` under the run's lock (`PipelineBusy`
    while a sync runs). No inbox file: nothing was received, nothing is created. Nothing
    pending: the pipeline, its lock and the warehouse are not opened (the receiver's loop
    ticks every few seconds, mostly for nothing, and must not hold a DuckDB file a sync
    is about to take)."""
    if not inbox_path.exists():
        return ApplyReport()
    inbox = Inbox.open(inbox_path)
    try:
        if not inbox.pending(1, organization):
            return ApplyReport()
        with opened_pipeline(options) as (pipeline, target):
            return apply_inbox(pipeline, target, options, inbox, organization, batch_size)
    finally:
        inbox.close()


@contextmanager
def opened_pipeline(options: SyncOptions) -> Iterator[tuple[dlt.Pipeline, Target]]:
    """The run's pipeline and destination, its lock held, the destination checked."""
    options = named(options)
    with (pipeline_lock(pipelines_dir(options), pipeline_name_of(options)),
          run_target(options) as target):
        pipeline = build_pipeline(options, target)
        check_destination(pipeline)
        yield pipeline, target


def apply_inbox(
    pipeline: dlt.Pipeline, target: Target, options: SyncOptions, inbox: Inbox,
    organization: str = DEFAULT_ORGANIZATION, batch_size: int = APPLY_BATCH_SIZE,
) -> ApplyReport:
    """Apply ``inbox``'s pending events in batches, each loaded, then marked applied (a
    crash in between applies it again: a replay changes nothing). The caller holds the
    pipeline's lock: `run` calls this first, with its own pipeline."""
    report = ApplyReport()
    while events := inbox.pending(batch_size, organization):
        changes = fold(events)
        apply_changes(pipeline, target, options, changes)
        report.merged_away += mark_merged_away(pipeline, changes)
        inbox.mark_applied([event.key for event in events])
        report.add(changes, len(events), max(event.event_time for event in events))
        if len(events) < batch_size:
            break
    return report


def apply_changes(
    pipeline: dlt.Pipeline, target: Target, options: SyncOptions, changes: BatchChanges
) -> None:
    """Load the batch's rows (one dlt load); nothing to load, no load."""
    if changes.rows:
        run_pipeline(pipeline, changes_source(pipeline, options, changes), target, refresh=False)


def changes_source(
    pipeline: dlt.Pipeline, options: SyncOptions, changes: BatchChanges
) -> DltSource:
    """The batch as the ``spruce`` source's tables, merged newest-wins, under the
    profile's schema contracts like a sync."""
    resources = [table_resource(pipeline, table, list(rows.values()))
                 for table, rows in changes.rows.items()]
    for resource in resources:
        mode = options.schema_contracts.get(resource.name)
        if mode is not None:
            resource.apply_hints(schema_contract=table_contract(mode))
    return spruce_changes(resources)


@dlt.source(name="spruce")
def spruce_changes(resources: list[DltResource]) -> list[DltResource]:
    """Named like the sync's source: the same schema, the same tables."""
    return resources


def table_resource(pipeline: dlt.Pipeline, table: str, rows: list[dict[str, Any]]) -> DltResource:
    """A merge resource of ``table``'s rows, keyed on ``id`` as the sync's."""
    disposition = TDeleteInsertStrategyDict(
        disposition="merge", strategy="delete-insert",
        source_filter=newest_wins_filter(qualified(pipeline, table)),
    )
    resource: DltResource = dlt.resource(rows, name=table, primary_key="id",
                                         columns=TIME_COLUMNS, write_disposition=disposition)
    return resource


def newest_wins_filter(table: str) -> str:
    """dlt's ``source_filter``: a staged row goes in unless ``table`` (qualified) holds a
    newer state of it. A sync's row (no event time) always goes in.

    Unqualified names are the staged row's (dlt aliases the staging table differently in
    its statements); the warehouse's columns are renamed so that none shadows them.
    """
    return (
        f"{EVENT_TIME_COLUMN} IS NULL OR NOT EXISTS (SELECT 1 FROM (SELECT id AS _held_id,"
        f" {ROW_VERSION} AS _held_version FROM {table}) AS _held WHERE _held._held_id = id"
        f" AND _held._held_version > {EVENT_TIME_COLUMN})"
    )


def qualified(pipeline: dlt.Pipeline, table: str) -> str:
    """``table``'s name qualified with the dataset, as the destination writes it."""
    with pipeline.sql_client() as client:
        return str(client.make_qualified_table_name(table))


def mark_merged_away(pipeline: dlt.Pipeline, changes: BatchChanges) -> int:
    """Stamp ``deleted_at`` on the contacts merged away, unless a newer state is held;
    how many rows changed (a contact never loaded has no row to mark)."""
    marked = 0
    for contact_id, merged_at in sorted(changes.merged_away.items()):
        rows = query_table(
            pipeline, EVENT_TABLES["contact"],
            f"UPDATE {{table}} SET {DELETED_AT_COLUMN} = %s, {EVENT_TIME_COLUMN} = %s"
            f" WHERE id = %s AND {ROW_VERSION} <= %s RETURNING id",
            merged_at, merged_at, contact_id, merged_at,
        )
        marked += len(rows or ())
    return marked
