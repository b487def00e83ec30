"""Read a loaded dataset back, and compare it with the simulator's ground truth.

"Equals baseline" in the reliability matrix means: every table of the ground truth holds
exactly its ids, one row per id, with the same values, and every array of a record has
exactly as many child rows as it has elements. The same comparison runs on DuckDB and
PostgreSQL, through the small ``Warehouse`` protocol below.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol

import duckdb
import psycopg2
from dlt.common.normalizers.naming.snake_case import NamingConvention

Row = dict[str, Any]
_NAMING = NamingConvention()
# Columns dlt adds to every row; they have no counterpart in the API's records.
_DLT_PREFIX = "_dlt_"
# The key column of each table (flattened name) where it is not ``id``.
KEY_COLUMNS = {"internal_endpoints": "endpoint__id"}
# Ground-truth entries that are not tables of their own: deleted contacts stay in
# ``contacts`` with ``deleted_at`` set; webhook events are synced only when configured.
NOT_TABLES = frozenset({"contacts_deleted", "webhook_events"})
DELETED_MARKER = "deleted_at"


class Warehouse(Protocol):
    """A read-only view of one dataset (a schema) in a destination."""

    def tables(self) -> set[str]:
        """Names of the dataset's tables, dlt's own included."""
        ...

    def rows(self, table: str) -> list[Row]:
        """Every row of a table, as column name -> value."""
        ...


class _SqlWarehouse:
    """A dataset read with SQL; a subclass says how a query reaches its destination."""

    dataset: str
    # How the destination's driver writes a query parameter.
    _PARAMETER: ClassVar[str]

    def tables(self) -> set[str]:
        query = "select table_name from information_schema.tables where table_schema = "
        _, rows = self._execute(query + self._PARAMETER, [self.dataset])
        return {name for (name,) in rows}

    def rows(self, table: str) -> list[Row]:
        names, rows = self._execute(f'select * from "{self.dataset}"."{table}"', [])
        return [dict(zip(names, values)) for values in rows]

    def _execute(
        self, query: str, parameters: list[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and the rows of ``query``."""
        raise NotImplementedError


@dataclass(frozen=True)
class DuckDBWarehouse(_SqlWarehouse):
    """A dataset in a DuckDB file, opened read-only for each query."""

    path: Path
    dataset: str = "spruce"
    _PARAMETER = "?"

    def tables(self) -> set[str]:
        """No tables before the file exists (a run that failed early creates none)."""
        return super().tables() if self.path.exists() else set()

    def _execute(
        self, query: str, parameters: list[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb.connect(str(self.path), read_only=True) as connection:
            cursor = connection.execute(query, parameters)
            return [column[0] for column in cursor.description], cursor.fetchall()


@dataclass(frozen=True)
class PostgresWarehouse(_SqlWarehouse):
    """A dataset (a schema) in a PostgreSQL database."""

    dsn: str
    dataset: str = "spruce"
    _PARAMETER = "%s"

    def _execute(
        self, query: str, parameters: list[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        connection = psycopg2.connect(self.dsn)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(query, parameters or None)
                names: list[str] = [column[0] for column in cursor.description]
                rows: list[tuple[Any, ...]] = cursor.fetchall()
        finally:
            connection.close()
        return names, rows


def data_tables(warehouse: Warehouse) -> set[str]:
    """The dataset's tables without dlt's bookkeeping tables."""
    return {name for name in warehouse.tables() if not name.startswith(_DLT_PREFIX)}


def row_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows per data table: a cheap fingerprint to prove that a run wrote nothing."""
    return {name: len(warehouse.rows(name)) for name in sorted(data_tables(warehouse))}


def duplicate_ids(rows: Iterable[Row], key: str = "id") -> dict[Any, int]:
    """Primary keys that occur more than once, with their count."""
    counts = Counter(row[key] for row in rows)
    return {value: count for value, count in counts.items() if count > 1}


def differences(
    warehouse: Warehouse,
    truth: Mapping[str, list[Row]],
    ignore_columns: Iterable[str] = (),
) -> list[str]:
    """Every way the warehouse differs from the ground truth, one line each; [] = equal.

    ``truth`` is ``Simulator.ground_truth()``: API records (camelCase) per table. Nested
    objects are compared with dlt's flattened ``a__b`` columns, arrays by the number of
    child rows per parent. Lines name tables, ids and columns, never whole records.
    """
    ignored = frozenset(_NAMING.normalize_identifier(name) for name in ignore_columns)
    present = warehouse.tables()
    lines = _deleted_contact_differences(warehouse, truth) if "contacts" in present else []
    for table, records in sorted(truth.items()):
        if table in NOT_TABLES:
            continue
        if table not in present:
            lines.append(f"{table}: table missing ({len(records)} rows expected)")
            continue
        lines.extend(_table_differences(warehouse, table, records, ignored))
    return lines


def _deleted_contact_differences(warehouse: Warehouse, truth: Mapping[str, list[Row]]) -> list[str]:
    """Contacts marked deleted in the warehouse must be deleted in the truth."""
    deleted = {record["id"] for record in truth.get("contacts_deleted", [])}
    marked = {row["id"] for row in warehouse.rows("contacts") if row.get(DELETED_MARKER)}
    return [f"contacts: id {key!r} marked deleted but live" for key in sorted(marked - deleted)]


def _table_differences(
    warehouse: Warehouse, table: str, records: list[Row], ignored: frozenset[str]
) -> list[str]:
    key_column = KEY_COLUMNS.get(table, "id")
    rows = [row for row in warehouse.rows(table) if not row.get(DELETED_MARKER)]
    duplicates = duplicate_ids(rows, key_column).items()
    lines = [f"{table}: id {key!r} loaded {n} times" for key, n in duplicates]
    loaded = {row[key_column]: row for row in rows}
    expected = {flatten(record)[key_column]: record for record in records}
    lines += [f"{table}: id {key!r} missing" for key in sorted(expected.keys() - loaded.keys())]
    lines += [f"{table}: id {key!r} not in truth" for key in sorted(loaded.keys() - expected.keys())]
    for key in sorted(expected.keys() & loaded.keys()):
        lines += _value_differences(f"{table}: id {key!r}", expected[key], loaded[key], ignored)
    lines += _child_differences(warehouse, table, expected, loaded, ignored)
    return lines


def _value_differences(where: str, record: Row, row: Row, ignored: frozenset[str]) -> list[str]:
    lines = []
    for column, value in as_stored(flatten(record)).items():
        if column in ignored or isinstance(value, list):
            continue
        if not same_value(value, loaded_value(row, column)):
            lines.append(f"{where} column {column} differs")
    return lines


def as_stored(flat: Mapping[str, Any]) -> dict[str, Any]:
    """What the warehouse must hold for a flattened API record: a signed URL expires, so
    it is stored as its address without the signature, and its expiry is not stored."""
    stored = {}
    for column, value in flat.items():
        if column.endswith("signed_url__expires_at"):
            continue
        if column.endswith("signed_url__url") and isinstance(value, str):
            value = value.split("?", 1)[0]
        stored[column] = value
    return stored


def _child_differences(
    warehouse: Warehouse,
    table: str,
    expected: Mapping[Any, Row],
    loaded: Mapping[Any, Row],
    ignored: frozenset[str],
) -> list[str]:
    """Compare, per parent, the number of rows in each first-level child table."""
    present = warehouse.tables()
    lines = []
    array_columns = {c for r in expected.values() for c, v in flatten(r).items() if isinstance(v, list)}
    for column in sorted(array_columns - ignored):
        child = f"{table}__{column}"
        per_parent = Counter(
            r["_dlt_parent_id"] for r in (warehouse.rows(child) if child in present else [])
        )
        for key, record in expected.items():
            want = len(flatten(record).get(column) or [])
            got = per_parent.get(loaded[key]["_dlt_id"], 0) if key in loaded else want
            if want != got:
                lines.append(f"{child}: parent {key!r} has {got} rows, expected {want}")
    return lines


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record's fields under dlt's column names: nested objects become ``a__b``."""
    flat: dict[str, Any] = {}
    for name, value in record.items():
        column = prefix + _NAMING.normalize_identifier(name)
        if isinstance(value, Mapping):
            flat.update(flatten(value, column + "__"))
        else:
            flat[column] = value
    return flat


def loaded_value(row: Row, column: str) -> Any:
    """A column's value, or its variant column's when a type change moved it there."""
    if row.get(column) is not None:
        return row[column]
    variants = [name for name in row if name.startswith(column + "__v_")]
    return next((row[name] for name in variants if row[name] is not None), None)


def same_value(expected: Any, loaded: Any) -> bool:
    """Whether an API value and a warehouse value mean the same thing.

    Timestamps are compared as instants (in UTC), whatever offset the API used.
    """
    if isinstance(loaded, datetime) and isinstance(expected, str):
        try:
            return _as_utc(loaded) == _as_utc(datetime.fromisoformat(expected))
        except ValueError:
            return False
    if isinstance(loaded, date) and isinstance(expected, str):
        return loaded.isoformat() == expected
    if isinstance(loaded, (float, Decimal)) and isinstance(expected, (int, float)):
        return math.isclose(float(loaded), float(expected))
    return bool(expected == loaded)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
