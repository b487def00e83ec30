"""Session fixtures: one simulated practice, and warehouses synced and modelled from it.

Each warehouse (destination x PHI policy) is built once per session: a sync and a dbt
build cost seconds, and every test here only reads them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Literal

import psycopg2
import pytest
from psycopg2 import sql

from simulator import Simulator, SimulatorSettings
from sources.spruce.phi import PhiPolicy, parse_phi_policy
from tests.analytics.practice import (
    PRACTICE_CHANGES,
    TOKEN,
    Practice,
    Warehouse,
    build_warehouse,
)
from tests.fixtures.destinations import DESTINATIONS, DestinationName
from tests.fixtures.postgres import ADMIN_DSN, with_password

PolicyName = Literal["raw", "deidentified"]
POLICIES: dict[PolicyName, PhiPolicy | None] = {
    "raw": None,
    "deidentified": parse_phi_policy("deidentified"),
}
WarehouseFactory = Callable[[DestinationName, PolicyName], Warehouse]
# Ignored by the local server's trust auth; distinctive, so a test can look for leaks.
PG_PASSWORD = "pg-password-never-on-disk-5d1f"


@pytest.fixture(scope="session")
def practice() -> Iterator[Practice]:
    """The small simulated practice, with deleted items and contacts, served over HTTP."""
    simulator = Simulator(SimulatorSettings(seed=7, scale="small", tokens=(TOKEN,)))
    simulator.start()
    try:
        changed = simulator.advance(PRACTICE_CHANGES)
        deleted = frozenset(changed["conversation_items"]["deleted"])
        truth = simulator.ground_truth()
        # Its event log carries whole contacts and items: the PHI scan must cover them.
        endpoint_id = truth["webhook_events"][0]["endpointId"]
        yield Practice(simulator.base_url, endpoint_id, truth, deleted)
    finally:
        simulator.stop()


@pytest.fixture(scope="session")
def warehouses(
    practice: Practice, tmp_path_factory: pytest.TempPathFactory, postgres_available: bool
) -> Iterator[WarehouseFactory]:
    """``warehouses(destination, policy_name)``: built on first use, reused after."""
    built: dict[tuple[DestinationName, PolicyName], Warehouse] = {}
    databases: list[str] = []

    def get(destination: DestinationName, policy_name: PolicyName) -> Warehouse:
        if (destination, policy_name) not in built:
            root = tmp_path_factory.mktemp(f"{destination}-{policy_name}")
            dsn = _new_database(databases, postgres_available) if destination == "postgres" else None
            built[destination, policy_name] = build_warehouse(
                root, destination, dsn, practice, POLICIES[policy_name])
        return built[destination, policy_name]

    yield get
    for database in databases:
        _drop_database(database)


def _new_database(databases: list[str], postgres_available: bool) -> str:
    if not postgres_available:
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_DSN}")
    name = f"spruce_analytics_{uuid.uuid4().hex[:12]}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    databases.append(name)
    return with_password(ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}", PG_PASSWORD)


def _drop_database(name: str) -> None:
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _admin(statement: sql.Composable) -> None:
    connection = psycopg2.connect(ADMIN_DSN, connect_timeout=3)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture(params=DESTINATIONS, scope="module")
def destination(request: pytest.FixtureRequest) -> DestinationName:
    """Each test of a module that takes a warehouse runs once per destination."""
    name: DestinationName = request.param
    return name


@pytest.fixture(scope="module")
def warehouse(destination: DestinationName, warehouses: WarehouseFactory) -> Warehouse:
    """The practice synced as is (no PHI policy) and modelled."""
    return warehouses(destination, "raw")
