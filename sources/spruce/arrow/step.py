"""The extract step that hands dlt a page's flat records as one Arrow table.

Added to a resource after the PHI policy's map, it receives each page of protected
records. The records without child rows go on as one Arrow table, which dlt writes to
parquet as it is: its normalizer of dicts, the slowest step of a sync, is skipped for
them. The records with child rows go on as dicts, and so does a whole page whose shape
only that normalizer lays out as today (`UnsupportedPage`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import dlt
from dlt.common.schema.typing import TTableSchema
from dlt.extract.items_transform import BaseItemTransform, ItemTransform

from sources.spruce.arrow.flatten import Row, UnsupportedPage
from sources.spruce.arrow.tables import split_page

logger = logging.getLogger(__name__)


class ArrowPages(ItemTransform[Any, dict[str, Any]]):
    """Converts the pages of a resource; ``table`` is its table as its hints declare it
    (``DltResource.compute_table_schema()``: the key and the declared columns)."""

    def __init__(self, table: TTableSchema) -> None:
        BaseItemTransform.__init__(self)
        self._table = table

    def __call__(self, item: Any, meta: Any = None) -> Any:
        if meta is not None or not _is_page(item):
            return item  # a record routed to another table, or not records
        schema = dlt.current.source_schema()
        load_id = dlt.current.load_package_state()["load_id"]
        try:
            flat, with_children = split_page(schema, self._table, item, load_id)
        except UnsupportedPage as unsupported:
            # Names a column at most, never a value (PHI).
            logger.info("%s: a page goes through dlt's normalizer: %s", self._table["name"],
                        unsupported)  # fmt: skip
            return item
        return _both(flat, with_children)


def _both(flat: Any, with_children: list[Row]) -> Iterator[Any]:
    if flat is not None:
        yield flat
    if with_children:
        yield with_children


def _is_page(item: Any) -> bool:
    """A non-empty list of records (anything else passes unchanged)."""
    return isinstance(item, list) and bool(item) and all(type(record) is dict for record in item)
