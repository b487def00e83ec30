"""Rows 16-22: the run is killed, stopped, robbed of its folder or its destination, or
started twice. The run under test is a real ``spruce-sync run`` process."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from pipelines.runner.failures import ExitCode
from simulator import FaultSettings
from tests.fixtures.destinations import DESTINATIONS
from tests.reliability.conftest import StartSimulator, SyncHarness
from tests.reliability.processes import SyncProcess, pending_packages, phase
from tests.reliability.warehouse import duplicate_ids

# Slows every answer so that the extract step lasts long enough to be interrupted.
SLOW = FaultSettings(latency_seconds=0.1)
KILLED = -signal.SIGKILL


def start_and_wait_for(harness: SyncHarness, step: str, name: str = "sync") -> SyncProcess:
    """A CLI run, returned once dlt's folder shows it in ``step`` (fails if it never is)."""
    process = harness.cli("run", name=name).start()
    reached = process.wait_until(lambda: phase(harness.pipeline_dir) == step)
    assert reached, f"the run ended before its {step} step:\n{process.output()}"
    return process


@pytest.fixture
def changed_since_baseline(harness: SyncHarness) -> SyncHarness:
    """A loaded baseline, then new data in the simulator, answered slowly."""
    harness.run()
    harness.simulator.advance({"new_items": 6, "new_conversations": 2, "edited_contacts": 2})
    harness.simulator.set_faults(SLOW)
    return harness


def test_row16_sigkill_during_extract_leaves_the_cursor_and_the_next_run_catches_up(
    changed_since_baseline: SyncHarness,
) -> None:
    harness = changed_since_baseline
    before = (harness.stored_states(), harness.load_ids())

    process = start_and_wait_for(harness, "extract")
    process.send(signal.SIGKILL)

    assert process.wait() == KILLED
    assert (harness.stored_states(), harness.load_ids()) == before
    harness.run()
    assert harness.differences() == []


def test_row17_sigkill_during_normalize_the_next_run_loads_the_package_then_new_data(
    changed_since_baseline: SyncHarness,
) -> None:
    """The package of the killed run is loaded first, then what changed since is extracted."""
    harness = changed_since_baseline

    process = start_and_wait_for(harness, "normalize")
    process.send(signal.SIGKILL)

    assert process.wait() == KILLED
    pending = pending_packages(harness.pipeline_dir)
    assert len(pending) == 1
    harness.simulator.advance({"new_items": 3})
    summary = harness.run()
    assert pending[0] in harness.load_ids() and summary.load_ids[-1] != pending[0]
    assert harness.differences() == []


def test_row18_sigkill_during_load_duplicates_nothing(changed_since_baseline: SyncHarness) -> None:
    harness = changed_since_baseline

    process = start_and_wait_for(harness, "load")
    process.send(signal.SIGKILL)

    assert process.wait() == KILLED
    harness.run()
    assert duplicate_ids(harness.warehouse.rows("_dlt_loads"), "load_id") == {}
    assert harness.differences() == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_row19_sigterm_or_ctrl_c_stops_at_a_safe_point(
    changed_since_baseline: SyncHarness, signum: signal.Signals
) -> None:
    harness = changed_since_baseline
    before = (harness.stored_states(), harness.load_ids())

    process = start_and_wait_for(harness, "extract")
    process.send(signum)

    assert process.wait() == ExitCode.INTERRUPTED, process.output()
    # Safe points: before the load (nothing changed), or on a busy machine where the signal
    # lands after dlt's last check of the load, right after that whole load.
    after = (harness.stored_states(), harness.load_ids())
    assert after == before or after[1][:-1] == before[1], process.output()
    assert "Traceback" not in process.output()
    harness.run()
    assert harness.differences() == []


@pytest.mark.parametrize("destination", DESTINATIONS, indirect=True)
def test_row20_a_deleted_pipeline_folder_is_restored_from_the_destination(
    harness: SyncHarness,
) -> None:
    harness.run()
    harness.simulator.advance({"new_items": 3})
    shutil.rmtree(harness.pipeline_dir)
    harness.simulator.reset_counters()

    summary = harness.run()

    conversations = len(harness.simulator.ground_truth()["conversations"])
    item_listings = harness.simulator.counters().by_operation.get("ConversationItems", 0)
    assert item_listings < conversations, "the items were extracted all over again"
    assert summary.rows_per_table["conversations"] < conversations
    assert harness.differences() == []


def test_row21_postgres_down_is_a_destination_error_before_any_request(
    harness: SyncHarness,
) -> None:
    down = "postgresql://postgres:unused@127.0.0.1:1/nowhere"

    process = harness.cli("run", "--destination", "postgres", DESTINATION__POSTGRES__CREDENTIALS=down)

    assert process.start().wait() == ExitCode.DESTINATION, process.output()
    assert "unused" not in process.output()
    assert harness.simulator.request_log.arrivals == 0


def test_row21_a_locked_duckdb_file_is_a_destination_error_before_any_request(
    harness: SyncHarness, duckdb_locker: DuckDBLocker
) -> None:
    duckdb_locker.lock()

    process = harness.cli("run").start()

    assert process.wait() == ExitCode.DESTINATION, process.output()
    assert "another process" in process.output().lower() or "lock" in process.output().lower()
    assert harness.simulator.request_log.arrivals == 0


def test_row21_the_run_holds_its_duckdb_file_so_no_process_locks_it_mid_run(
    harness: SyncHarness,
) -> None:
    """One connection for the whole run: another process can no longer take the file
    between two load jobs and fail the run's load half-way."""
    harness.simulator.set_faults(SLOW)
    process = start_and_wait_for(harness, "extract")

    assert not DuckDBLocker(harness).try_lock(), "the file was free in the middle of a run"
    assert process.wait() == ExitCode.SUCCESS, process.output()
    assert pending_packages(harness.pipeline_dir) == []
    assert harness.differences() == []


def test_row22_a_second_instance_refuses_at_once_without_a_request(
    harness: SyncHarness, start_simulator: StartSimulator
) -> None:
    harness.simulator.set_faults(SLOW)
    first = start_and_wait_for(harness, "extract", name="first")
    elsewhere = start_simulator()

    second = harness.cli("run", "--base-url", elsewhere.base_url, name="second").start()

    assert second.wait() == ExitCode.BUSY, second.output()
    assert "in progress" in second.output()
    assert elsewhere.request_log.arrivals == 0
    assert first.wait() == ExitCode.SUCCESS, first.output()


class DuckDBLocker:
    """Another process holding the harness's DuckDB file open for writing."""

    def __init__(self, harness: SyncHarness) -> None:
        self.path = harness.options().duckdb_path
        self.process: subprocess.Popen[str] | None = None

    def lock(self) -> None:
        """Open the file in another process, retrying while the sync holds it."""
        script = (
            "import duckdb, sys, time\n"
            "while True:\n"
            "    try:\n"
            f"        c = duckdb.connect({str(self.path)!r}); break\n"
            "    except duckdb.IOException:\n"
            "        time.sleep(0.01)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdout.readline() == "locked\n"

    def try_lock(self) -> bool:
        """One attempt to open the file from another process; True when it opened."""
        script = f"import duckdb\nduckdb.connect({str(self.path)!r}).close()\n"
        attempt = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, timeout=60, check=False
        )
        return attempt.returncode == 0

    def release(self) -> None:
        if self.process is not None:
            self.process.communicate("", timeout=30)
            self.process = None


@pytest.fixture
def duckdb_locker(harness: SyncHarness) -> Iterator[DuckDBLocker]:
    locker = DuckDBLocker(harness)
    yield locker
    locker.release()
