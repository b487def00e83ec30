"""Fixtures of the source's end-to-end tests: a destination (DuckDB file or a fresh
PostgreSQL database), the options of a run into it, and a reader of what was loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.configuration.options import SyncOptions
from tests.fixtures.destinations import DESTINATIONS, DestinationName
from tests.fixtures.postgres import with_password
from tests.source.warehouse_reader import WarehouseReader

# A first-sync window longer than the simulator's history: one window per run, so the
# tests stay fast; windowing itself has its own test with a short window.


@pytest.fixture(params=DESTINATIONS)
def destination(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> DestinationName:
    """Each end-to-end test runs once into DuckDB and once into PostgreSQL."""
    name: DestinationName = request.param
    if name == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")
        monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(dsn))
    return name


@pytest.fixture
def options(destination: DestinationName, tmp_path: Path) -> SyncOptions:
    """Options of a run into the test's destination, with the documented defaults."""
    return SyncOptions(
        destination=destination,
        pipelines_dir=tmp_path / "pipelines",
        duckdb_path=tmp_path / "warehouse.duckdb",
    )


@pytest.fixture
def duckdb_options(tmp_path: Path) -> SyncOptions:
    """Options of a DuckDB run, for behaviour that does not depend on the destination."""
    return SyncOptions(
        pipelines_dir=tmp_path / "pipelines",
        duckdb_path=tmp_path / "warehouse.duckdb",
    )


@pytest.fixture
def duckdb_warehouse(duckdb_options: SyncOptions) -> Iterator[WarehouseReader]:
    reader = WarehouseReader(duckdb_options)
    yield reader
    reader.close()


@pytest.fixture
def warehouse(options: SyncOptions) -> Iterator[WarehouseReader]:
    reader = WarehouseReader(options)
    yield reader
    reader.close()


def ids(records: list[dict[str, Any]], key: str = "id") -> set[str]:
    return {record[key] for record in records}
