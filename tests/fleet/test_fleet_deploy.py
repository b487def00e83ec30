"""What a Dagster deployment of the fleet relies on: the schedule asks for every
organization, and the shipped instance settings allow one run per organization."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from dagster import DagsterInstance, build_schedule_context

from pipelines.fleet.code_location import fleet_definitions
from pipelines.fleet.fleet_file import load_fleet
from tests.fleet.conftest import write_fleet

SHIPPED_INSTANCE = Path(__file__).resolve().parents[2] / "deploy" / "dagster" / "dagster.yaml"
SLUGS = ["clinic-north", "clinic-south", "east"]


def test_each_tick_asks_for_one_run_per_organization(tmp_path: Path) -> None:
    fleet = load_fleet(write_fleet(tmp_path, SLUGS, {}), tmp_path / "config")
    definitions = fleet_definitions(fleet)
    schedule = definitions.resolve_schedule_def("spruce_fleet_schedule")
    assert schedule.cron_schedule == "*/15 * * * *"
    tick = datetime(2026, 12, 6, 0, 15, tzinfo=timezone.utc)
    context = build_schedule_context(
        scheduled_execution_time=tick, repository_def=definitions.get_repository_def())
    requests = schedule.evaluate_tick(context)
    assert [request.partition_key for request in requests.run_requests or []] == SLUGS


def test_the_shipped_instance_runs_one_sync_per_organization_at_a_time(tmp_path: Path) -> None:
    shutil.copy(SHIPPED_INSTANCE, tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        queue = instance.run_coordinator.get_run_queue_config()  # type: ignore[attr-defined]
        assert not instance.telemetry_enabled
    assert queue.max_concurrent_runs >= 1
    assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True},
            "limit": 1} in queue.tag_concurrency_limits  # fmt: skip
