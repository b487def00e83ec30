"""Flatten API records into root and child rows, the way dlt's normalizer lays them out.

Nested objects become ``parent__child`` columns; lists become child tables
(``contacts__phone_numbers`` style, with ``_parent_id`` and ``_list_idx``); lists of
scalars become child rows with a ``value`` column. No name normalisation: the raw bound
measures parsing and loading, not renaming.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

Row = dict[str, Any]


class TableRows:
    """Rows collected per table, ready to become Arrow tables."""

    def __init__(self) -> None:
        self.tables: defaultdict[str, list[Row]] = defaultdict(list)

    def add_records(self, table: str, records: list[Row]) -> None:
        """Flatten each record into ``table`` and its child tables."""
        for record in records:
            self._add(table, record, record.get("id"))

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def drain(self) -> dict[str, list[Row]]:
        """Hand over the collected rows and start empty (bounded memory)."""
        tables, self.tables = dict(self.tables), defaultdict(list)
        return tables

    def _add(self, table: str, record: Row, row_key: Any) -> None:
        row: Row = {}
        self._flatten_into(table, row, "", record, row_key)
        self.tables[table].append(row)

    def _flatten_into(self, table: str, row: Row, prefix: str, value: Row, row_key: Any) -> None:
        for key, item in value.items():
            column = prefix + key
            if isinstance(item, dict):
                self._flatten_into(table, row, column + "__", item, row_key)
            elif isinstance(item, list):
                self._add_children(f"{table}__{column}", item, row_key)
            else:
                row[column] = item

    def _add_children(self, child_table: str, items: list[Any], parent_key: Any) -> None:
        for index, item in enumerate(items):
            child_key = f"{parent_key}/{child_table}/{index}"
            link = {"_parent_id": parent_key, "_list_idx": index}
            if isinstance(item, dict):
                row = dict(link)
                self._flatten_into(child_table, row, "", item, child_key)
                self.tables[child_table].append(row)
            else:
                self.tables[child_table].append({**link, "value": item})
