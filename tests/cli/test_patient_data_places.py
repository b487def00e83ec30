"""Patient data lands only where the README says, and every file holding it is owner-only.

README, "Where PHI lands": the warehouse's dataset (and the analysts' schema), dlt's
pipeline folder while a load is in flight, nowhere else: the merge's staging schema is
emptied after each load, dlt's folder keeps cursors only, logs and output hold none.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from simulator import Simulator
from tests.analytics.phi_scan import identifiers_in
from tests.cli.conftest import SpruceSync
from tests.fixtures.simulator import TEST_TOKEN

# Shorter values match by chance inside other text.
MIN_IDENTIFIER_LENGTH = 6


def _env(simulator: Simulator, warehouse: Path) -> dict[str, str]:
    return {"SOURCES__SPRUCE__API_TOKEN": TEST_TOKEN,
            "SOURCES__SPRUCE__BASE_URL": simulator.base_url,
            "DESTINATION__DUCKDB__CREDENTIALS": str(warehouse)}


def _patient_identifiers(simulator: Simulator) -> set[str]:
    """Names and phone numbers of the practice's contacts, as Spruce serves them."""
    found: set[str] = set()
    for contact in simulator.ground_truth()["contacts"]:
        found.update(str(contact.get(key) or "") for key in ("givenName", "familyName"))
        found.update(str(phone.get("value") or "") for phone in contact.get("phoneNumbers") or [])
    return {value for value in found if len(value) >= MIN_IDENTIFIER_LENGTH}


def _group_or_other_access(path: Path) -> int:
    return path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)


@pytest.mark.parametrize("first", ["check", "status"])
def test_a_warehouse_made_by_any_command_is_owner_only_after_a_run(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path, first: str
) -> None:
    warehouse = tmp_path / "new" / "practice.duckdb"
    for command in (first, "run"):
        result = spruce_sync_process(command, env=_env(simulator, warehouse))
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(warehouse.stat().st_mode) == 0o600, command


def test_a_run_takes_group_and_other_access_off_an_existing_warehouse(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path
) -> None:
    warehouse = tmp_path / "practice.duckdb"
    duckdb.connect(str(warehouse)).close()
    warehouse.chmod(0o644)
    result = spruce_sync_process("run", env=_env(simulator, warehouse))
    assert result.exit_code == 0, result.output
    assert _group_or_other_access(warehouse) == 0


@pytest.fixture
def synced_twice(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path
) -> Iterator[tuple[Path, str]]:
    """A warehouse after a first sync and an incremental one (merges go through the
    staging schema), and everything the two runs printed."""
    warehouse = tmp_path / "practice.duckdb"
    printed = []
    for _ in range(2):
        result = spruce_sync_process("run", "--json", env=_env(simulator, warehouse))
        assert result.exit_code == 0, result.output
        printed.append(result.output)
        simulator.advance({"new_items": 20, "edited_contacts": 5})
    yield warehouse, "\n".join(printed)


def test_the_staging_schema_is_empty_after_each_load(synced_twice: tuple[Path, str]) -> None:
    warehouse, _ = synced_twice
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            " 'spruce_staging' AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'").fetchall()
        rows = {name: connection.execute(f'SELECT count(*) FROM spruce_staging."{name}"')
                .fetchone() for (name,) in tables}
    assert tables, "a merge stages its rows: the schema exists"
    assert {name: count for name, count in rows.items() if count != (0,)} == {}


def test_no_patient_identifier_in_dlt_s_folder_or_in_what_a_run_prints(
    synced_twice: tuple[Path, str], simulator: Simulator, isolated_environment: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    _, printed = synced_twice
    identifiers = _patient_identifiers(simulator)
    assert len(identifiers) > 20
    printed_file = tmp_path / "printed.txt"
    printed_file.write_text(printed, encoding="utf-8")
    folder = [path for path in isolated_environment.rglob("*") if path.is_file()]
    assert folder, "dlt kept its state and schema"
    assert identifiers_in([*folder, printed_file], identifiers) == {}


def test_status_names_every_place_the_purge_must_clear(
    spruce_sync_process: SpruceSync, simulator: Simulator, synced_twice: tuple[Path, str],
    isolated_environment: Path,
) -> None:  # fmt: skip
    warehouse, _ = synced_twice
    status = spruce_sync_process("status", "--json", env=_env(simulator, warehouse))
    places = json.loads(status.stdout)["patient_data"]
    assert places["warehouse"] == str(warehouse)
    assert "spruce_staging" in places["schemas"] and "spruce_analytics" in places["schemas"]
    assert Path(places["pipeline_folder"]) == isolated_environment / "pipelines" / "spruce_sync"
