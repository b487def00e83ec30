"""The fleet's Dagster assets: one asset per table of the source, one partition per organization.

The asset specs come from dagster-dlt's translator over the source's own resources, so the
UI shows each table with the Spruce listing it is read from upstream. The op does not call
``DagsterDltResource.run``: that runs ``pipeline.run`` once, and an organization's sync is
the runner's windows, deletions, completeness check and PHI policy, exactly what
``spruce-sync run`` does (`pipelines.fleet.organization_run`).
"""

# No `from __future__ import annotations`: Dagster reads the op's annotations at definition
# time and does not resolve them from strings.
from collections.abc import Iterator, Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Backoff,
    MaterializeResult,
    RetryPolicy,
    StaticPartitionsDefinition,
    multi_asset,
)
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

from pipelines.fleet.fleet_file import Fleet
from pipelines.fleet.model_assets import build_models
from pipelines.fleet.organization_run import FleetRunSettings, sync_organization
from pipelines.fleet.results import materializations
from pipelines.settings import (
    FLEET_ASSET_PREFIX,
    FLEET_GROUP,
    FLEET_LISTING_PREFIX,
    FLEET_OUTAGE_RETRIES,
    FLEET_OUTAGE_RETRY_DELAY_SECONDS,
)

# An outage (5xx, timeouts after the client's own retries) is retried with backoff; an
# authentication failure raises Failure(allow_retries=False) and is not.
OUTAGE_RETRY_POLICY = RetryPolicy(
    max_retries=FLEET_OUTAGE_RETRIES,
    delay=FLEET_OUTAGE_RETRY_DELAY_SECONDS,
    backoff=Backoff.EXPONENTIAL,
)


class SpruceTranslator(DagsterDltTranslator):
    """Keys ``spruce/<table>``, each depending on ``spruce_api/<table>`` (the listing)."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        name = data.resource.name
        return spec.replace_attributes(
            key=AssetKey([FLEET_ASSET_PREFIX, name]),
            deps=[AssetKey([FLEET_LISTING_PREFIX, name])],
            group_name=FLEET_GROUP,
            kinds={"dlt", "spruce"},
        )


def table_specs() -> list[AssetSpec]:
    """One spec per resource of the source, described by its docstring."""
    from sources.spruce import spruce_source

    # Built only to be described: no request is made, the token is never read.
    source = spruce_source(api_token="asset-specs-only")
    translator = SpruceTranslator()
    return [
        translator.get_asset_spec(DltResourceTranslatorData(resource=resource, pipeline=None))
        for resource in source.resources.values()
    ]


def organization_partitions(fleet: Fleet) -> StaticPartitionsDefinition:
    """One partition per organization of the fleet file, named by its slug."""
    return StaticPartitionsDefinition([organization.slug for organization in fleet.organizations])


def spruce_tables(fleet: Fleet, specs: Sequence[AssetSpec]) -> AssetsDefinition:
    """The multi-asset that syncs one organization (its partition) into its own dataset."""

    @multi_asset(
        name="spruce_organization_sync",
        specs=specs,
        partitions_def=organization_partitions(fleet),
        retry_policy=OUTAGE_RETRY_POLICY,
        can_subset=False,
    )
    def spruce_organization_sync(
        context: AssetExecutionContext, fleet_run: FleetRunSettings
    ) -> Iterator[MaterializeResult[None]]:
        organization = fleet.organization(context.partition_key)
        summary = sync_organization(fleet, organization, fleet_run, context.retry_number)
        yield from materializations(summary, [spec.key for spec in specs])

    return spruce_organization_sync


def spruce_models(fleet: Fleet, specs: Sequence[AssetSpec]) -> AssetsDefinition:
    """The multi-asset that builds one organization's dbt models after its tables."""
    marts = {spec.key.path[-1] for spec in specs}

    @multi_asset(
        name="spruce_analytics_build",
        specs=specs,
        partitions_def=organization_partitions(fleet),
        can_subset=False,
    )
    def spruce_analytics_build(context: AssetExecutionContext) -> Iterator[MaterializeResult[None]]:
        yield from build_models(fleet, fleet.organization(context.partition_key), marts)

    return spruce_analytics_build
