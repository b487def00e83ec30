"""The Arrow path: the flat records of a page handed to dlt as one Arrow table.

`ArrowPages` is the extract step that converts a resource's pages (after the PHI
policy). The columns, types and system columns of the table are those dlt's normalizer
of dicts gives the same records (``flatten``, ``columns``), so a warehouse keeps its
shape whichever path loaded a row.

Why only records without child rows: dlt (1.31, and its main branch) takes rows of a
child table only from its own normalizer. An item written at extract to a child table
(``parent`` set) fails in ``Extract._compute_metrics``, which looks up the table's
``resource``, and a child table may not carry one (``utils.merge_table`` raises
``TablePropertiesConflictException``). A record with a non-empty list therefore goes
to dlt whole, as a dict; the merge still replaces the child rows of every reloaded
record, Arrow or not, because it deletes them by the root table's ``_dlt_id``.
"""

from __future__ import annotations

import dlt

from sources.spruce.arrow.settings import (
    ARROW_PAGES_SETTING,
    ITEMS_BATCH_RECORDS,
    ROOT_SYSTEM_COLUMNS,
)
from sources.spruce.arrow.step import ArrowPages

__all__ = ["ITEMS_BATCH_RECORDS", "ROOT_SYSTEM_COLUMNS", "ArrowPages", "arrow_pages_enabled"]


def arrow_pages_enabled() -> bool:
    """Whether dlt's settings leave the Arrow path on (the default)."""
    value: object = dlt.config.get(ARROW_PAGES_SETTING)
    return value is None or str(value).lower() not in ("false", "0", "no")
