"""The deidentified policy: no raw name, phone or email on disk, the same figures."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from tests.analytics import phi_scan
from tests.analytics.conftest import WarehouseFactory
from tests.analytics.practice import HASH_KEY, Practice, Warehouse
from tests.fixtures.destinations import DestinationName

FIGURES = {
    "messages per day and direction":
        "select created_date, direction, count(*) as n from spruce_analytics.messages"
        " group by created_date, direction order by 1, 2",
    "response times":
        "select message_id, response_seconds, responder_id from spruce_analytics.response_times"
        " order by message_id",
    "first responses":
        "select conversation_id, first_response_seconds, inbound_count, outbound_count"
        " from spruce_analytics.conversations_enriched order by conversation_id",
    "daily activity":
        "select * from spruce_analytics.daily_activity order by activity_date, channel",
    "text lengths and attachments":
        "select message_id, text_length, attachment_count, is_deleted"
        " from spruce_analytics.messages order by message_id",
}


@pytest.fixture(scope="module")
def deidentified(destination: DestinationName, warehouses: WarehouseFactory) -> Warehouse:
    """The practice synced under the ``deidentified`` policy and modelled."""
    return warehouses(destination, "deidentified")


@pytest.fixture(scope="module")
def raw(warehouse: Warehouse) -> Warehouse:
    """The same practice synced without a policy (``warehouse``), to compare with."""
    return warehouse


@pytest.fixture(scope="module")
def identifiers(practice: Practice) -> set[str]:
    found = phi_scan.patient_identifiers(practice)
    assert len(found) > 1000, "too few identifiers for the scan to prove anything"
    return found


def _everything_on_disk(warehouse: Warehouse, dump_dir: Path) -> list[Path]:
    files = phi_scan.files_under(warehouse.pipelines_dir)
    if warehouse.duckdb_path is not None:
        files.append(warehouse.duckdb_path)
    return files + phi_scan.dump_destination(warehouse, dump_dir)


def test_the_scan_finds_identifiers_when_nothing_is_protected(
    raw: Warehouse, identifiers: set[str], tmp_path: Path
) -> None:
    hits = phi_scan.identifiers_in(_everything_on_disk(raw, tmp_path), identifiers)
    found = set().union(*hits.values())
    assert len(found) > len(identifiers) // 2


def test_no_raw_name_phone_or_email_in_any_file_or_dump(
    deidentified: Warehouse, identifiers: set[str], tmp_path: Path
) -> None:
    files = _everything_on_disk(deidentified, tmp_path)
    assert len(files) > 10
    assert phi_scan.identifiers_in(files, identifiers) == {}


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_the_models_compute_the_same_figures(
    deidentified: Warehouse, raw: Warehouse, figure: str
) -> None:
    assert deidentified.rows(FIGURES[figure]) == raw.rows(FIGURES[figure])


def test_phones_are_keyed_hmacs_that_still_join(deidentified: Warehouse, raw: Warehouse) -> None:
    query = "select contact_id, primary_phone from spruce_analytics.contacts_current"
    hashed = {row["contact_id"]: row["primary_phone"] for row in deidentified.rows(query)}
    plain = {row["contact_id"]: row["primary_phone"] for row in raw.rows(query)}
    expected = {contact_id: phone and hmac.new(HASH_KEY.encode(), phone.encode(),
                                               hashlib.sha256).hexdigest()
                for contact_id, phone in plain.items()}
    assert hashed == expected
    assert sum(1 for phone in plain.values() if phone) > 100


def test_dates_of_birth_keep_only_the_year(deidentified: Warehouse, raw: Warehouse) -> None:
    query = "select contact_id, birth_year from spruce_analytics.contacts_current"
    assert deidentified.rows(query + " order by 1") == raw.rows(query + " order by 1")
    dates = deidentified.rows("select distinct date_of_birth from spruce_analytics.contacts_current"
                              " where date_of_birth is not null")
    assert dates and all(len(str(row["date_of_birth"])) == 4 for row in dates)
