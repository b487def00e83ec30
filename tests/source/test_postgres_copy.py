"""PostgreSQL by COPY: tricky values round-trip exactly whatever dlt is handed (Arrow tables
or Python rows), a re-sync merges, and a warehouse loaded by insert-values goes on loading.

Runs the runner's own pipeline (`build_target`, `build_pipeline`, `run_pipeline`) on small
resources of this module, so that it does not depend on which items the source yields.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pytest
from dlt.common.schema.typing import TFileFormat
from dlt.extract.source import DltSource

from pipelines.configuration.options import SyncOptions
from pipelines.runner.destinations import Target, build_target
from pipelines.runner.pipeline import build_pipeline, run_pipeline
from tests.fixtures.postgres import with_password
from tests.reliability.warehouse import PostgresWarehouse

pytestmark = pytest.mark.postgres

TRICKY_TEXTS = [
    "",  # an empty text is not NULL
    None,
    'commas, "quotes", \\N and a backslash \\',
    "lines\nand\r\nreturns\r",
    "Thanks! 👩🏽‍⚕️💊 naïve café 東京",
    "before\x00after",  # PostgreSQL text cannot hold NUL: dropped, as insert-values does
]
# What each text reads back as: NUL dropped, the rest unchanged.
STORED_TEXTS = [None if text is None else text.replace("\x00", "") for text in TRICKY_TEXTS]
SENT_AT = ["2024-03-01T10:00:00.123+05:30", None, "2024-03-01T04:30:00Z", "1999-12-31T23:59:59-08:00",
           "2024-02-29T00:00:00.000001+00:00", "2024-03-01T10:00:00+00:00"]  # fmt: skip
READ = [True, False, None, True, False, True]
# Not the NUL text: jsonb refuses \u0000 whichever loader sends it (a limit of PostgreSQL).
JSON_VALUE = {"note": 'a, "b"\r\n 東京', "n": [1, None], "empty": ""}


def _columns() -> dict[str, list[Any]]:
    ids = [f"msg_{index}" for index in range(len(TRICKY_TEXTS))]
    return {"id": ids, "text": TRICKY_TEXTS, "sent_at": SENT_AT, "read": READ}


def _arrow_page() -> pa.Table:
    columns = _columns()
    sent_at = pa.array(columns.pop("sent_at"), pa.string()).cast(pa.timestamp("us", "UTC"))
    return pa.table({**columns, "sent_at": sent_at})


def _row_page() -> list[dict[str, Any]]:
    columns = _columns()
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    for row in rows:  # a child table and a JSON column, which only rows have
        row["tags"] = [{"name": row["text"]}, {"name": "b"}]
        row["extra"] = JSON_VALUE
    return rows


def with_system_columns(table: pa.Table) -> pa.Table:
    """``_dlt_id`` and ``_dlt_load_id``, as the source's Arrow path adds them: dlt's csv
    header names every column of the table, so an Arrow table into a table that rows made
    must carry them (dlt 1.31 adds missing columns as nulls, but not these)."""
    load_id = dlt.current.load_package_state()["load_id"]
    ids = [f"row-{index}" for index in range(table.num_rows)]
    return table.append_column("_dlt_id", pa.array(ids)).append_column(
        "_dlt_load_id", pa.array([load_id] * table.num_rows))


@dlt.source(name="copy_check")
def messages(kind: str, file_format: TFileFormat | None) -> Any:
    page = _arrow_page() if kind == "arrow" else _row_page()

    forced: dict[str, Any] = {"file_format": file_format} if file_format else {}

    @dlt.resource(primary_key="id", write_disposition="merge", **forced,
                  columns={"extra": {"data_type": "json"}, "sent_at": {"data_type": "timestamp"}})
    def message() -> Any:
        yield with_system_columns(page) if kind == "arrow" else page

    return message


def _run(options: SyncOptions, target: Target, source: DltSource) -> list[str]:
    """One run of the runner's pipeline; the formats of the files it loaded."""
    pipeline = build_pipeline(options, target)
    info = run_pipeline(pipeline, source, target, refresh=False)
    jobs = [job for package in info.load_packages for job in package.jobs["completed_jobs"]]
    return sorted({job.job_file_info.file_format for job in jobs  # not the merge's SQL
                   if job.job_file_info.table_name == "message"} - {"sql"})  # fmt: skip


@pytest.fixture
def options(postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SyncOptions:
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(postgres_dsn))
    return SyncOptions(destination="postgres", pipelines_dir=tmp_path / "pipelines")


def _loaded(postgres_dsn: str, options: SyncOptions) -> PostgresWarehouse:
    return PostgresWarehouse(postgres_dsn, options.dataset_name)


@pytest.mark.parametrize(
    ("kind", "file_format", "expected_formats", "empty_text"),
    [
        pytest.param("arrow", None, ["csv"], "", id="arrow-by-copy"),
        pytest.param("rows", None, ["insert_values"], "", id="rows-by-insert-values"),
        # Rows forced to csv: dlt's row writer writes None and "" alike, so "" is NULL.
        pytest.param("rows", "csv", ["csv"], None, id="rows-forced-to-csv"),
    ],
)
def test_tricky_values_round_trip_and_a_resync_merges(
    options: SyncOptions, postgres_dsn: str, kind: str, file_format: TFileFormat | None,
    expected_formats: list[str], empty_text: str | None,
) -> None:  # fmt: skip
    target = build_target(options)
    for _ in range(2):
        assert _run(options, target, messages(kind, file_format)) == expected_formats

    rows = sorted(_loaded(postgres_dsn, options).rows("message"), key=lambda row: row["id"])
    assert [row["text"] for row in rows] == [empty_text, *STORED_TEXTS[1:]]
    assert [row["read"] for row in rows] == READ
    # Aware datetimes compare as instants, whatever offset the text was written with.
    assert [row["sent_at"] for row in rows] == _arrow_page().column("sent_at").to_pylist()


def test_rows_keep_their_child_table_and_json_column(
    options: SyncOptions, postgres_dsn: str
) -> None:
    target = build_target(options)
    _run(options, target, messages("rows", None))
    _run(options, target, messages("rows", None))

    warehouse = _loaded(postgres_dsn, options)
    assert len(warehouse.rows("message__tags")) == 2 * len(TRICKY_TEXTS)
    assert [row["extra"] for row in warehouse.rows("message")] == [JSON_VALUE] * len(TRICKY_TEXTS)


def test_a_warehouse_loaded_by_insert_values_goes_on_loading_arrow_by_copy(
    options: SyncOptions, postgres_dsn: str
) -> None:
    """The code before issue 14 ran every PostgreSQL load as insert-values, which dlt
    stores as a hint on each table; the next run must load Arrow by COPY all the same."""
    today = replace(build_target(options), loader_file_format="insert_values")
    assert _run(options, today, messages("rows", None)) == ["insert_values"]

    assert _run(options, build_target(options), messages("arrow", None)) == ["csv"]

    rows = _loaded(postgres_dsn, options).rows("message")
    assert sorted(row["id"] for row in rows) == [f"msg_{i}" for i in range(len(TRICKY_TEXTS))]
    assert {row["id"]: row["text"] for row in rows}["msg_0"] == ""
