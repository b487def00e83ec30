"""``spruce-sync run`` applies the inbox's pending events before it syncs, as a scheduler
runs it: its own process, the project's default inbox, one JSON line."""

from __future__ import annotations

import subprocess

import duckdb
import orjson

from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory
from tests.webhooks.receivers import CLI, Receiver, envelope, project_env

# A hang guard, not a timing assertion: a tiny sync and one apply.
RUN_TIMEOUT_S = 300


def test_a_run_applies_the_received_events_first_and_reports_them(
    receiver: Receiver, simulator_factory: SimulatorFactory
) -> None:
    simulator = simulator_factory(scale="tiny")
    body = envelope("contact.updated", "entity_from_a_webhook",
                    event_time="2025-03-01T12:00:00.000Z", given_name="Hooked",
                    display_name="Hooked Name", category="patient")
    assert receiver.post(body).status_code // 100 == 2
    receiver.stop()
    database = receiver.project / "warehouse.duckdb"
    env = project_env(receiver.project, SOURCES__SPRUCE__API_TOKEN=TEST_TOKEN,
                      SOURCES__SPRUCE__BASE_URL=simulator.base_url)

    result = subprocess.run([*CLI, "run", "--duckdb-path", str(database), "--json"],
                            cwd=receiver.project, env=env, capture_output=True,
                            timeout=RUN_TIMEOUT_S, check=False)  # fmt: skip

    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    summary = orjson.loads(result.stdout.splitlines()[-1])
    assert summary["webhooks"]["events"] == 1
    assert summary["rows_per_table"]["contacts"] > 0  # and the sync ran after it
    with duckdb.connect(str(database), read_only=True) as connection:
        names = connection.execute("SELECT given_name FROM spruce.contacts"
                                   " WHERE id = 'entity_from_a_webhook'").fetchall()
    assert names == [("Hooked",)]
