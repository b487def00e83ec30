"""``serve --apply-every``'s loop: a tick while a sync holds the pipeline is skipped, and
the events wait in the inbox for the next one; a tick with nothing pending opens nothing."""

from __future__ import annotations

from pathlib import Path

from pipelines.configuration.options import SyncOptions, pipeline_name_of
from pipelines.runner.destinations import pipelines_dir
from pipelines.runner.lock import pipeline_lock
from pipelines.runner.naming import named
from pipelines.webhooks.apply_loop import ApplyLoop
from tests.source.warehouse_reader import WarehouseReader
from tests.webhooks.applying import Events, at, contact, rows_of


def test_a_tick_while_the_pipeline_is_busy_is_skipped_then_applied(tmp_path: Path) -> None:
    options = named(SyncOptions(pipelines_dir=tmp_path / "pipelines",
                                duckdb_path=tmp_path / "warehouse.duckdb"))
    events = Events(tmp_path / "inbox.sqlite", options)
    events.store("contact.updated", contact("entity_5", "Waiting"), at(0))
    loop = ApplyLoop(options, events.inbox_path)

    with pipeline_lock(pipelines_dir(options), pipeline_name_of(options)):  # a sync runs
        loop.tick()
    assert (loop.skipped, loop.applied.events) == (1, 0)

    loop.tick()
    assert loop.applied.events == 1
    assert rows_of(WarehouseReader(options), "contacts", "entity_5", "given_name") == [
        ("Waiting",)]


def test_a_tick_with_nothing_pending_leaves_the_pipeline_and_warehouse_alone(
    tmp_path: Path,
) -> None:
    options = named(SyncOptions(pipelines_dir=tmp_path / "pipelines",
                                duckdb_path=tmp_path / "warehouse.duckdb"))
    events = Events(tmp_path / "inbox.sqlite", options)
    events.store("contact.updated", contact("entity_6", "Applied"), at(0))
    loop = ApplyLoop(options, events.inbox_path)
    loop.tick()
    options.duckdb_path.unlink()  # type: ignore[union-attr]

    with pipeline_lock(pipelines_dir(options), pipeline_name_of(options)):  # a sync runs
        loop.tick()

    assert (loop.skipped, loop.applied.events) == (0, 1)
    assert not options.duckdb_path.exists()  # type: ignore[union-attr]
