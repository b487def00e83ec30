"""Issue 14: rows/s of the CPU-bound load into PostgreSQL, before vs after, in one run.

Before: Python rows loaded as insert-values (the code before issue 14). After: the same
rows as Arrow tables (what the source's Arrow path hands dlt), loaded by csv and COPY.
Both go through the runner's own pipeline (`build_target`, `build_pipeline`,
`run_pipeline`, merge on ``id``) into a fresh database, each in a child process; no
simulator: the load is what is measured, from the first page to the last commit.
Needs the PostgreSQL server of the tests (``SPRUCE_SYNC_BENCH_PG_ADMIN_DSN``).

One load by hand: ``python -m benchmarks.scenarios.postgres_load MODE ROWS DSN FOLDER``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.figures import FigureRow, ScenarioReport, at_least, ratio
from benchmarks.harness import REPO_ROOT, RunResult
from benchmarks.measure import ProcessMeasurement, measure_process
from benchmarks.rounds import BenchContext
from benchmarks.run_spec import PipelineKind

ADMIN_DSN = os.environ.get(
    "SPRUCE_SYNC_BENCH_PG_ADMIN_DSN", "postgresql://postgres:unused@127.0.0.1:5432/postgres"
)
# 200k rows: PERF-NOTES' size for a load into PostgreSQL (~35 s before); 5k in --quick.
ROWS, QUICK_ROWS = 200_000, 5_000
PAGE_ROWS = 1_000  # a page of dlt items; 1,000 as the source's Arrow batches
MODES = ("copy", "insert_values")  # the columns ours (after) and baseline (before)
PIPELINE_OF: dict[str, PipelineKind] = {"copy": "ours", "insert_values": "baseline"}
GOAL_SPEEDUP = 3.0
TIMEOUT_SECONDS = 600.0


def item_rows(count: int) -> list[dict[str, Any]]:
    """Flat, item-like rows: ids, a text with commas, quotes, newlines and non-ASCII, a
    timestamp with an offset, a flag, a nullable field."""
    return [
        {"id": f"ti_{index:09d}", "conversation_id": f"tc_{index // 20:07d}",
         "text": f'Hello, "patient" {index}\nsee you at 9 — café 東京 {"x" * (index % 200)}',
         "created_at": f"2024-03-{1 + index % 28:02d}T10:{index % 60:02d}:00.123+05:30",
         "is_internal": index % 3 == 0, "author_id": None if index % 4 else f"ent_{index % 40}"}
        for index in range(count)
    ]  # fmt: skip


def pages(mode: str, rows: list[dict[str, Any]]) -> Iterator[Any]:
    """The rows in pages, as Arrow tables with the columns the source's Arrow path adds."""
    import dlt
    import pyarrow as pa
    from dlt.common.normalizers.utils import generate_dlt_ids

    for start in range(0, len(rows), PAGE_ROWS):
        page = rows[start:start + PAGE_ROWS]
        if mode == "insert_values":
            yield page
            continue
        table = pa.Table.from_pylist(page)
        load_id = dlt.current.load_package_state()["load_id"]
        yield table.append_column("_dlt_id", pa.array(generate_dlt_ids(len(page)))).append_column(
            "_dlt_load_id", pa.array([load_id] * len(page)))


def load(mode: str, count: int, dsn: str, folder: Path) -> float:
    """Seconds of one load of ``count`` rows in ``mode`` through the runner's pipeline."""
    import dlt

    from pipelines.configuration.options import SyncOptions
    from pipelines.runner.destinations import build_target
    from pipelines.runner.pipeline import build_pipeline, run_pipeline

    os.environ["DESTINATION__POSTGRES__CREDENTIALS"] = dsn
    options = SyncOptions(destination="postgres", pipelines_dir=folder)
    target = build_target(options)
    if mode == "insert_values":
        target = replace(target, loader_file_format="insert_values")
    rows = item_rows(count)
    resource = dlt.resource(pages(mode, rows), name="conversation_items", primary_key="id",
                            write_disposition="merge",
                            columns={"created_at": {"data_type": "timestamp"}})

    def spruce() -> Any:
        return resource

    started = time.perf_counter()
    run_pipeline(build_pipeline(options, target), dlt.source(spruce)(), target, refresh=False)
    return time.perf_counter() - started


@dataclass(frozen=True)
class PostgresLoad:
    name: str = "postgres_load"
    title: str = "9. CPU-bound load into PostgreSQL"

    def run(self, context: BenchContext) -> ScenarioReport:
        count = QUICK_ROWS if context.quick else ROWS
        seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
        report = ScenarioReport(self.name, self.title, {"rows": count, "page_rows": PAGE_ROWS})
        for round_index in range(1 if context.quick else context.repeats):
            for mode in MODES:
                folder = context.root / self.name / f"{mode}-{round_index}"
                run, load_seconds = _measured_load(mode, count, folder, round_index)
                report.runs.append(run)
                seconds[mode].append(load_seconds)
        report.figures = _figures(count, seconds)
        report.notes = ["ours: Arrow tables by csv/COPY; baseline: rows by insert-values"]
        return report


def _measured_load(
    mode: str, count: int, folder: Path, round_index: int
) -> tuple[RunResult, float]:
    """One load in a child process, into a database made for it and dropped after: the
    process's figures, and the seconds of the load alone (imports left out)."""
    import psycopg2

    database = f"spruce_bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{database}"')
    try:
        folder.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", __name__, mode, str(count),
                ADMIN_DSN.rsplit("/", 1)[0] + f"/{database}", str(folder)]
        environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        measured = measure_process(argv, environment, TIMEOUT_SECONDS)
        if measured.returncode:
            raise RuntimeError(f"{mode} load failed: {measured.stderr_tail}")
        load_seconds = float(json.loads((folder / "seconds.json").read_text()))
        return _run_result(mode, count, measured, round_index), load_seconds
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def _run_result(
    mode: str, count: int, measured: ProcessMeasurement, round_index: int
) -> RunResult:
    """The load as one run of the results file (no requests: no simulator)."""
    return RunResult(
        pipeline=PIPELINE_OF[mode], label=f"{mode} #{round_index + 1}", ok=True,
        wall_seconds=measured.wall_seconds, cpu_seconds=measured.cpu_seconds,
        peak_rss_mb=measured.peak_rss_mb, requests=0, throttled=0, bad_requests=0,
        neighbour_requests=0, requests_by_operation={}, rows={"conversation_items": count},
        records=count, duckdb_path="",
    )


def _figures(count: int, seconds: dict[str, list[float]]) -> list[FigureRow]:
    wall = [sorted(seconds[mode])[len(seconds[mode]) // 2] for mode in MODES]
    speed = [count / value for value in wall]
    speedup = ratio(speed[0], speed[1])
    return [
        FigureRow.of("load s (median)", wall),
        FigureRow.of("rows/s into PostgreSQL", speed),
        FigureRow("rows/s: COPY of Arrow / insert-values of rows", speedup,
                  goal=f">= {GOAL_SPEEDUP}x", met=at_least(speedup, GOAL_SPEEDUP)),
    ]  # fmt: skip


if __name__ == "__main__":
    mode_arg, count_arg, dsn_arg, folder_arg = sys.argv[1:5]
    took = load(mode_arg, int(count_arg), dsn_arg, Path(folder_arg))
    (Path(folder_arg) / "seconds.json").write_text(json.dumps(took))
