"""One measured ``spruce-sync fleet run --json`` against the multi-organization simulator.

The fleet is run as a cron user runs it: one command, in a project folder, with a fleet
file, profiles and each organization's token in its environment variable. The command is
one process; its pool's workers (one organization at a time each) are its children, so
its wall time, CPU (the workers it waited for included) and the sampled memory of its
whole process tree are the fleet's. Per organization: its JSON line (status, materialize
duration, the runner's own duration) and what the simulator counted for it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.fleet_simulator_process import FleetSimulatorProcess
from benchmarks.harness import counter_delta
from benchmarks.measure import ProcessMeasurement, measure_process
from benchmarks.settings import FLEET_MEMORY_SAMPLE_SECONDS, FLEET_RATE_LIMITS, SEED
from benchmarks.webhook_processes import CLI, project_env
from pipelines.fleet.fleet_file import token_variable
from simulator import Counters, RateLimitSettings, SimulatorSettings, seeded_fleet


@dataclass(frozen=True)
class OrganizationRun:
    """One organization of the fleet: its budget, its JSON line, its counted requests."""

    slug: str
    limit: int
    window_seconds: float
    outcome: dict[str, Any]  # its line of `fleet run --json` (empty: none printed)
    requests: int
    throttled: int
    requests_by_operation: dict[str, int]

    @property
    def succeeded(self) -> bool:
        return self.outcome.get("status") == "succeeded"

    @property
    def rate_bound_seconds(self) -> float:
        """The time its budget needs for its requests: requests x window / limit."""
        return self.requests * self.window_seconds / self.limit


@dataclass(frozen=True)
class FleetMeasurement:
    """The command's cost and every organization's run."""

    process: ProcessMeasurement
    organizations: list[OrganizationRun]


def fleet_organizations(count: int, scale: str) -> dict[str, SimulatorSettings]:
    """``count`` seeded organizations, each with the next budget of ``FLEET_RATE_LIMITS``."""
    seeded = seeded_fleet(count, scale, first_seed=SEED)
    return {
        slug: dataclasses.replace(settings, rate_limit=RateLimitSettings(limit, window))
        for (slug, settings), (limit, window)
        in zip(seeded.items(), _cycled(FLEET_RATE_LIMITS, count), strict=True)
    }  # fmt: skip


def _cycled(budgets: tuple[tuple[int, int], ...], count: int) -> list[tuple[int, int]]:
    return [budgets[index % len(budgets)] for index in range(count)]


def write_fleet_files(
    project: Path, organizations: Mapping[str, SimulatorSettings], concurrency: int
) -> tuple[Path, Path]:
    """The fleet file and the profiles (one per window length) under ``project``."""
    config = project / "config"
    config.mkdir(parents=True, exist_ok=True)
    windows = {_profile(settings): settings.rate_limit.window_seconds
               for settings in organizations.values()}  # fmt: skip
    profiles: dict[str, Any] = {
        "default": {"pipelines_dir": str(project / "pipelines"), "reserve_share": 0.0},
        **{name: {"rate_window": f"{seconds:g}s"} for name, seconds in windows.items()},
    }
    (config / "spruce-sync.yaml").write_text(yaml.safe_dump({"profiles": profiles}))
    fleet = {"concurrency": concurrency, "warehouse_folder": str(project / "warehouse"),
             "organizations": [{"slug": slug, "profile": _profile(settings)}
                               for slug, settings in organizations.items()]}  # fmt: skip
    fleet_file = project / "fleet.yaml"
    fleet_file.write_text(yaml.safe_dump(fleet, sort_keys=False))
    return fleet_file, config


def _profile(settings: SimulatorSettings) -> str:
    return f"window-{settings.rate_limit.window_seconds:g}s"


def measured_fleet_run(
    simulator: FleetSimulatorProcess, project: Path, fleet_file: Path, config: Path,
    timeout_seconds: float,
) -> FleetMeasurement:  # fmt: skip
    """``spruce-sync fleet run --json`` once, measured; each organization's line and counts."""
    tokens = {token_variable(slug): settings.tokens[0]
              for slug, settings in simulator.organizations.items()}  # fmt: skip
    argv = [*CLI, "fleet", "run", "--fleet", str(fleet_file), "--config", str(config),
            "--base-url", simulator.base_url, "--json"]  # fmt: skip
    stdout = project / "fleet-run.jsonl"
    before = simulator.counters()
    process = measure_process(argv, project_env(project, **tokens), timeout_seconds,
                              stdout_path=stdout, cwd=project,
                              tree_sample_seconds=FLEET_MEMORY_SAMPLE_SECONDS)  # fmt: skip
    after = simulator.counters()
    lines = _outcomes(stdout)
    organizations = [_organization_run(slug, settings, lines.get(slug, {}), before[slug], after[slug])
                     for slug, settings in simulator.organizations.items()]  # fmt: skip
    return FleetMeasurement(process, organizations)


def _outcomes(stdout: Path) -> dict[str, dict[str, Any]]:
    """Each organization's JSON line; other lines (a fleet-wide error) are skipped."""
    outcomes = {}
    for line in stdout.read_text(encoding="utf-8").splitlines():
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(document, dict) and "organization" in document:
            outcomes[str(document["organization"])] = document
    return outcomes


def _organization_run(
    slug: str, settings: SimulatorSettings, outcome: dict[str, Any], before: Counters,
    after: Counters,
) -> OrganizationRun:  # fmt: skip
    counted = counter_delta(before, after)
    return OrganizationRun(
        slug, settings.rate_limit.limit, settings.rate_limit.window_seconds, outcome,
        counted["requests"], counted["throttled"], counted["requests_by_operation"],
    )  # fmt: skip
