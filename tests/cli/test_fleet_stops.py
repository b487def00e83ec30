"""``spruce-sync fleet run`` stopped part-way: by the scheduler's SIGTERM, or by one
organization's worker process dying (the kernel's OOM killer sends SIGKILL). Either way
the command answers for every organization, one JSON line each, and a stop starts none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from pipelines.fleet.fleet_file import token_variable
from pipelines.runner.failures import ExitCode
from simulator import FaultSettings, FleetSimulator, seeded_fleet
from tests.cli.conftest import json_lines
from tests.fleet.conftest import write_fleet

# Answers this slow keep each organization's sync running for many seconds.
SLOW_ANSWER_S = 0.5
# A hang guard: stopping takes the running syncs' next safe point and the workers' exit;
# the crash test also runs the last two organizations (seconds each).
ENDED_WITHIN_S = 180


@dataclass
class SlowFleetRun:
    """``fleet run --json`` (two workers) over four slow organizations, under way."""

    simulator: FleetSimulator
    command: subprocess.Popen[str]

    def wait_for_the_first_request(self) -> None:
        first = self.simulator.organization(self.simulator.slugs[0])
        while not first.counters().total_requests:
            assert self.command.poll() is None, self.command.communicate()
            time.sleep(0.05)

    def requests_of(self, slug: str) -> int:
        return self.simulator.organization(slug).counters().total_requests

    def workers(self) -> list[int]:
        """The pids of the command's pool workers (not multiprocessing's resource tracker)."""
        children = Path(f"/proc/{self.command.pid}/task/{self.command.pid}/children")
        return [int(pid) for pid in children.read_text().split()
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]  # fmt: skip


@pytest.fixture
def slow_fleet_run(tmp_path: Path) -> Iterator[SlowFleetRun]:
    slow = FaultSettings(latency_seconds=SLOW_ANSWER_S)
    fleet = {slug: replace(settings, faults=slow)
             for slug, settings in seeded_fleet(4, "tiny").items()}  # fmt: skip
    simulator = FleetSimulator(fleet)
    fleet_file = write_fleet(tmp_path, list(simulator.slugs), {})  # two at a time
    tokens = {token_variable(slug): simulator.organization(slug).token for slug in simulator.slugs}
    with simulator.running() as base_url:
        command = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "fleet", "run", "--fleet", str(fleet_file),
             "--base-url", base_url, "--json"],
            env={**os.environ, **tokens}, cwd=tmp_path, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            yield SlowFleetRun(simulator, command)
        finally:
            if command.poll() is None:
                command.kill()
                command.communicate()


def test_sigterm_stops_fleet_run_without_starting_the_organizations_still_queued(
    slow_fleet_run: SlowFleetRun,
) -> None:
    """A scheduler's SIGTERM reaches only the command: the running organizations stop at a
    safe point, the queued ones never start, and the exit code says interrupted; --json
    still gives one line per organization, saying which."""
    first, second, third, last = slow_fleet_run.simulator.slugs
    slow_fleet_run.wait_for_the_first_request()
    slow_fleet_run.command.send_signal(signal.SIGTERM)
    stdout, stderr = slow_fleet_run.command.communicate(timeout=ENDED_WITHIN_S)

    assert slow_fleet_run.command.returncode == ExitCode.INTERRUPTED, stderr[-2000:]
    lines = json_lines(stdout)
    assert [(line["organization"], line["status"]) for line in lines] == [
        (first, "failed"), (second, "failed"), (third, "not_started"), (last, "not_started")]
    assert {line["exit_code"] for line in lines} == {ExitCode.INTERRUPTED}
    assert [slow_fleet_run.requests_of(slug) for slug in (third, last)] == [0, 0]
    assert "Traceback" not in stderr


def test_a_killed_worker_fails_the_organizations_it_took_down_and_the_rest_still_run(
    slow_fleet_run: SlowFleetRun,
) -> None:
    """A dead worker breaks the whole process pool, so the organizations running in it
    fail (exit 1, saying why); those not started yet run in a new pool and succeed."""
    first, second, third, last = slow_fleet_run.simulator.slugs
    slow_fleet_run.wait_for_the_first_request()
    os.kill(slow_fleet_run.workers()[0], signal.SIGKILL)
    stdout, stderr = slow_fleet_run.command.communicate(timeout=ENDED_WITHIN_S)

    assert slow_fleet_run.command.returncode == ExitCode.FAILURE, stderr[-2000:]
    lines = {str(line["organization"]): line for line in json_lines(stdout)}
    assert {slug: line["status"] for slug, line in lines.items()} == {
        first: "failed", second: "failed", third: "succeeded", last: "succeeded"}
    assert "worker process" in str(lines[first]["error"])
    assert "Traceback" not in stderr
