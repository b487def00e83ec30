"""What the runner asks the warehouse: positions already loaded, deletions, row counts.

Every query goes through dlt's SQL client of the pipeline, so it works the same on DuckDB
and PostgreSQL. A table that does not exist yet (first run) answers "nothing known".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

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
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("conversations")
        try:
            rows = client.execute_sql(
                f"SELECT id, last_message_at, _dlt_load_id FROM {table}"
                f" WHERE id IN ({placeholders})",
                *ids,
            )
        except DatabaseUndefinedRelation:
            return {}
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
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("contacts")
        try:
            rows = client.execute_sql(
                f"UPDATE {table} SET deleted_at = %s WHERE deleted_at IS NULL"
                f" AND _dlt_load_id <> %s RETURNING id",
                deleted_at, load_id,
            )
        except DatabaseUndefinedRelation:
            return 0  # an empty organization: dlt created no contacts table
    return len(rows or ())


def row_counts(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows per data table of the pipeline's schema (child tables included)."""
    if not pipeline.default_schema_name:
        return {}
    names = sorted(pipeline.default_schema.data_table_names())
    counts: dict[str, int] = {}
    with pipeline.sql_client() as client:
        for name in names:
            try:
                rows = client.execute_sql(
                    f"SELECT count(*) FROM {client.make_qualified_table_name(name)}"
                )
            except DatabaseUndefinedRelation:
                continue
            counts[name] = int(rows[0][0])
    return counts


def ping(pipeline: dlt.Pipeline) -> None:
    """One trivial query; raises what the destination's driver raises."""
    with pipeline.sql_client() as client:
        client.execute_sql("SELECT 1")
