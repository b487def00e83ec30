"""The analysts' models on DuckDB and PostgreSQL equal figures computed from the truth."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import SupportsFloat

import pytest

from pipelines.analytics.transform import analyst_answers
from tests.analytics import truth
from tests.analytics.conftest import PG_PASSWORD, WarehouseFactory
from tests.analytics.practice import Practice, Warehouse

MODELS = {"messages", "conversations_enriched", "response_times", "daily_activity",
          "contacts_current"}


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _seconds(value: SupportsFloat | None) -> float | None:
    return None if value is None else round(float(value), 3)


def test_every_model_is_built_and_every_dbt_test_passes(warehouse: Warehouse) -> None:
    built = {outcome.name for outcome in warehouse.transform.outcomes if outcome.kind == "model"}
    assert built == MODELS
    assert warehouse.transform.count("test") >= 20
    assert warehouse.transform.failures == ()


def test_messages_per_day_and_direction_match_the_truth(
    warehouse: Warehouse, practice: Practice
) -> None:
    rows = warehouse.rows(
        "select created_date, direction, count(*) as n from spruce_analytics.messages"
        " group by created_date, direction")
    assert Counter({(_day(row["created_date"]), row["direction"]): row["n"] for row in rows}) \
        == truth.messages_per_day(practice)


def test_deleted_items_are_flagged_and_kept(warehouse: Warehouse, practice: Practice) -> None:
    rows = warehouse.rows("select message_id from spruce_analytics.messages where is_deleted")
    assert {row["message_id"] for row in rows} == practice.deleted_item_ids


def test_each_inbound_message_has_the_time_to_the_next_reply(
    warehouse: Warehouse, practice: Practice
) -> None:
    rows = warehouse.rows(
        "select message_id, response_seconds from spruce_analytics.response_times")
    expected = truth.response_seconds(practice)
    assert {row["message_id"]: _seconds(row["response_seconds"]) for row in rows} == expected
    assert any(seconds is None for seconds in expected.values())  # some still unanswered


def test_first_response_time_per_conversation_matches_the_truth(
    warehouse: Warehouse, practice: Practice
) -> None:
    rows = warehouse.rows(
        "select conversation_id, first_response_seconds from"
        " spruce_analytics.conversations_enriched where first_inbound_at is not null")
    assert {row["conversation_id"]: _seconds(row["first_response_seconds"]) for row in rows} \
        == truth.first_response_seconds(practice)


def test_daily_activity_counts_new_conversations_per_channel(
    warehouse: Warehouse, practice: Practice
) -> None:
    rows = warehouse.rows(
        "select activity_date, channel, new_conversations from spruce_analytics.daily_activity"
        " where channel <> 'all' and new_conversations > 0")
    assert Counter({(_day(row["activity_date"]), row["channel"]): row["new_conversations"]
                    for row in rows}) == truth.new_conversations(practice)


def test_daily_activity_counts_new_contacts_per_day(
    warehouse: Warehouse, practice: Practice
) -> None:
    rows = warehouse.rows(
        "select activity_date, new_contacts from spruce_analytics.daily_activity"
        " where channel = 'all' and new_contacts > 0")
    assert Counter({_day(row["activity_date"]): row["new_contacts"] for row in rows}) \
        == truth.new_contacts(practice)


def test_current_contacts_are_the_live_ones_with_their_first_phone(
    warehouse: Warehouse, practice: Practice
) -> None:
    rows = warehouse.rows("select contact_id, primary_phone from spruce_analytics.contacts_current")
    assert {row["contact_id"]: row["primary_phone"] for row in rows} == truth.first_phones(practice)


def test_the_analyst_questions_are_answered_from_the_models(
    warehouse: Warehouse, practice: Practice
) -> None:
    answers = {answer.question: answer for answer in analyst_answers(warehouse.pipeline)}
    assert len(answers) == 5 and all(answer.rows for answer in answers.values())
    per_channel = answers["Inbound vs outbound messages per channel"]
    totals = Counter({"inbound": 0, "outbound": 0})
    for row in per_channel.rows:
        named = dict(zip(per_channel.columns, row))
        totals.update(inbound=named["inbound"], outbound=named["outbound"])
    assert totals == Counter(item["direction"] for item in truth.items(practice)
                             if item["direction"] != "none"
                             and item["id"] not in practice.deleted_item_ids)


@pytest.mark.postgres
def test_the_database_password_is_in_no_file_dbt_or_dlt_wrote(warehouses: WarehouseFactory) -> None:
    warehouse = warehouses("postgres", "raw")
    files = [path for path in warehouse.pipelines_dir.rglob("*") if path.is_file()]
    assert any("dbt" in path.parts for path in files)
    assert [path for path in files if PG_PASSWORD.encode() in path.read_bytes()] == []
