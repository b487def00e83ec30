"""The analysts' models as Dagster assets: lineage from the tables, built per organization."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
from dagster import AssetKey

from pipelines.fleet.model_assets import model_specs
from simulator import seeded_fleet
from tests.fleet.conftest import RunningFleet

MARTS = ["contacts_current", "conversations_enriched", "daily_activity", "messages",
         "response_times"]  # fmt: skip


def test_each_mart_is_an_asset_downstream_of_the_tables_and_marts_it_reads() -> None:
    deps = {spec.key.path[-1]: {dep.asset_key for dep in spec.deps} for spec in model_specs()}
    assert sorted(deps) == MARTS
    assert {AssetKey(["spruce", "conversation_items"]), AssetKey(["spruce", "conversations"])} <= deps["messages"]
    assert AssetKey(["spruce_analytics", "messages"]) in deps["response_times"]
    assert all(key.path[0] in ("spruce", "spruce_analytics") for keys in deps.values() for key in keys)


def test_an_organizations_models_are_built_into_its_own_analytics_schema(
    serve_fleet: Callable[..., RunningFleet],
) -> None:
    running = serve_fleet(seeded_fleet(1, "tiny"))
    [slug] = running.simulator.slugs
    result = running.materialize(slug, with_models=True)
    assert result.success
    built = {event.materialization.asset_key.path[-1] for event in result.get_asset_materialization_events()
             if event.materialization.asset_key.path[0] == "spruce_analytics"}
    assert sorted(built) == MARTS
    options = running.fleet.organization(slug).options
    with duckdb.connect(str(options.duckdb_path), read_only=True) as connection:
        count = connection.execute(
            f"SELECT count(*) FROM {options.dataset_name}_analytics.messages").fetchone()
    assert count is not None and count[0] > 0
