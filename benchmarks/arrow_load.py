"""Insert row dicts into DuckDB through Arrow, table by table, chunk by chunk.

A later chunk may carry columns an earlier one lacked (optional fields): they are added
to the table before the chunk is inserted by name.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

Row = dict[str, Any]


def rows_to_arrow(rows: list[Row]) -> pa.Table:
    """One Arrow table with the union of the rows' columns; mixed types become strings."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return pa.table({name: _column(name, rows) for name in columns})


def _column(name: str, rows: list[Row]) -> pa.Array:
    values = [row.get(name) for row in rows]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if value is None else str(value) for value in values])


def insert_arrow(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, data: pa.Table
) -> None:
    """Create ``schema.table`` from ``data``, or add its new columns and append by name."""
    target = f'"{schema}"."{table}"'
    connection.register("incoming", data)
    try:
        existing = _existing_columns(connection, schema, table)
        if existing is None:
            connection.execute(f"CREATE TABLE {target} AS SELECT * FROM incoming")
            return
        for name, column_type in _incoming_columns(connection):
            if name not in existing:
                connection.execute(f'ALTER TABLE {target} ADD COLUMN "{name}" {column_type}')
        connection.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming")
    finally:
        connection.unregister("incoming")


def _existing_columns(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str
) -> set[str] | None:
    found = connection.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    return {name for (name,) in found} or None


def _incoming_columns(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    described = connection.execute("DESCRIBE SELECT * FROM incoming").fetchall()
    return [(row[0], row[1]) for row in described]
