"""What the runner asks the warehouse: positions already loaded, deletions, row counts.

Every query goes through dlt's SQL client of the pipeline, so it works the same on DuckDB
and PostgreSQL. A table that does not exist yet (first run) answers "nothing known".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import dlt
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from sources.spruce.plan import LoadedPosition, PreviousPositions


def previous_positions(pipeline: dlt.Pipeline) -> PreviousPositions:
    """A lookup of where given conversations already are in the warehouse."""

    def lookup(conversation_ids: Sequence[str]) -> Mapping[str, LoadedPosition]:
        if not conversation_ids or not pipeline.default_schema_name:
            return {}  # nothing loaded yet
        return _loaded_positions(pipeline, conversation_ids)

    return lookup


def _loaded_positions(pipeline: dlt.Pipeline, ids: Sequence[str]) -> dict[str, LoadedPosition]:
    """``last_message_at`` and the load's start (dlt's load id is its Unix time) per id."""
    placeholders = ", ".join(["%s"] * len(ids))
    rows = query_table(
        pipeline, "conversations",
        f"SELECT id, last_message_at, _dlt_load_id FROM {{table}} WHERE id IN ({placeholders})",
        *ids,
    )
    return {
        row[0]: LoadedPosition(_utc(row[1]), datetime.fromtimestamp(float(row[2]), timezone.utc))
        for row in rows or ()
        if row[1] is not None
    }


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def mark_deleted_contacts(pipeline: dlt.Pipeline, load_id: str, deleted_at: datetime) -> int:
    """Stamp ``deleted_at`` on live contacts that the complete listing of ``load_id`` did
    not return (a merge rewrites every returned contact with that load id)."""
    rows = query_table(
        pipeline, "contacts",
        "UPDATE {table} SET deleted_at = %s WHERE deleted_at IS NULL"
        " AND _dlt_load_id <> %s RETURNING id",
        deleted_at, load_id,
    )
    return len(rows or ())  # no table: an empty organization, dlt created none


def row_counts(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows per data table of the pipeline's schema (child tables included)."""
    if not pipeline.default_schema_name:
        return {}
    counts: dict[str, int] = {}
    for name in sorted(pipeline.default_schema.data_table_names()):
        rows = query_table(pipeline, name, "SELECT count(*) FROM {table}")
        if rows is not None:
            counts[name] = int(rows[0][0])
    return counts


def query_table(
    pipeline: dlt.Pipeline, table: str, sql: str, *args: Any
) -> Sequence[Sequence[Any]] | None:
    """The rows of ``sql``, ``{table}`` being ``table``'s qualified name; None when the
    table does not exist yet (nothing was ever loaded into it)."""
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table)
        try:
            return client.execute_sql(sql.format(table=qualified), *args) or []
        except DatabaseUndefinedRelation:
            return None


def ping(pipeline: dlt.Pipeline) -> None:
    """One trivial query; raises what the destination's driver raises."""
    with pipeline.sql_client() as client:
        client.execute_sql("SELECT 1")
