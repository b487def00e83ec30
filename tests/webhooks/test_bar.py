"""The issue's bar, end to end as a user runs it: ``webhooks serve``, three deliveries,
then ``spruce-sync webhooks apply --duckdb-path DB`` in its own process."""

from __future__ import annotations

import subprocess

import duckdb
import orjson

from tests.webhooks.receivers import CLI, Receiver, envelope, project_env

# A hang guard, not a timing assertion: the command imports dlt and loads once.
APPLY_TIMEOUT_S = 300


def test_a_signed_update_is_received_once_and_applied_once_with_its_values(
    receiver: Receiver,
) -> None:
    body = envelope("contact.updated", "entity_bar", event_time="2025-03-01T12:00:00.000Z",
                    given_name="Updated", display_name="Updated Name", category="patient")

    assert receiver.post(body).status_code // 100 == 2
    assert receiver.post(body, signature="d3Jvbmc=").status_code == 401
    assert receiver.post(body).status_code // 100 == 2
    database = receiver.project / "warehouse.duckdb"
    applied = subprocess.run(
        [*CLI, "webhooks", "apply", "--duckdb-path", str(database), "--json"],
        cwd=receiver.project, env=project_env(receiver.project), capture_output=True,
        timeout=APPLY_TIMEOUT_S, check=False,
    )  # fmt: skip

    assert applied.returncode == 0, applied.stderr.decode(errors="replace")[-2000:]
    assert orjson.loads(applied.stdout.splitlines()[-1])["applied"]["events"] == 1
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute("SELECT given_name, display_name, deleted_at FROM"
                                  " spruce.contacts WHERE id = 'entity_bar'").fetchall()
    assert rows == [("Updated", "Updated Name", None)]
