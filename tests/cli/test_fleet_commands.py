"""``spruce-sync fleet`` as cron users run it, and the code location as Dagster loads it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.fleet.fleet_file import token_variable
from pipelines.runner.failures import ExitCode
from simulator import FleetSimulator, seeded_fleet
from tests.cli.conftest import SECRET_TOKEN, SpruceSync, json_lines
from tests.fleet.conftest import PARTITION_KEYS_SCRIPT, write_fleet

DAGSTER = Path(sys.executable).with_name("dagster")


def test_fleet_demo_syncs_three_organizations_each_equal_to_its_ground_truth(
    spruce_sync_process: SpruceSync, tmp_path: Path,
) -> None:  # fmt: skip
    result = spruce_sync_process("fleet", "demo", "--organizations", "3", "--json",
                                 "--folder", str(tmp_path / "demo"))  # fmt: skip
    assert result.exit_code == 0, result.stderr[-2000:]
    lines = json_lines(result.stdout)
    assert [line["status"] for line in lines] == ["succeeded"] * 3
    assert len({line["organization"] for line in lines}) == 3
    assert all(line["ground_truth"] == {"equal": True} for line in lines)
    assert all(line["rows_per_table"]["contacts"] > 0 for line in lines)  # type: ignore[index]
    for warehouse in (tmp_path / "demo" / "warehouse").glob("*.duckdb"):
        assert stat.S_IMODE(warehouse.stat().st_mode) == 0o600  # patient data: owner-only


def test_fleet_run_reports_each_organization_and_exits_with_the_worst_code(
    spruce_sync_process: SpruceSync, tmp_path: Path,
) -> None:  # fmt: skip
    simulator = FleetSimulator(seeded_fleet(3, "tiny"))
    revoked = simulator.slugs[1]
    fleet_file = write_fleet(tmp_path, list(simulator.slugs), {})
    tokens = {token_variable(slug): simulator.organization(slug).token for slug in simulator.slugs}
    with simulator.running() as base_url:
        simulator.organization(revoked).revoke_tokens()
        result = spruce_sync_process("fleet", "run", "--fleet", str(fleet_file), "--base-url",
                                     base_url, "--json", env=tokens)  # fmt: skip
    assert result.exit_code == ExitCode.AUTH
    lines = {line["organization"]: line for line in json_lines(result.stdout)}
    assert {slug: line["status"] for slug, line in lines.items()} == {
        slug: "failed" if slug == revoked else "succeeded" for slug in simulator.slugs}
    assert lines[revoked]["exit_code"] == ExitCode.AUTH
    assert not any(token in result.output for token in tokens.values())


@pytest.mark.parametrize(("arguments", "named"), [
    ((), "SOURCES__SPRUCE__ORGANIZATIONS__CLINIC-02__API_TOKEN"),
    (("--organizations", "clinic-01,clinic-99"), "clinic-99"),
])  # fmt: skip
def test_fleet_run_refuses_a_fleet_it_cannot_run_before_any_request(
    spruce_sync_process: SpruceSync, tmp_path: Path, arguments: tuple[str, ...], named: str,
) -> None:  # fmt: skip
    fleet_file = write_fleet(tmp_path, ["clinic-01", "clinic-02"], {})
    env = {token_variable("clinic-01"): SECRET_TOKEN}
    result = spruce_sync_process("fleet", "run", "--fleet", str(fleet_file), "--json",
                                 "--base-url", "http://127.0.0.1:9/v1", *arguments, env=env)  # fmt: skip
    assert result.exit_code == ExitCode.CONFIG
    [document] = json_lines(result.stdout)
    assert document["status"] == "failed"
    assert named in str(document["error"]) and str(fleet_file) in str(document["error"])
    assert SECRET_TOKEN not in result.output


def test_the_code_location_loads_with_one_partition_per_organization(tmp_path: Path) -> None:
    fleet_file = write_fleet(tmp_path, ["clinic-north", "clinic-south", "east"], {})
    env = {**os.environ, "SPRUCE_SYNC_FLEET": str(fleet_file),
           "SPRUCE_SYNC_CONFIG": str(tmp_path / "config")}  # fmt: skip
    validate = [str(DAGSTER), "definitions", "validate", "-m", "pipelines.fleet.definitions"]
    assert subprocess.run(validate, env=env, cwd=tmp_path, capture_output=True,
                          timeout=120, check=False).returncode == 0  # fmt: skip
    keys = subprocess.run([sys.executable, "-c", PARTITION_KEYS_SCRIPT], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert keys.stdout.strip() == "clinic-north,clinic-south,east"
