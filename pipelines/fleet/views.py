"""The fleet's warehouse on PostgreSQL: one schema per organization, and views that union
every organization's tables, with an ``organization`` column, in ``spruce_fleet`` (and
every organization's analysts' models, its marts, in ``spruce_fleet_analytics``).

A view per table any organization has: its columns are every organization's (in order of
first appearance), ``NULL`` where an organization's table lacks one (its schema has not
evolved that far), and cast to text where two organizations disagree on a type. Each
organization's run refreshes the views after its load, so a new organization appears
with its first run; an advisory lock keeps two runs from rebuilding them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

from pipelines.configuration.options import SyncOptions
from pipelines.fleet.fleet_file import Fleet, FleetOrganization
from pipelines.settings import (
    FLEET_ANALYTICS_SUFFIX,
    FLEET_ANALYTICS_VIEWS_SCHEMA,
    FLEET_VIEWS_LOCK,
    FLEET_VIEWS_SCHEMA,
)

# (schema, table, column, type) of every data table of the organizations' schemas
Columns = Sequence[tuple[str, str, str, str]]


def refresh_after_sync(fleet: Fleet, organization: FleetOrganization) -> list[str]:
    """The views rebuilt after ``organization``'s load into PostgreSQL, over every
    organization of the fleet loading there (a schema not created yet is left out)."""
    return _refresh(fleet, organization, tables_schema, FLEET_VIEWS_SCHEMA)


def refresh_after_models(
    fleet: Fleet, organization: FleetOrganization, marts: Collection[str]
) -> list[str]:
    """`refresh_after_sync` for the analysts' models: the views of ``marts`` (not the
    staging models dbt also builds) over every organization's analytics schema, rebuilt
    after ``organization``'s models were built."""
    return _refresh(fleet, organization, analytics_schema, FLEET_ANALYTICS_VIEWS_SCHEMA, marts)


def tables_schema(organization: FleetOrganization) -> str:
    return organization.options.dataset_name


def analytics_schema(organization: FleetOrganization) -> str:
    """Where `model_assets` builds an organization's models."""
    return f"{organization.options.dataset_name}{FLEET_ANALYTICS_SUFFIX}"


def _refresh(
    fleet: Fleet, organization: FleetOrganization, schema_of: Callable[[FleetOrganization], str],
    views_schema: str, only: Collection[str] | None = None,
) -> list[str]:  # fmt: skip
    if organization.options.destination != "postgres":
        return []  # DuckDB: a file per organization, nothing to union in one database
    schemas = {item.slug: schema_of(item) for item in fleet.organizations
               if item.options.destination == "postgres"}  # fmt: skip
    return refresh_fleet_views(organization.options, schemas, views_schema, only)


def refresh_fleet_views(
    options: SyncOptions, schemas: Mapping[str, str], views_schema: str,
    only: Collection[str] | None,
) -> list[str]:  # fmt: skip
    """Rebuild the views in ``views_schema`` over ``schemas`` (slug -> schema), of every
    table or only those named in ``only``, through ``options``' destination; returns the
    views' names."""
    from pipelines.runner.destinations import build_target
    from pipelines.runner.pipeline import build_pipeline

    pipeline = build_pipeline(options, build_target(options))
    with pipeline.sql_client() as client, client.begin_transaction():
        # held to the commit: two organizations' runs never rebuild the views at once
        client.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", FLEET_VIEWS_LOCK)
        columns = [column for column in _columns(client, list(schemas.values()))
                   if only is None or column[1] in only]  # fmt: skip
        slugs = {schema: slug for slug, schema in schemas.items()}
        for statement in view_statements(columns, slugs, views_schema):
            client.execute_sql(statement)
    return sorted({table for _, table, _, _ in columns})


def _columns(client: Any, schemas: list[str]) -> Columns:
    rows = client.execute_sql(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = ANY(%s) AND table_name NOT LIKE '\\_dlt%%'"
        " ORDER BY table_schema, table_name, ordinal_position", schemas)  # fmt: skip
    return [tuple(row) for row in rows or ()]


def view_statements(columns: Columns, slugs: Mapping[str, str], views_schema: str) -> Iterator[str]:
    """The DDL: the schema, then per table a DROP and a CREATE of its union view."""
    yield f'CREATE SCHEMA IF NOT EXISTS "{views_schema}"'
    for table, by_schema in _tables(columns).items():
        yield f'DROP VIEW IF EXISTS "{views_schema}"."{table}"'
        yield f'CREATE VIEW "{views_schema}"."{table}" AS ' + _union(table, by_schema, slugs)


def _tables(columns: Columns) -> dict[str, dict[str, dict[str, str]]]:
    """table -> schema -> column -> type, columns in the order they were found."""
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for schema, table, column, data_type in columns:
        tables.setdefault(table, {}).setdefault(schema, {})[column] = data_type
    return tables


def _union(table: str, by_schema: Mapping[str, Mapping[str, str]], slugs: Mapping[str, str]) -> str:
    types = _column_types(by_schema)
    selects = [
        f"SELECT '{slugs[schema]}'::text AS organization, "
        + ", ".join(_select_column(name, kind, present) for name, kind in types.items())
        + f' FROM "{schema}"."{table}"'
        for schema, present in sorted(by_schema.items())
    ]
    return " UNION ALL ".join(selects)


def _column_types(by_schema: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Every column of the table across the schemas; text where their types disagree."""
    types: dict[str, str] = {}
    for present in by_schema.values():
        for name, kind in present.items():
            types[name] = kind if types.get(name, kind) == kind else "text"
    return types


def _select_column(name: str, kind: str, present: Mapping[str, str]) -> str:
    if name not in present:
        return f'NULL::{kind} AS "{name}"'
    return f'"{name}"::{kind} AS "{name}"' if present[name] != kind else f'"{name}"'
