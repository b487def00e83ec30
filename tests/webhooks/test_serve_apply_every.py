"""``webhooks serve --apply-every``: a delivery reaches PostgreSQL with no other command;
a value that is not a duration, or an organization the receiver does not serve, is
refused with exit code 2 before anything is opened."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.fixtures.postgres import with_password
from tests.reliability.warehouse import PostgresWarehouse, Row
from tests.webhooks.receivers import CLI, START_TIMEOUT_S, envelope, project_env, start_receiver

# A hang guard, not a timing assertion: the first tick imports dlt and creates the schema
# (tens of seconds on a busy machine); the bench measures freshness.
VISIBLE_WITHIN_S = 180.0
POLL_EVERY_S = 0.25


def _contact(warehouse: PostgresWarehouse, contact_id: str) -> list[Row]:
    """The contact's rows (none before the first apply created the table)."""
    if "contacts" not in warehouse.tables():
        return []
    return [row for row in warehouse.rows("contacts") if row["id"] == contact_id]


def _wait_for_contact(warehouse: PostgresWarehouse, contact_id: str) -> list[Row]:
    deadline = time.monotonic() + VISIBLE_WITHIN_S
    while not (rows := _contact(warehouse, contact_id)) and time.monotonic() < deadline:
        time.sleep(POLL_EVERY_S)
    return rows


@pytest.mark.postgres
@pytest.mark.slow
def test_a_delivery_lands_in_postgres_while_the_receiver_runs(
    project: Path, postgres_dsn: str
) -> None:
    dsn = with_password(postgres_dsn)
    env = project_env(project, DESTINATION__POSTGRES__CREDENTIALS=dsn)
    receiver = start_receiver(project, "--apply-every", "1s", "--destination", "postgres",
                              env=env)
    try:
        body = envelope("contact.updated", "entity_live", given_name="Live",
                        display_name="Live Name", category="patient")
        assert receiver.post(body).is_success
        rows = _wait_for_contact(PostgresWarehouse(dsn), "entity_live")
    finally:
        code = receiver.stop()

    assert [(row["given_name"], row["display_name"], row["deleted_at"]) for row in rows] == [
        ("Live", "Live Name", None)], receiver.output()[-2000:]
    assert code == 0


def _serve_fails(
    project: Path, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "webhooks", "serve", "--port", "0", *args], cwd=project,
                          env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S,
                          check=False)


@pytest.mark.parametrize("value", ["5", "0s", "soon"])
def test_apply_every_without_a_unit_or_positive_number_is_a_usage_error(
    project: Path, value: str
) -> None:
    result = _serve_fails(project, "--apply-every", value, env=project_env(project))

    assert result.returncode == 2
    assert "such as 5s, 2m or 1h" in result.stderr
    assert not (project / "var").exists()  # nothing opened, nothing served


def test_applying_an_organization_the_receiver_does_not_serve_is_exit_code_2(
    project: Path,
) -> None:
    (project / ".dlt" / "secrets.toml").write_text(
        '[sources.spruce.organizations.clinic-a]\nwebhook_signing_secret = "whsec-a"\n',
        encoding="utf-8")
    env = project_env(project)
    del env["SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET"]
    result = _serve_fails(project, "--apply-every", "5s", env=env)  # --organization default

    assert result.returncode == 2
    assert "the receiver serves clinic-a" in result.stderr
    assert not (project / "var").exists()
