"""Read back what a sync loaded, the same way on DuckDB and PostgreSQL (dlt's SQL client)."""

from __future__ import annotations

from typing import Any

import dlt

from pipelines.configuration.options import SyncOptions, pipeline_name_of
from pipelines.runner.destinations import build_target, pipelines_dir


class WarehouseReader:
    """Queries the dataset of ``options`` through the pipeline's SQL client."""

    def __init__(self, options: SyncOptions) -> None:
        self.options = options
        self._pipeline: dlt.Pipeline | None = None

    @property
    def pipeline(self) -> dlt.Pipeline:
        if self._pipeline is None:
            self._pipeline = dlt.pipeline(
                pipeline_name=f"{pipeline_name_of(self.options)}_reader",
                pipelines_dir=str(pipelines_dir(self.options)),
                destination=build_target(self.options).destination,
                dataset_name=self.options.dataset_name,
            )
        return self._pipeline

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """``sql`` with ``{table}`` names qualified: ``query("SELECT id FROM {contacts}")``."""
        with self.pipeline.sql_client() as client:
            names = _TableNames(client)
            return [tuple(row) for row in client.execute_sql(sql.format_map(names), *args) or ()]

    def column(self, table: str, column: str) -> list[Any]:
        return [row[0] for row in self.query(f"SELECT {column} FROM {{{table}}}")]

    def columns(self, table: str) -> dict[str, str]:
        """Column name -> data type of ``table``."""
        rows = self.query(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s",
            self.options.dataset_name, table,
        )
        return {name: kind.lower() for name, kind in rows}

    def table_counts(self) -> dict[str, int]:
        """Rows of every data table of the dataset (child tables included)."""
        tables = self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            self.options.dataset_name,
        )
        names = sorted(name for (name,) in tables if not name.startswith("_dlt"))
        return {name: self.query(f"SELECT count(*) FROM {{{name}}}")[0][0] for name in names}

    def close(self) -> None:
        self._pipeline = None


class _TableNames(dict[str, str]):
    def __init__(self, client: Any) -> None:
        super().__init__()
        self._client = client

    def __missing__(self, table: str) -> str:
        return str(self._client.make_qualified_table_name(table))
