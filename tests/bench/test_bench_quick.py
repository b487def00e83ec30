"""CI proof that the bench still runs end to end: every scenario at the tiny scale, once.

Nothing here is timed; the figures of a tiny run mean nothing. What must hold is that
every pipeline completes every run, every figure of ours is measured, and the pipelines
load the same ids.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from benchmarks.harness import REPO_ROOT
from benchmarks.scenarios import SCENARIO_NAMES
from benchmarks.settings import QUICK_CONSECUTIVE_SYNCS, QUICK_FLEET_ORGANIZATIONS

# A tiny run of every scenario still takes minutes.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@dataclass(frozen=True)
class QuickBench:
    """What one ``--quick`` run left: its results document and its printed table."""

    document: dict[str, Any]
    table: str


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory: pytest.TempPathFactory) -> QuickBench:
    output = tmp_path_factory.mktemp("bench") / "results.json"
    completed = subprocess.run(
        [sys.executable, "scripts/bench.py", "--quick", "--output", str(output)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return QuickBench(json.loads(output.read_text()), completed.stdout)


def test_every_scenario_runs_every_pipeline_to_completion(quick_bench: QuickBench) -> None:
    scenarios = quick_bench.document["scenarios"]
    assert [scenario["name"] for scenario in scenarios] == list(SCENARIO_NAMES)
    for scenario in scenarios:
        assert scenario["runs"] and all(run["ok"] for run in scenario["runs"]), scenario["name"]


def test_every_figure_of_ours_is_measured_and_ids_agree(quick_bench: QuickBench) -> None:
    document = quick_bench.document
    for scenario in document["scenarios"]:
        for row in scenario["figures"]:
            assert row["ours"] is not None, (scenario["name"], row["figure"])
            if row["figure"].startswith("ids differing"):
                assert (row["baseline"], row["raw"]) in {(0, 0), (0, None)}, scenario["name"]
        assert scenario["title"] in quick_bench.table
    assert document["machine"]["cpus"] and document["versions"]["dlt"] != "absent"


def test_the_latency_scenario_runs_both_baselines_and_the_syncs_scenario_all_its_syncs(
    quick_bench: QuickBench,
) -> None:
    scenarios = {scenario["name"]: scenario for scenario in quick_bench.document["scenarios"]}
    latency = {run["pipeline"] for run in scenarios["latency_bound"]["runs"]}
    assert latency == {"ours", "baseline", "baseline_sequential"}
    syncs = scenarios["consecutive_syncs"]["runs"]
    assert [run["pipeline"] for run in syncs] == ["ours"] * QUICK_CONSECUTIVE_SYNCS
    assert all(run["timeout_retries"] is not None for run in syncs)


def test_the_fleet_syncs_every_organization_into_exactly_its_own_ground_truth(
    quick_bench: QuickBench,
) -> None:
    scenarios = {scenario["name"]: scenario for scenario in quick_bench.document["scenarios"]}
    organizations = scenarios["fleet"]["details"]["organizations"]
    assert len(organizations) == QUICK_FLEET_ORGANIZATIONS
    for organization in organizations:
        assert organization["status"] == "succeeded", organization
        assert organization["truth_differences"] == 0, organization
        assert organization["request_ratio"] is not None
