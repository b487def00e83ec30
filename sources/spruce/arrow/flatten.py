"""Flatten API records into root-table rows, as dlt's normalizer lays them out.

A nested object becomes ``parent__child`` columns of its row, each name through the
schema's naming convention (dlt's ``_flatten``). A record holding a non-empty list
would also fill a child table (``conversation_items__attachments``), which dlt takes
only from its own normalizer, so such a record is set aside for that path: see
``sources.spruce.arrow`` for why. An empty list makes neither rows nor a column.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from dlt.common.normalizers.naming import NamingConvention
from dlt.common.normalizers.utils import generate_dlt_ids

from sources.spruce.arrow.settings import EMPTY_KEY, ROW_ID

Row = dict[str, Any]
# The normalized keys of the objects enclosing a value, outermost first.
_Path = tuple[str, ...]


class UnsupportedPage(Exception):
    """The page holds a shape that only dlt's own normalizer lays out as today."""


class _HasChildren(Exception):
    """The record being flattened holds a non-empty list (child rows)."""


class Flattener:
    """Turns records of one table into flat rows (names cached per path).

    ``json_columns`` are the table's columns the schema keeps as JSON documents: dlt
    does not flatten those, so neither may this.
    """

    def __init__(self, naming: NamingConvention, json_columns: Collection[str]) -> None:
        self._naming = naming
        self._json_columns = json_columns
        self._columns: dict[tuple[_Path, str], str] = {}
        self._paths: dict[tuple[_Path, str], _Path] = {}

    def flatten(self, records: list[Row]) -> tuple[list[Row], list[Row]]:
        """The flat rows (each with a new random ``_dlt_id``) of the records without child
        rows, and the records with child rows, untouched."""
        rows: list[Row] = []
        with_children: list[Row] = []
        for record, row_id in zip(records, generate_dlt_ids(len(records))):
            row: Row = {ROW_ID: row_id}
            try:
                self._flatten_object((), record, row)
            except _HasChildren:
                with_children.append(record)
                continue
            rows.append(row)
        return rows, with_children

    def _flatten_object(self, path: _Path, value: Mapping[str, Any], row: Row) -> None:
        """Copy ``value``'s scalars into ``row`` and its objects as ``a__b`` columns."""
        for key, item in value.items():
            item_type = type(item)
            if item_type is dict:
                self._column(path, key)  # raises where the schema keeps it as JSON
                self._flatten_object(self._path(path, key), item, row)
            elif item_type is list:
                self._column(path, key)
                if item:
                    raise _HasChildren
            else:
                row[self._column(path, key)] = item

    def _path(self, path: _Path, key: str) -> _Path:
        """The path of the object under ``key``."""
        cache_key = (path, key)
        nested = self._paths.get(cache_key)
        if nested is None:
            nested = self._paths[cache_key] = (*path, self._normalized(key))
        return nested

    def _column(self, path: _Path, key: str) -> str:
        """The column of ``key`` under ``path`` (``a__b`` when nested)."""
        cache_key = (path, key)
        column = self._columns.get(cache_key)
        if column is None:
            column = self._naming.shorten_fragments(*path, self._normalized(key))
            if column in self._json_columns:
                raise UnsupportedPage(f"column {column} is kept as JSON")
            self._columns[cache_key] = column
        return column

    def _normalized(self, key: str) -> str:
        """One key as a fragment of a name (dlt names an empty key ``_empty``)."""
        return self._naming.normalize_path(key if key and not key.isspace() else EMPTY_KEY)
