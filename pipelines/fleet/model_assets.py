"""The analysts' dbt models (``transform/``) as Dagster assets downstream of the tables.

Each mart of ``transform/models/marts`` is an asset ``spruce_analytics/<model>``, partitioned
by organization like the tables. Its upstream assets are read from the SQL itself: the
marts it ``ref``s, and the tables its staging models read (``raw_table('<table>', ...)``;
a child table ``contacts__phone_numbers`` counts as its resource ``contacts``). The build
is `spruce-sync transform`'s (`run_transform`: models, then their tests), into the
organization's own analytics schema ``<dataset>_analytics``; on PostgreSQL the marts of every
organization are then unioned in ``spruce_fleet_analytics`` (``views``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from dagster import AssetKey, AssetSpec, Failure, MaterializeResult, MetadataValue

from pipelines.fleet.fleet_file import Fleet, FleetOrganization
from pipelines.settings import FLEET_ASSET_PREFIX, FLEET_MODELS_PREFIX

if TYPE_CHECKING:
    from pipelines.analytics.transform import TransformResult

REF = re.compile(r"ref\('([a-z0-9_]+)'\)")
RAW_TABLE = re.compile(r"raw_table\('([a-z0-9_]+)'")
MARTS = "marts"


def dbt_installed() -> bool:
    """Whether the models can be built here (``pip install '.[dbt]'``)."""
    import importlib.util

    return importlib.util.find_spec("dbt") is not None


def model_specs() -> list[AssetSpec]:
    """One spec per mart, with the marts and tables it reads as its upstream assets."""
    from pipelines.analytics.transform import dbt_project

    with dbt_project() as project:
        models = project / "models"
        sql = {path.stem: path.read_text(encoding="utf-8") for path in models.rglob("*.sql")}
        marts = sorted(path.stem for path in (models / MARTS).glob("*.sql"))
    return [AssetSpec(key=model_key(name), deps=sorted(upstream(name, sql, marts), key=str),
                      group_name=FLEET_MODELS_PREFIX, kinds={"dbt"}) for name in marts]  # fmt: skip


def model_key(model: str) -> AssetKey:
    return AssetKey([FLEET_MODELS_PREFIX, model])


def upstream(model: str, sql: Mapping[str, str], marts: list[str]) -> set[AssetKey]:
    """The marts ``model`` refs, and the tables its staging models read."""
    keys: set[AssetKey] = set()
    for referenced in REF.findall(sql[model]):
        if referenced in marts:
            keys.add(model_key(referenced))
        else:
            keys.update(AssetKey([FLEET_ASSET_PREFIX, table.split("__")[0]])
                        for table in RAW_TABLE.findall(sql.get(referenced, "")))  # fmt: skip
    return keys


def build_models(
    fleet: Fleet, organization: FleetOrganization, marts: set[str]
) -> Iterator[MaterializeResult[None]]:
    """``dbt build`` of the organization's models, then (PostgreSQL) the fleet's union views
    of the marts; a result per mart of ``marts`` built. A failed model or test, or dbt
    missing, fails the partition (not retried: the data or the install must change first)."""
    from pipelines.analytics.transform import TransformError
    from pipelines.configuration.errors import ConfigError
    from pipelines.fleet.views import refresh_after_models

    try:
        result = _build(organization)
        refresh_after_models(fleet, organization, marts)
    except (TransformError, ConfigError) as error:
        raise Failure(str(error), allow_retries=False) from None
    tests = MetadataValue.int(result.count("test"))
    # in dbt's order of execution: Dagster wants a multi-asset's results in topological order
    for outcome in result.outcomes:
        if outcome.kind == "model" and outcome.name in marts:
            yield MaterializeResult(asset_key=model_key(outcome.name),
                                    metadata={"tests_passed": tests})


def _build(organization: FleetOrganization) -> TransformResult:
    """`spruce-sync transform`'s build, into ``<dataset>_analytics``: a schema of its own
    for each organization of a shared PostgreSQL warehouse."""
    from pipelines.analytics.transform import require_dbt, run_transform
    from pipelines.files import owner_only_files
    from pipelines.fleet.views import analytics_schema
    from pipelines.runner.destinations import build_target
    from pipelines.runner.pipeline import build_pipeline

    require_dbt()
    options = organization.options
    with owner_only_files():
        pipeline = build_pipeline(options, build_target(options))
        pipeline.sync_destination()  # the schema as last loaded
        return run_transform(pipeline, analytics_schema=analytics_schema(organization))
