"""A page of records as one Arrow table of its root table, and the records left over.

The schema dlt holds for this source (``dlt.current.source_schema()``) gives the names
(its naming convention), the types of known columns and the columns kept as JSON, so
that the rows converted here land in the same columns, with the same types, as dlt's
normalizer would have put them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
from dlt.common.schema import Schema
from dlt.common.schema.typing import TTableSchema

from sources.spruce.arrow.columns import ColumnTyper, table_arrays
from sources.spruce.arrow.flatten import Flattener, Row
from sources.spruce.arrow.settings import LOAD_ID, ROOT_SYSTEM_COLUMNS


def split_page(
    schema: Schema, table: TTableSchema, records: list[Row], load_id: str
) -> tuple[pa.Table | None, list[Row]]:
    """The Arrow table of the records without child rows (None if there are none), and the
    records with child rows. ``table`` is the resource's table as its hints declare it.
    Raises `UnsupportedPage` when dlt would lay the page out differently."""
    known = {**table["columns"], **_known_columns(schema, str(table["name"]))}
    json_columns = {name for name, spec in known.items() if spec.get("data_type") == "json"}
    rows, with_children = Flattener(schema.naming, json_columns).flatten(records)
    if not rows:
        return None, with_children
    typer = ColumnTyper(known, list(schema.settings.get("detections") or ()))
    arrays = table_arrays(rows, typer)
    arrays[LOAD_ID] = pa.array([load_id] * len(rows), pa.string())
    return _table(arrays, {**known, **ROOT_SYSTEM_COLUMNS}), with_children


def _table(arrays: dict[str, pa.Array], columns: Mapping[str, Any]) -> pa.Table:
    """The table, its fields as nullable as the schema's columns (dlt warns on each table
    whose Arrow hints differ from the schema's)."""
    fields = [pa.field(name, array.type, nullable=columns.get(name, {}).get("nullable", True))
              for name, array in arrays.items()]  # fmt: skip
    return pa.Table.from_arrays(list(arrays.values()), schema=pa.schema(fields))


def _known_columns(schema: Schema, table: str) -> Mapping[str, Any]:
    return schema.get_table_columns(table) if table in schema.tables else {}
