"""One pipeline (state, lock, working folder) per destination unless a profile names one,
and a PostgreSQL warehouse synced under the old shared name keeps its state."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from pipelines.configuration.options import SyncOptions
from pipelines.runner.status import pipeline_status
from simulator import Simulator
from tests.fixtures.postgres import with_password
from tests.source.test_sync_bar import sync


@pytest.fixture
def postgres_options(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SyncOptions:
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(postgres_dsn))
    return SyncOptions(destination="postgres", pipelines_dir=tmp_path / "pipelines")


@pytest.mark.postgres
def test_a_duckdb_and_a_postgres_profile_never_share_a_pipeline(
    simulator: Simulator, postgres_options: SyncOptions, duckdb_options: SyncOptions,
) -> None:  # fmt: skip
    for options in (duckdb_options, postgres_options):
        sync(simulator, options)
    names = {pipeline_status(options).pipeline_name for options in (duckdb_options,
                                                                     postgres_options)}
    assert names == {"spruce_sync", "spruce_sync_postgres"}
    folders = sorted(path.name for path in (duckdb_options.pipelines_dir or Path()).iterdir()
                     if path.is_dir())
    assert folders == ["spruce_sync", "spruce_sync_postgres"]


@pytest.mark.postgres
def test_a_postgres_warehouse_synced_under_the_old_name_keeps_its_state(
    simulator: Simulator, postgres_options: SyncOptions, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    before = sync(simulator, replace(postgres_options, pipeline_name="spruce_sync"))
    upgraded = replace(postgres_options, pipelines_dir=tmp_path / "fresh-machine")
    with caplog.at_level(logging.WARNING):
        after = sync(simulator, upgraded)
    assert after.conversation_cursor == before.conversation_cursor
    assert after.requests < before.requests / 4, "an incremental run, not a full re-sync"
    assert "keeping that name" in caplog.text
    assert pipeline_status(upgraded).pipeline_name == "spruce_sync"
