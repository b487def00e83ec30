"""A fleet over real HTTP: the multi-organization simulator, a fleet file in the test's
folder, each organization's token in its documented variable, and partitions
materialized in this process by Dagster (an ephemeral instance)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from pipelines.fleet.code_location import RESOURCE_KEY, fleet_assets
from pipelines.fleet.fleet_file import Fleet, load_fleet, token_variable
from pipelines.fleet.fleet_run import QUIET_RUN
from pipelines.fleet.organization_run import FleetRunSettings
from simulator import FleetSimulator, SimulatorSettings

# Prints the partitions of the code location's job, comma-separated, as Dagster loads it.
PARTITION_KEYS_SCRIPT = (
    "import pipelines.fleet.definitions as d; job = d.defs.resolve_job_def('spruce_fleet_sync');"
    " print(','.join(job.partitions_def.get_partition_keys()))"
)


def write_fleet(folder: Path, slugs: list[str], profile: Mapping[str, Any]) -> Path:
    """A fleet file of ``slugs`` running ``profile`` (written as config/spruce-sync.yaml)."""
    (folder / "config").mkdir(exist_ok=True)
    profiles = {"profiles": {"default": {"reserve_share": 0.0, **profile}}}
    (folder / "config" / "spruce-sync.yaml").write_text(yaml.safe_dump(profiles))
    fleet = {"concurrency": 2, "warehouse_folder": str(folder / "warehouse"),
             "organizations": [{"slug": slug} for slug in slugs]}  # fmt: skip
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False))
    return path


@dataclass
class RunningFleet:
    """A served simulated fleet and the fleet file that syncs it."""

    simulator: FleetSimulator
    fleet: Fleet
    base_url: str
    instance: DagsterInstance

    def materialize(
        self, slug: str, wait_for_budget: bool = True, with_models: bool = False
    ) -> ExecuteInProcessResult:
        """One organization's partition, as the code location's assets run it."""
        settings = FleetRunSettings(base_url=self.base_url, wait_for_budget=wait_for_budget)
        return materialize(fleet_assets(self.fleet, with_models), partition_key=slug, instance=self.instance,
                           resources={RESOURCE_KEY: settings}, raise_on_error=False,
                           run_config=QUIET_RUN)  # fmt: skip


@pytest.fixture
def serve_fleet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., RunningFleet]]:
    """Serve organizations (slug -> settings) with a fleet file running ``profile``; each
    token in its variable. Stops every simulator served after the test."""
    stack = ExitStack()

    def serve(organizations: Mapping[str, SimulatorSettings],
              profile: Mapping[str, Any] | None = None) -> RunningFleet:
        simulator = FleetSimulator(organizations)
        base_url = stack.enter_context(simulator.running())
        for slug in simulator.slugs:
            monkeypatch.setenv(token_variable(slug), simulator.organization(slug).token)
        path = write_fleet(tmp_path, list(simulator.slugs), profile or {})
        instance = stack.enter_context(DagsterInstance.ephemeral())
        return RunningFleet(simulator, load_fleet(path, tmp_path / "config"), base_url, instance)

    with stack:
        yield serve
