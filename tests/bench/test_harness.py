"""The pieces of the benchmark harness, each against real parts at the tiny scale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.harness import Workspace, measured_run
from benchmarks.measure import measure_process
from benchmarks.request_floor import ListingSnapshot, change_floor, pages_needed, request_ratio
from benchmarks.run_spec import PipelineKind
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.warehouse import id_mismatches, row_counts

# Linux carries the parent's resident size into a forked child's peak, so the measuring
# parent must be small, as scripts/bench.py is: the test measures from a fresh interpreter
# rather than from pytest, whose size depends on every test that ran before.
MEASURE_FROM_A_SMALL_PARENT = (
    "import sys; from benchmarks.measure import measure_process; "
    "run = measure_process([sys.executable, '-c', sys.argv[1]], {}, 60); "
    "print(run.returncode, run.peak_rss_mb)"
)


@pytest.mark.parametrize("megabytes", [64, 256])
def test_measure_process_reports_the_childs_own_peak_rss(megabytes: int) -> None:
    touch_every_page = f"b = bytearray({megabytes} * 2**20); b[::4096] = b'x' * len(b[::4096])"
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE_FROM_A_SMALL_PARENT, touch_every_page],
        capture_output=True, text=True, timeout=120, check=True, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    returncode, peak_rss_mb = measured.stdout.split()
    assert int(returncode) == 0
    assert megabytes <= float(peak_rss_mb) < megabytes + 64


def test_measure_process_keeps_the_error_of_a_failed_child() -> None:
    measured = measure_process([sys.executable, "-c", "raise SystemExit('no such table')"], {}, 60)
    assert measured.returncode == 1
    assert "no such table" in measured.stderr_tail


def test_measure_process_kills_a_run_past_its_time_limit_and_says_so() -> None:
    measured = measure_process([sys.executable, "-c", "import time; time.sleep(60)"], {}, 1)
    assert measured.returncode < 0
    assert "time limit" in measured.stderr_tail


@pytest.mark.parametrize(
    ("records", "page_size", "requests"),
    [(0, 200, 1), (1, 200, 1), (200, 200, 1), (201, 200, 2), (1000, 500, 2), (999, None, 1)],
)
def test_a_listing_needs_one_request_per_full_page_and_at_least_one(
    records: int, page_size: int | None, requests: int
) -> None:
    assert pages_needed(records, page_size) == requests


def test_the_change_floor_counts_only_conversations_that_moved_and_their_new_items() -> None:
    before = ListingSnapshot({"ListContacts": 2}, {"t_1": ("a", 5), "t_2": ("a", 450)})
    after = ListingSnapshot(
        {"ListContacts": 2}, {"t_1": ("a", 5), "t_2": ("b", 451), "t_3": ("c", 201)}
    )
    floor = change_floor(before, after)
    assert floor == {"ListContacts": 2, "ListConversations": 1, "ConversationItems": 1 + 2}
    assert (
        request_ratio({"ListContacts": 2, "ListConversations": 1, "Organization": 1}, floor)
        == 4 / 3
    )


def _table_of_ids(path: Path, ids: list[str]) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA spruce")
        for table in ("contacts", "conversations", "conversation_items"):
            connection.execute(f"CREATE TABLE spruce.{table} (id VARCHAR)")
        connection.executemany("INSERT INTO spruce.conversations VALUES (?)", [[i] for i in ids])
    return path


def test_id_mismatches_counts_ids_missing_on_either_side(tmp_path: Path) -> None:
    left = _table_of_ids(tmp_path / "left.duckdb", ["t_1", "t_2", "t_3"])
    right = _table_of_ids(tmp_path / "right.duckdb", ["t_2", "t_3", "t_4", "t_5"])
    assert id_mismatches(left, right) == {
        "contacts": 0,
        "conversations": 3,
        "conversation_items": 0,
    }


@pytest.mark.parametrize("pipeline", ["baseline", "baseline_sequential", "raw"])
def test_a_full_sync_makes_the_fewest_requests_and_loads_the_ground_truth(
    bench_simulator: SimulatorProcess, tmp_path: Path, pipeline: PipelineKind
) -> None:
    snapshot = bench_simulator.listing_snapshot()
    run = measured_run(bench_simulator, Workspace(pipeline, tmp_path), "full")
    assert run.ok, run.error
    assert run.bad_requests == 0
    assert request_ratio(run.requests_by_operation, snapshot.full_sync_floor) == 1.0
    conversations, items = (
        len(snapshot.conversation_marks),
        sum(count for _, count in snapshot.conversation_marks.values()),
    )
    assert run.rows["conversations"] == conversations
    assert run.rows["conversation_items"] == items
    assert run.peak_rss_mb > 0 and run.cpu_seconds > 0
    assert (run.retries, run.timeout_retries) == (None, None)  # only ours counts its own


def test_ours_reports_its_retries_to_the_harness(
    bench_simulator: SimulatorProcess, tmp_path: Path
) -> None:
    run = measured_run(bench_simulator, Workspace("ours", tmp_path), "full")
    assert run.ok, run.error
    assert (run.retries, run.timeout_retries) == (0, 0)


def test_both_baselines_and_the_raw_bound_load_the_same_ids_and_rows(
    bench_simulator: SimulatorProcess, tmp_path: Path
) -> None:
    compared: tuple[PipelineKind, ...] = ("baseline", "baseline_sequential", "raw")
    runs = [
        measured_run(bench_simulator, Workspace(pipeline, tmp_path / pipeline), "full")
        for pipeline in compared
    ]
    assert all(run.ok for run in runs), [run.error for run in runs]
    baseline, sequential, raw = (Path(run.duckdb_path) for run in runs)
    for other in (sequential, raw):
        assert id_mismatches(baseline, other) == {
            "contacts": 0,
            "conversations": 0,
            "conversation_items": 0,
        }
        # dlt renames columns and child tables to snake_case; the raw bound keeps the API's.
        assert sorted(row_counts(baseline).values()) == sorted(row_counts(other).values())
