"""The fleet's warehouse on PostgreSQL: one schema per organization, and views that union
every organization's tables, with an ``organization`` column, in ``spruce_fleet``.

A view per table any organization has: its columns are every organization's (in order of
first appearance), ``NULL`` where an organization's table lacks one (its schema has not
evolved that far), and cast to text where two organizations disagree on a type. Each
organization's run refreshes the views after its load, so a new organization appears
with its first run; an advisory lock keeps two runs from rebuilding them at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pipelines.configuration.options import SyncOptions
from pipelines.fleet.fleet_file import Fleet, FleetOrganization
from pipelines.settings import FLEET_VIEWS_LOCK, FLEET_VIEWS_SCHEMA

# (schema, table, column, type) of every data table of the organizations' schemas
Columns = Sequence[tuple[str, str, str, str]]


def refresh_after_sync(fleet: Fleet, organization: FleetOrganization) -> list[str]:
    """The views rebuilt after ``organization``'s load into PostgreSQL, over every
    organization of the fleet loading there (a schema not created yet is left out)."""
    if organization.options.destination != "postgres":
        return []  # DuckDB: a file per organization, nothing to union in one database
    schemas = {item.slug: item.options.dataset_name for item in fleet.organizations
               if item.options.destination == "postgres"}  # fmt: skip
    return refresh_fleet_views(organization.options, schemas)


def refresh_fleet_views(options: SyncOptions, schemas: Mapping[str, str]) -> list[str]:
    """Rebuild the views over ``schemas`` (slug -> schema) through ``options``'
    destination; returns the views' names."""
    from pipelines.runner.destinations import build_target
    from pipelines.runner.pipeline import build_pipeline

    pipeline = build_pipeline(options, build_target(options))
    with pipeline.sql_client() as client, client.begin_transaction():
        # held to the commit: two organizations' runs never rebuild the views at once
        client.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", FLEET_VIEWS_LOCK)
        columns = _columns(client, list(schemas.values()))
        for statement in view_statements(columns, {s: slug for slug, s in schemas.items()}):
            client.execute_sql(statement)
    return sorted({table for _, table, _, _ in columns})


def _columns(client: Any, schemas: list[str]) -> Columns:
    rows = client.execute_sql(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = ANY(%s) AND table_name NOT LIKE '\\_dlt%%'"
        " ORDER BY table_schema, table_name, ordinal_position", schemas)  # fmt: skip
    return [tuple(row) for row in rows or ()]


def view_statements(columns: Columns, slugs: Mapping[str, str]) -> Iterator[str]:
    """The DDL: the schema, then per table a DROP and a CREATE of its union view."""
    yield f'CREATE SCHEMA IF NOT EXISTS "{FLEET_VIEWS_SCHEMA}"'
    for table, by_schema in _tables(columns).items():
        yield f'DROP VIEW IF EXISTS "{FLEET_VIEWS_SCHEMA}"."{table}"'
        yield f'CREATE VIEW "{FLEET_VIEWS_SCHEMA}"."{table}" AS ' + _union(table, by_schema, slugs)


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
