"""``spruce-sync fleet demo``: a simulated fleet run end to end, checked against the truth.

The multi-organization simulator serves N seeded organizations on a loopback port (each
token its own organization); a fleet file and a profile written under ``folder`` give
each one its own DuckDB file there; ``fleet run``'s machinery materializes every
partition; then each organization's tables are compared with its own ground truth.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import yaml

from pipelines.environment import environment_set
from pipelines.fleet.fleet_file import Fleet, load_fleet, token_variable
from pipelines.fleet.fleet_run import run_fleet
from pipelines.fleet.ground_truth import truth_differences
from pipelines.fleet.run_outcome import FAILED, SUCCEEDED, OrganizationOutcome
from pipelines.runner.failures import ExitCode
from pipelines.settings import DEMO_FLEET_CONCURRENCY, DEMO_FLEET_SCALE


def run_demo(count: int, folder: Path) -> list[OrganizationOutcome]:
    """Sync ``count`` simulated organizations into ``folder``; each outcome carries its
    ground-truth check (a difference fails that organization)."""
    from simulator import FleetSimulator, seeded_fleet

    simulator = FleetSimulator(seeded_fleet(count, DEMO_FLEET_SCALE))
    fleet = load_fleet(*write_demo_files(folder, simulator.slugs))
    tokens = {slug: simulator.organization(slug).token for slug in simulator.slugs}
    with simulator.running() as base_url, organization_tokens(tokens):
        outcomes = run_fleet(fleet, folder / "config", base_url)
        truths = {slug: simulator.organization(slug).ground_truth() for slug in simulator.slugs}
    return [checked(outcome, fleet, truths[outcome.organization]) for outcome in outcomes]


def write_demo_files(folder: Path, slugs: tuple[str, ...]) -> tuple[Path, Path]:
    """The demo's fleet file and profiles under ``folder``: (fleet file, profiles folder)."""
    config = folder / "config"
    config.mkdir(parents=True, exist_ok=True)
    profile = {"pipelines_dir": str(folder / "pipelines"), "reserve_share": 0.0}
    (config / "spruce-sync.yaml").write_text(yaml.safe_dump({"profiles": {"default": profile}}))
    fleet_file = folder / "fleet.yaml"
    fleet = {"concurrency": DEMO_FLEET_CONCURRENCY, "warehouse_folder": str(folder / "warehouse"),
             "organizations": [{"slug": slug} for slug in slugs]}  # fmt: skip
    fleet_file.write_text(yaml.safe_dump(fleet, sort_keys=False))
    return fleet_file, config


def organization_tokens(tokens: Mapping[str, str]) -> AbstractContextManager[None]:
    """Each organization's token in its documented environment variable for the block
    (the fleet's worker processes inherit them)."""
    return environment_set({token_variable(slug): token for slug, token in tokens.items()})


def checked(
    outcome: OrganizationOutcome, fleet: Fleet, truth: Mapping[str, list[dict[str, object]]]
) -> OrganizationOutcome:
    """``outcome`` with its tables compared to ``truth``; failed when any table differs."""
    if outcome.status != SUCCEEDED:
        return outcome
    options = fleet.organization(outcome.organization).options
    differences = truth_differences(Path(str(options.duckdb_path)), options.dataset_name, truth)
    if not any(differences.values()):
        return dataclasses.replace(outcome, ground_truth={"equal": True})
    return dataclasses.replace(
        outcome, status=FAILED, exit_code=int(ExitCode.FAILURE),
        error="the tables differ from the simulator's ground truth",
        ground_truth={"equal": False, "differences": differences},
    )
