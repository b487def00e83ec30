"""The demo's proof: each organization's tables hold exactly its simulator's records.

Per table, the ids loaded against the ids of the simulator's ground truth (contacts: the
ones not marked deleted). A row of another organization would show as an id too many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# table -> (its id column in the warehouse, its id field in the ground truth)
TRUTH_KEYS: dict[str, tuple[str, str]] = {
    "contacts": ("id", "id"),
    "conversations": ("id", "id"),
    "conversation_items": ("id", "id"),
    "contact_tags": ("id", "id"),
    "contact_fields": ("id", "id"),
    "conversation_tags": ("id", "id"),
    "organization": ("id", "id"),
    "organization_members": ("id", "id"),
    "phone_lines": ("id", "id"),
    "internal_endpoints": ("endpoint__id", "endpoint"),
    "saved_messages": ("id", "id"),
    "scheduled_messages": ("id", "id"),
}
LIVE_ONLY = {"contacts": "deleted_at IS NULL"}


def truth_differences(
    duckdb_path: Path, dataset: str, truth: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, int]:
    """Per table, ids missing plus ids too many plus duplicates (0 everywhere: equal)."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        return {table: _difference(connection, dataset, table, truth.get(table, ()))
                for table in TRUTH_KEYS}  # fmt: skip


def _difference(
    connection: Any, dataset: str, table: str, records: Sequence[Mapping[str, Any]]
) -> int:
    column, field = TRUTH_KEYS[table]
    loaded = _loaded_ids(connection, dataset, table, column)
    expected = {_id_of(record[field]) for record in records}
    return len(expected ^ set(loaded)) + len(loaded) - len(set(loaded))


def _loaded_ids(connection: Any, dataset: str, table: str, column: str) -> list[object]:
    """The ids in ``table``; none when the table was never created (dlt creates a table
    with its first row)."""
    import duckdb

    where = f" WHERE {LIVE_ONLY[table]}" if table in LIVE_ONLY else ""
    try:
        rows = connection.execute(f'SELECT "{column}" FROM "{dataset}"."{table}"{where}')
    except duckdb.CatalogException:
        return []
    return [row[0] for row in rows.fetchall()]


def _id_of(value: object) -> object:
    return value.get("id") if isinstance(value, Mapping) else value
