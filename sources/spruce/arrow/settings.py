"""Constants of the Arrow path: dlt's system columns and the size of a converted batch."""

from __future__ import annotations

from dlt.common.schema.typing import TColumnSchema

# dlt's system columns, under the names its snake_case convention gives them.
ROW_ID = "_dlt_id"
LOAD_ID = "_dlt_load_id"
# The name dlt gives an empty key.
EMPTY_KEY = "_empty"

# The hints dlt's normalizer gives a root table's system columns (its schema's
# ``default_hints``, which Arrow columns do not get): the merge finds a root row's key
# (``row_key``) to delete the child rows of a reloaded record.
ROOT_SYSTEM_COLUMNS: dict[str, TColumnSchema] = {
    LOAD_ID: {"name": LOAD_ID, "data_type": "text", "nullable": False},
    ROW_ID: {"name": ROW_ID, "data_type": "text", "nullable": False, "unique": True,
             "row_key": True},
}
# Items converted to Arrow at once: they come as one batch per conversation (about 20
# at the CPU benchmark's scale) and every Arrow table costs dlt a schema merge, so the
# items of a conversations page are gathered up to this many (a few MB of rows).
ITEMS_BATCH_RECORDS = 5_000
# The dlt setting that turns the Arrow path off (``SOURCES__SPRUCE__ARROW_PAGES=false``).
ARROW_PAGES_SETTING = "sources.spruce.arrow_pages"
