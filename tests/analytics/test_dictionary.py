"""The data dictionary: generated from the OpenAPI document, attached to the warehouse."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import dlt
import pytest

from pipelines.analytics.dictionary import (
    DOCS_JSON,
    DOCS_MARKDOWN,
    build_dictionary,
    check_policy_columns,
    load_dictionary,
    render_markdown,
)
from pipelines.settings import OPENAPI_PATH
from sources.spruce.phi import PhiPolicyError, parse_phi_policy
from tests.analytics.practice import Warehouse

COMMENTS = {
    "duckdb": "select table_name, column_name, comment from duckdb_columns()"
              " where schema_name = 'spruce' and comment is not null",
    "postgres": "select c.relname as table_name, a.attname as column_name,"
                " d.description as comment from pg_description d"
                " join pg_class c on c.oid = d.objoid"
                " join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'spruce'"
                " join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid",
}


def _loaded_columns(warehouse: Warehouse) -> set[tuple[str, str]]:
    schema = warehouse.pipeline.default_schema
    return {(table, column)
            for table in schema.data_table_names()
            for column in schema.tables[table]["columns"] if not column.startswith("_dlt")}


def test_the_docs_are_what_the_openapi_document_generates() -> None:
    columns = build_dictionary(json.loads(OPENAPI_PATH.read_text(encoding="utf-8")))
    assert DOCS_MARKDOWN.read_text(encoding="utf-8") == render_markdown(columns), \
        "docs/tables.md is stale: run python scripts/gen_dictionary.py"
    assert load_dictionary() == columns
    assert [asdict(column) for column in columns] == json.loads(DOCS_JSON.read_text("utf-8"))


def test_loaded_columns_carry_their_description_as_a_comment(warehouse: Warehouse) -> None:
    descriptions = {(column.table, column.name): column.description
                    for column in load_dictionary() if column.description}
    comments = {(row["table_name"], row["column_name"]): row["comment"]
                for row in warehouse.rows(COMMENTS[warehouse.destination])}
    expected = {key: text for key, text in descriptions.items()
                if key in _loaded_columns(warehouse)}
    assert comments == expected
    assert ("contacts", "date_of_birth") in comments


def test_the_descriptions_are_kept_in_the_stored_dlt_schema(warehouse: Warehouse) -> None:
    attached = dlt.attach(warehouse.pipeline.pipeline_name,
                          pipelines_dir=str(warehouse.pipelines_dir))
    column = attached.default_schema.tables["conversation_items"]["columns"]["direction"]
    description = column.get("description")
    assert description is not None
    assert description.startswith("The direction of the item relative to")


def test_nearly_every_loaded_column_is_described(warehouse: Warehouse) -> None:
    loaded = _loaded_columns(warehouse)
    described = loaded & {(column.table, column.name) for column in load_dictionary()}
    assert len(described) >= 0.95 * len(loaded), sorted(loaded - described)


def test_the_deidentified_preset_names_only_columns_spruce_sends() -> None:
    check_policy_columns(parse_phi_policy("deidentified"))


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"contacts": {"phone_number.value": "hash"}},
         ("phi_policy.columns.contacts.phone_number.value: contacts has no such column; "
         "did you mean phone_numbers.value")),
        ({"conversation_items": {"txt": "redact"}},
         ("phi_policy.columns.conversation_items.txt: conversation_items has no such column; "
         "did you mean text")),
    ],
)
def test_a_policy_naming_an_unknown_column_is_refused(
    columns: dict[str, dict[str, str]], message: str
) -> None:
    with pytest.raises(PhiPolicyError, match="^" + re.escape(message)):
        check_policy_columns(parse_phi_policy({"columns": columns}))


@pytest.mark.parametrize("path", ["attachments", "event.data.voicemail.signed_url.url",
                                  "author.display_name"])
def test_columns_and_their_parents_can_be_named(path: str) -> None:
    check_policy_columns(parse_phi_policy({"columns": {"conversation_items": {path: "drop"}}}))
