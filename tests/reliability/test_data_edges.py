"""Rows 23, 24 and 26: schema drift, and values that a careless loader mangles."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from tests.fixtures.destinations import DESTINATIONS
from tests.reliability.conftest import StartSimulator, SyncHarness
from tests.reliability.organizations import (
    EMOJI_TEXT,
    MEGABYTE_TEXT,
    NUL_TEXT,
    RewrittenOrganization,
    offset_timestamps,
    special_texts,
)
from tests.reliability.warehouse import row_counts

NEW_FIELD = {"resource": "contacts", "name": "preferredPharmacy"}
NEW_COLUMN = "preferred_pharmacy"


def _columns(harness: SyncHarness, table: str) -> set[str]:
    rows = harness.warehouse.rows(table)
    return set(rows[0]) if rows else set()


@pytest.mark.parametrize("destination", DESTINATIONS, indirect=True)
def test_row23_a_changed_type_lands_beside_the_old_column_without_loss(
    harness: SyncHarness,
) -> None:
    """The simulator turns ``title`` from a string into an object: dlt gives the new shape
    columns of its own (``title__value``...; a scalar that cannot be coerced would get
    a ``title__v_<type>`` variant), and the old rows keep ``title``."""
    harness.run()
    harness.simulator.advance({"type_change": {"resource": "conversations", "field": "title"}})
    harness.simulator.advance({"new_conversations": 2})

    harness.run()

    assert any(name.startswith("title__") for name in _columns(harness, "conversations"))
    assert harness.differences() == []


def test_row23_a_frozen_contract_failure_leaves_no_patient_data_in_the_trace(
    harness: SyncHarness,
) -> None:
    """The leak scan after the test also proves that the violation's record (patient data)
    reached no trace, log or output."""
    harness.run()
    before = (harness.stored_states(), harness.load_ids(), row_counts(harness.warehouse))
    harness.simulator.advance({"type_change": {"resource": "conversations", "field": "title"}})
    harness.simulator.advance({"new_conversations": 2})

    error = harness.fail(schema_contracts={"conversations": "freeze"})

    assert "title" in str(error) and "conversations" in str(error)
    after = (harness.stored_states(), harness.load_ids(), row_counts(harness.warehouse))
    assert after == before


def test_row24_a_new_field_becomes_a_column_on_the_next_run(harness: SyncHarness) -> None:
    harness.run()
    harness.simulator.advance({"new_field": NEW_FIELD})

    harness.run()

    assert NEW_COLUMN in _columns(harness, "contacts")
    assert harness.differences() == []


def test_row24_a_new_field_under_discard_value_is_dropped_and_named_in_the_log(
    harness: SyncHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.run()
    harness.simulator.advance({"new_field": NEW_FIELD})

    harness.run(schema_contracts={"contacts": "discard_value"})

    assert NEW_COLUMN not in _columns(harness, "contacts")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(NEW_COLUMN in message and "discard_value" in message for message in warnings)


@pytest.mark.parametrize(
    ("destination", "texts"),
    [
        pytest.param("duckdb", [EMOJI_TEXT, MEGABYTE_TEXT], id="duckdb"),
        pytest.param("postgres", [EMOJI_TEXT, MEGABYTE_TEXT], id="postgres", marks=pytest.mark.postgres),
        # Not on PostgreSQL: it cannot store NUL in text, and dlt strips it silently (reported).
        pytest.param("duckdb", [NUL_TEXT], id="duckdb-nul"),
    ],
    indirect=["destination"],
)
def test_row26_emoji_nul_megabyte_texts_and_offsets_load_exactly(
    harness: SyncHarness, start_simulator: StartSimulator, texts: list[str]
) -> None:
    items = harness.simulator.ground_truth()["conversation_items"]
    special = dict(zip([item["id"] for item in items], texts))
    rewrites = {
        "ConversationItems": ("conversation_items", special_texts(special)),
        "ListConversations": ("conversations", offset_timestamps("lastMessageAt", "createdAt")),
    }
    harness.simulator = start_simulator(wrap=lambda inner: RewrittenOrganization(inner, rewrites))

    summary = harness.run()

    assert harness.differences() == []
    truth = harness.simulator.ground_truth()["conversations"]
    assert _instant(summary.conversation_cursor or "") == max(_instant(c["lastMessageAt"]) for c in truth)
    assert harness.run().rows_per_table.get("conversation_items", 0) < len(items)


def _instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))

