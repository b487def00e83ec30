"""The fleet's Dagster definitions, built from a fleet file (`pipelines.fleet.definitions`
is the code location that builds them from ``config/fleet.yaml``).

The fleet file's organizations are the partitions, read when the code location loads
(add one to the file and reload: no code changes). A schedule asks for
every organization's partition every ``schedule`` of the fleet file (15 minutes by
default). At most one run per organization and ``concurrency`` runs at a time are the
instance's run-coordinator limits (``deploy/dagster/dagster.yaml``): Dagster applies them
to runs, not to code.
"""

from __future__ import annotations

from dagster import (
    AssetsDefinition,
    Definitions,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from pipelines.fleet.assets import spruce_models, spruce_tables, table_specs
from pipelines.fleet.fleet_file import Fleet
from pipelines.fleet.model_assets import dbt_installed, model_specs
from pipelines.fleet.organization_run import FleetRunSettings
from pipelines.settings import FLEET_JOB_NAME

RESOURCE_KEY = "fleet_run"


def fleet_definitions(fleet: Fleet, settings: FleetRunSettings | None = None) -> Definitions:
    """The assets, the job, the schedule and the resource of ``fleet``."""
    assets = fleet_assets(fleet, with_models=dbt_installed())
    job = fleet_job(assets)
    return Definitions(
        assets=assets,
        jobs=[job],
        schedules=[fleet_schedule(fleet, job)],
        resources={RESOURCE_KEY: settings or FleetRunSettings()},
    )


def fleet_assets(fleet: Fleet, with_models: bool = False) -> list[AssetsDefinition]:
    """The tables of each organization, and its dbt models downstream of them when asked
    (``fleet run`` syncs only, as ``spruce-sync run`` does; the code location builds the
    models where dbt is installed)."""
    tables = [spruce_tables(fleet, table_specs())]
    return tables + [spruce_models(fleet, model_specs())] if with_models else tables


def fleet_job(assets: list[AssetsDefinition]) -> UnresolvedAssetJobDefinition:
    """The job the schedule launches, one run per organization: every asset of it."""
    return define_asset_job(FLEET_JOB_NAME, selection=assets, partitions_def=assets[0].partitions_def)


def fleet_schedule(fleet: Fleet, job: UnresolvedAssetJobDefinition) -> ScheduleDefinition:
    """Every organization's partition, each ``fleet.schedule`` (a cron expression)."""
    slugs = [organization.slug for organization in fleet.organizations]

    @schedule(name="spruce_fleet_schedule", cron_schedule=fleet.schedule, job=job)
    def spruce_fleet_schedule(context: ScheduleEvaluationContext) -> list[RunRequest]:
        tick = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else ""
        return [RunRequest(run_key=f"{slug}@{tick}", partition_key=slug) for slug in slugs]

    return spruce_fleet_schedule

