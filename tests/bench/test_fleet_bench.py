"""The fleet scenario's pieces: the process tree's memory, its files, its figures."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.fleet_bench import OrganizationRun, fleet_organizations, write_fleet_files
from benchmarks.harness import REPO_ROOT, RunResult
from benchmarks.measure import measure_process
from benchmarks.scenarios.fleet import OrganizationFigures, fleet_rows
from benchmarks.settings import FLEET_RATE_LIMITS

# A parent holding little that starts two children, each touching ``MB`` megabytes and
# sleeping: the tree's peak is about the three processes' sum, each one's about ``MB``.
TWO_CHILDREN = """
import subprocess, sys
hold = "b = bytearray({mb} * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(2)"
children = [subprocess.Popen([sys.executable, "-c", hold]) for _ in range(2)]
for child in children:
    child.wait()
"""


def test_the_tree_peak_sums_the_processes_alive_together() -> None:
    megabytes = 128
    code = TWO_CHILDREN.format(mb=megabytes)
    measured = measure_process([sys.executable, "-c", code], {}, 60, tree_sample_seconds=0.05)
    assert measured.returncode == 0 and measured.tree is not None
    assert measured.tree.peak_rss_mb >= 2 * megabytes
    assert measured.tree.peak_pss_mb >= 2 * megabytes * 0.9
    assert measured.tree.most_processes == 3


def test_a_tree_past_its_time_limit_is_killed_whole(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    code = ("import subprocess, sys, time; child = subprocess.Popen([sys.executable, '-c', "
            "'import time; time.sleep(60)']); open(sys.argv[1], 'w').write(str(child.pid)); "
            "time.sleep(60)")  # fmt: skip
    measured = measure_process([sys.executable, "-c", code, str(pid_file)], {}, 2,
                               tree_sample_seconds=0.1)  # fmt: skip
    assert measured.returncode < 0 and "time limit" in measured.stderr_tail
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie waiting for its (new) parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_budgets_cycle_over_the_organizations_and_each_profile_names_its_window(
    tmp_path: Path,
) -> None:
    from pipelines.fleet.fleet_file import load_fleet

    organizations = fleet_organizations(5, "tiny")
    budgets = [(item.rate_limit.limit, item.rate_limit.window_seconds)
               for item in organizations.values()]  # fmt: skip
    assert budgets == [*FLEET_RATE_LIMITS, FLEET_RATE_LIMITS[0]]
    assert len({item.tokens[0] for item in organizations.values()}) == 5
    fleet = load_fleet(*write_fleet_files(tmp_path, organizations, 3))
    assert fleet.concurrency == 3
    for item, settings in zip(fleet.organizations, organizations.values(), strict=True):
        assert item.options.rate_window.total_seconds() == settings.rate_limit.window_seconds
        assert item.options.reserve_share == 0.0
        assert item.options.duckdb_path == tmp_path / "warehouse" / f"{item.slug}.duckdb"


def _organization(slug: str, limit: int, duration: float, sync: float) -> OrganizationFigures:
    outcome: dict[str, Any] = {"status": "succeeded", "duration_s": duration,
                               "figures": {"sync_duration_s": sync}}  # fmt: skip
    run = OrganizationRun(slug, limit, 5.0, outcome, 30, 0, {"ListContacts": 30})
    return OrganizationFigures(run, request_ratio=30 / 29, truth_differences=0)


def test_the_rows_set_the_wall_time_against_both_bounds_and_take_the_median_overhead() -> None:
    # bounds: 30 x 5 / limit = 15, 10, 5 s; sum 30 s, over a concurrency of 2: 15 s
    figures = [_organization("a", 10, 16.0, 15.0), _organization("b", 15, 11.0, 10.5),
               _organization("c", 30, 7.0, 5.0)]  # fmt: skip
    run = RunResult("ours", "fleet", True, 30.0, 12.0, 900.0, 90, 0, 0, 0, {}, {}, 0, "")
    rows = {row.figure: row for row in fleet_rows(run, figures, 2, None)}
    assert rows["slowest organization's rate bound s (requests x window / limit)"].ours == 15.0
    assert rows["sum of rate bounds / 2 s"].ours == 15.0
    assert rows["wall / max(slowest bound, sum / concurrency)"].ours == 2.0
    assert rows["Dagster per-run overhead s (median: materialize - sync)"].ours == pytest.approx(1.0)
    assert rows["requests / minimum, per organization (worst)"].met is False
    assert rows["organizations failed (of 3)"].met is True


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_fleet_runs_quickly_from_the_bench_command(tmp_path: Path) -> None:
    """The scenario end to end in its quick size, as CI's quick bench runs it."""
    output = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "scripts/bench.py", "--quick", "--only", "fleet", "--output", str(output)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "11. Fleet of 50 organizations" in completed.stdout
