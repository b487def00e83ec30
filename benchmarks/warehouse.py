"""What a run left in its DuckDB file: rows per table, and whether two runs agree on ids."""

from __future__ import annotations

from pathlib import Path

import duckdb

from benchmarks.settings import DATASET, ROOT_TABLES


def row_counts(duckdb_path: Path) -> dict[str, int]:
    """Rows per data table of the dataset (dlt's own ``_dlt_*`` tables left out)."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name NOT LIKE '\\_dlt\\_%' ESCAPE '\\'",
            [DATASET],
        ).fetchall()
        return {
            name: _count(connection, f'SELECT count(*) FROM "{DATASET}"."{name}"')
            for (name,) in sorted(tables)
        }


def root_records(counts: dict[str, int]) -> int:
    """Records of the three listings every pipeline loads (the rows/s numerator)."""
    return sum(counts.get(table, 0) for table in ROOT_TABLES)


def id_mismatches(left: Path, right: Path) -> dict[str, int]:
    """Per root table, ids found in one file and not the other (0 everywhere = same ids)."""
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{left}' AS left_db (READ_ONLY)")
        connection.execute(f"ATTACH '{right}' AS right_db (READ_ONLY)")
        return {table: _symmetric_difference(connection, table) for table in ROOT_TABLES}


def _symmetric_difference(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    left = f'left_db."{DATASET}"."{table}"'
    right = f'right_db."{DATASET}"."{table}"'
    query = (
        f"SELECT count(*) FROM ((SELECT id FROM {left} EXCEPT SELECT id FROM {right})"
        f" UNION ALL (SELECT id FROM {right} EXCEPT SELECT id FROM {left}))"
    )
    return _count(connection, query)


def _count(connection: duckdb.DuckDBPyConnection, query: str) -> int:
    """The number a ``SELECT count(*) ...`` query answers."""
    row = connection.execute(query).fetchone()
    if row is None:  # an aggregate without GROUP BY always answers one row
        raise RuntimeError(f"no row from {query!r}")
    return int(row[0])
