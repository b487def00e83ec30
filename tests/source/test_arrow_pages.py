"""The Arrow path of conversation items: same warehouse as the dict path, same merge.

A warehouse made by the dict path (``SOURCES__SPRUCE__ARROW_PAGES=false``, the code as
it was) is synced on by the Arrow path and equals the ground truth, column for column;
an item reloaded without its attachments loses its child rows, not duplicates them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines.configuration.options import SyncOptions
from simulator import Simulator
from sources.spruce import ARROW_RESOURCES
from sources.spruce.arrow import ROOT_SYSTEM_COLUMNS, ArrowPages
from tests.source.test_sync_bar import (
    assert_equals_ground_truth,
    assert_values_and_child_rows,
    sync,
)
from tests.source.warehouse_reader import WarehouseReader

CHANGES = {"new_items": 30, "new_conversations": 3, "new_contacts": 2}


def test_a_warehouse_loaded_by_the_dict_path_keeps_loading_on_the_arrow_path(
    simulator: Simulator, options: SyncOptions, warehouse: WarehouseReader,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCES__SPRUCE__ARROW_PAGES", "false")
    sync(simulator, options)
    before = {table: warehouse.columns(table) for table in warehouse.table_counts()}
    simulator.advance(CHANGES)
    monkeypatch.delenv("SOURCES__SPRUCE__ARROW_PAGES")

    sync(simulator, options)

    assert {table: warehouse.columns(table) for table in warehouse.table_counts()} == before
    assert_equals_ground_truth(warehouse, simulator)
    assert_values_and_child_rows(warehouse, simulator)
    truth = simulator.ground_truth()["conversation_items"]
    attachments = warehouse.query(
        "SELECT i.id, a._dlt_list_idx FROM {conversation_items__attachments} a"
        " JOIN {conversation_items} i ON a._dlt_root_id = i._dlt_id"
    )
    assert warehouse.query("SELECT count(*) FROM {conversation_items__attachments}")[0][0] == len(
        attachments
    )
    assert sorted(attachments) == sorted(
        (item["id"], index) for item in truth for index, _ in enumerate(item["attachments"])
    )


def _item(attachments: list[dict[str, Any]], modified: str) -> dict[str, Any]:
    return {"id": "ti_1", "text": "hello", "modifiedAt": modified,
            "createdAt": "2026-01-01T00:00:00Z", "attachments": attachments}  # fmt: skip


@dlt.resource(name="conversation_items", write_disposition="merge", primary_key="id",
              columns={"modified_at": {"dedup_sort": "desc"}, **ROOT_SYSTEM_COLUMNS})
def _items(page: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    yield page


@pytest.mark.parametrize("loses", ["one", "all"])
def test_an_item_reloaded_with_fewer_attachments_keeps_only_those(
    tmp_path: Path, loses: str
) -> None:
    """The first version has child rows (dlt's normalizer); the second takes the Arrow
    path when it has none: dlt's merge must still delete the old child rows."""
    pipeline = dlt.pipeline("arrow_merge", destination=dlt.destinations.duckdb(
        str(tmp_path / "merge.duckdb")), dataset_name="spruce", pipelines_dir=str(tmp_path))
    two = [{"type": "image", "title": "a"}, {"type": "image", "title": "b"}]
    left = [] if loses == "all" else two[:1]
    for version, attachments in enumerate((two, left)):
        resource = _items([_item(attachments, f"2026-01-0{version + 1}T00:00:00Z")])
        resource.add_step(ArrowPages(resource.compute_table_schema()))
        pipeline.run(resource, loader_file_format="parquet")

    with pipeline.sql_client() as client:
        titles = client.execute_sql("SELECT title FROM conversation_items__attachments") or []
        items = client.execute_sql("SELECT id, modified_at FROM conversation_items") or []
    assert sorted(title for (title,) in titles) == [entry["title"] for entry in left]
    assert len(items) == 1


def test_only_the_items_take_the_arrow_path() -> None:
    assert ARROW_RESOURCES == {"conversation_items"}
