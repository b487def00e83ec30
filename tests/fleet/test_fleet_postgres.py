"""The fleet's warehouse on PostgreSQL: a schema per organization, and union views with an
``organization`` column that take in an organization with its first run: of the tables in
``spruce_fleet``, of the analysts' marts in ``spruce_fleet_analytics``."""

from __future__ import annotations

from collections.abc import Callable

import psycopg2
import pytest

from pipelines.fleet.fleet_file import FleetOrganization
from pipelines.fleet.views import analytics_schema, tables_schema
from simulator import seeded_fleet
from tests.fixtures.postgres import with_password
from tests.fleet.conftest import RunningFleet

TABLES = ("spruce_fleet", tables_schema, False)  # views schema, organization's schema, models
MARTS = ("spruce_fleet_analytics", analytics_schema, True)


def organizations_in_view(dsn: str, views_schema: str, table: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT organization, count(*) FROM {views_schema}.{table} GROUP BY 1")
        return dict(cursor.fetchall())


def rows_in_schema(dsn: str, schema: str, table: str) -> int:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {schema}.{table}")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize(
    ("views", "table"),
    [(TABLES, "contacts"), (TABLES, "conversation_items"), (TABLES, "contacts__phone_numbers"),
     (MARTS, "messages"), (MARTS, "response_times")],
    ids=lambda value: value if isinstance(value, str) else value[0],
)
def test_each_organization_has_its_schema_and_the_views_union_them(
    serve_fleet: Callable[..., RunningFleet], postgres_dsn: str, monkeypatch: pytest.MonkeyPatch,
    views: tuple[str, Callable[[FleetOrganization], str], bool], table: str,
) -> None:  # fmt: skip
    """An analyst compares clinics in one query: every organization's rows, each
    organization appearing with its first run (and its first build of the models)."""
    views_schema, schema_of, with_models = views
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(postgres_dsn))
    running = serve_fleet(seeded_fleet(2, "tiny"), {"destination": "postgres"})
    first, second = running.simulator.slugs
    assert running.materialize(first, with_models=with_models).success
    assert set(organizations_in_view(postgres_dsn, views_schema, table)) == {first}  # not the second yet
    assert running.materialize(second, with_models=with_models).success
    counts = organizations_in_view(postgres_dsn, views_schema, table)
    assert counts == {
        slug: rows_in_schema(postgres_dsn, schema_of(running.fleet.organization(slug)), table)
        for slug in (first, second)
    }
    assert all(counts.values())
