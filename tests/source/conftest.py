"""Fixtures of the source's end-to-end tests: a destination (DuckDB file or a fresh
PostgreSQL database), the options of a run into it, and a reader of what was loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.options import SyncOptions
from tests.source.warehouse_reader import WarehouseReader

# A first-sync window longer than the simulator's history: one window per run, so the
# tests stay fast; windowing itself has its own test with a short window.


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def destination(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each end-to-end test runs once into DuckDB and once into PostgreSQL."""
    if request.param == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")
        # dlt's Postgres credentials require a password; trust auth ignores it.
        monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_placeholder_password(dsn))
    return str(request.param)


def with_placeholder_password(dsn: str) -> str:
    scheme, rest = dsn.split("://", 1)
    user, host = rest.split("@", 1)
    return dsn if ":" in user else f"{scheme}://{user}:unused@{host}"


@pytest.fixture
def options(destination: str, tmp_path: Path) -> SyncOptions:
    """Options of a run into the test's destination, with the documented defaults."""
    return SyncOptions(
        destination=destination,  # type: ignore[arg-type]
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
