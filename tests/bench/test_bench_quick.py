"""CI proof that the bench still runs end to end: every scenario at the tiny scale, once.

Nothing here is timed; the figures of a tiny run mean nothing. What must hold is that
every pipeline completes every run, every figure of ours is measured, and the pipelines
load the same ids.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from benchmarks.harness import REPO_ROOT
from benchmarks.scenarios import SCENARIO_NAMES


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The results document and the printed table of one ``--quick`` run."""
    output = tmp_path_factory.mktemp("bench") / "results.json"
    completed = subprocess.run(
        [sys.executable, "scripts/bench.py", "--quick", "--output", str(output)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return json.loads(output.read_text()), completed.stdout


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_every_scenario_runs_every_pipeline_to_completion(
    quick_bench: tuple[dict[str, Any], str],
) -> None:
    document, _ = quick_bench
    assert [scenario["name"] for scenario in document["scenarios"]] == list(SCENARIO_NAMES)
    for scenario in document["scenarios"]:
        assert scenario["runs"] and all(run["ok"] for run in scenario["runs"]), scenario["name"]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_every_figure_of_ours_is_measured_and_ids_agree(
    quick_bench: tuple[dict[str, Any], str],
) -> None:
    document, table = quick_bench
    for scenario in document["scenarios"]:
        for row in scenario["figures"]:
            assert row["ours"] is not None, (scenario["name"], row["figure"])
            if row["figure"].startswith("ids differing"):
                assert (row["baseline"], row["raw"]) in {(0, 0), (0, None)}, scenario["name"]
        assert scenario["title"] in table
    assert document["machine"]["cpus"] and document["versions"]["dlt"] != "absent"
