"""The fleet's warehouse on PostgreSQL: a schema per organization, and union views with an
``organization`` column that take in an organization with its first run."""

from __future__ import annotations

from collections.abc import Callable

import psycopg2
import pytest

from simulator import seeded_fleet
from tests.fixtures.postgres import with_password
from tests.fleet.conftest import RunningFleet


def organizations_in_view(dsn: str, table: str, views_schema: str = "spruce_fleet") -> dict[str, int]:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT organization, count(*) FROM {views_schema}.{table} GROUP BY 1")
        return dict(cursor.fetchall())


def rows_in_schema(dsn: str, schema: str, table: str) -> int:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {schema}.{table}")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("table", ["contacts", "conversation_items", "contacts__phone_numbers"])
def test_each_organization_has_its_schema_and_the_views_union_them(
    serve_fleet: Callable[..., RunningFleet], postgres_dsn: str,
    monkeypatch: pytest.MonkeyPatch, table: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(postgres_dsn))
    running = serve_fleet(seeded_fleet(2, "tiny"), {"destination": "postgres"})
    first, second = running.simulator.slugs
    assert running.materialize(first).success
    assert set(organizations_in_view(postgres_dsn, table)) == {first}  # the second not yet run
    assert running.materialize(second).success
    counts = organizations_in_view(postgres_dsn, table)
    assert counts == {
        slug: rows_in_schema(postgres_dsn, running.fleet.organization(slug).options.dataset_name, table)
        for slug in (first, second)
    }
    assert all(counts.values())


@pytest.mark.parametrize("mart", ["messages", "response_times"])
def test_the_analysts_models_of_every_organization_are_unioned_too(
    serve_fleet: Callable[..., RunningFleet], postgres_dsn: str,
    monkeypatch: pytest.MonkeyPatch, mart: str,
) -> None:  # fmt: skip
    """A fleet's analyst compares clinics in ``spruce_fleet_analytics``: each mart, every
    organization's rows, built after each organization's models."""
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(postgres_dsn))
    running = serve_fleet(seeded_fleet(2, "tiny"), {"destination": "postgres"})
    first, second = running.simulator.slugs
    assert running.materialize(first, with_models=True).success
    assert set(organizations_in_view(postgres_dsn, mart, "spruce_fleet_analytics")) == {first}
    assert running.materialize(second, with_models=True).success
    counts = organizations_in_view(postgres_dsn, mart, "spruce_fleet_analytics")
    assert counts == {
        slug: rows_in_schema(postgres_dsn, f"{running.fleet.organization(slug).options.dataset_name}_analytics", mart)
        for slug in (first, second)
    }
    assert all(counts.values())
