"""The PHI policy engine: parsing, each action, signed URLs, events, policy changes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from copy import deepcopy
from pathlib import Path
from typing import Any

import dlt
import orjson
import pytest

from sources.spruce.phi import PhiPolicyError, RecordProtector, parse_phi_policy, protect_source

KEY = "unit-test-hmac-key-0123456789"
CONTACT = {
    "id": "entity_1",
    "givenName": "Ana",
    "displayName": "Ana Lima",
    "dateOfBirth": "1984-07-12",
    "created": "2024-01-02T03:04:05.000Z",
    "phoneNumbers": [{"id": "ec_1", "value": "+15125550123", "displayValue": "(512) 555-0123"},
                     {"id": "ec_2", "value": "+15125550199", "displayValue": "(512) 555-0199"}],
}
ITEM = {
    "id": "ti_1",
    "conversationId": "t_1",
    "text": "Ana here, my knee hurts",
    "author": {"id": "entity_1", "displayName": "Ana Lima"},
    "attachments": [{"title": "knee.jpg", "type": "image", "data": {
        "mimetype": "image/jpeg",
        "signedUrl": {"url": "https://media.example/ti_1/knee.jpg?Expires=1&Signature=ab",
                      "expiresAt": "2026-01-01T00:00:00Z"}}}],
}


def _hmac(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def _protected(record: dict[str, Any], resource: str, spec: Any, key: str | None = KEY) -> Any:
    copy = deepcopy(record)
    RecordProtector(parse_phi_policy(spec), resource, key).protect(copy, resource)
    return copy


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("anonymous", "phi_policy: unknown preset 'anonymous'; allowed: deidentified"),
        ({"colums": {}}, "phi_policy: unknown key 'colums'; allowed: preset, signed_urls, columns"),
        ({"columns": {"patients": {}}}, "phi_policy.columns: unknown key 'patients'"),
        ({"columns": {"contacts": {"given_name": "encrypt"}}},
         "phi_policy.columns.contacts.given_name: unknown action 'encrypt'; allowed: keep, drop,"),
        ({"columns": {"contacts": {"givenName": "hash"}}},
         "phi_policy.columns.contacts.givenName: write columns in the warehouse's snake_case"),
        ({"columns": {"contacts": {"id": "hash"}}}, "phi_policy.columns.contacts.id: 'id' is a key"),
        ({"signed_urls": "sign"}, "phi_policy.signed_urls: 'sign' is not allowed; use one of"),
        (["deidentified"], "phi_policy: expected a preset name"),
    ],
)
def test_a_bad_policy_says_where_and_what_is_allowed(spec: Any, message: str) -> None:
    with pytest.raises(PhiPolicyError, match="^" + re.escape(message)):
        parse_phi_policy(spec)


def test_hash_is_a_keyed_hmac_sha256_equal_for_equal_inputs() -> None:
    spec = {"columns": {"contacts": {"given_name": "hash", "phone_numbers.value": "hash"}}}
    once, twice = _protected(CONTACT, "contacts", spec), _protected(CONTACT, "contacts", spec)
    other_key = _protected(CONTACT, "contacts", spec, key=KEY + "-rotated")
    assert once["givenName"] == twice["givenName"] == _hmac("Ana")
    assert [phone["value"] for phone in once["phoneNumbers"]] == \
        [_hmac("+15125550123"), _hmac("+15125550199")]
    assert other_key["givenName"] != once["givenName"]


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "SOURCES__SPRUCE__PHI_HASH_KEY"), ("short", "shorter than 16 characters")],
)
def test_hashing_needs_a_long_enough_key(key: str | None, message: str) -> None:
    with pytest.raises(PhiPolicyError, match=message):
        RecordProtector(parse_phi_policy("deidentified"), "contacts", key)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"contacts": {"date_of_birth": "generalize"}}, {"dateOfBirth": 1984}),
        ({"contacts": {"display_name": "drop"}}, {"displayName": None}),
        ({"contacts": {"display_name": "redact"}},
         {"displayName": None, "displayName_length": 8}),
        ({"contacts": {"phone_numbers.display_value": "drop"}},
         {"phoneNumbers": [{"id": "ec_1", "value": "+15125550123"},
                           {"id": "ec_2", "value": "+15125550199"}]}),
    ],
)
def test_each_action_changes_only_its_column(spec: Any, expected: dict[str, Any]) -> None:
    protected = _protected(CONTACT, "contacts", {"columns": spec})
    assert {key: protected.get(key) for key in expected} == expected
    unchanged = set(CONTACT) - set(expected)
    assert {key: protected[key] for key in unchanged} == {key: CONTACT[key] for key in unchanged}


def test_a_column_can_be_kept_against_the_preset() -> None:
    spec = {"preset": "deidentified", "columns": {"conversation_items": {"text": "keep"}}}
    protected = _protected(ITEM, "conversation_items", spec)
    assert protected["text"] == ITEM["text"]
    assert protected["author"]["displayName"] == _hmac("Ana Lima")


def test_the_deidentified_preset_redacts_text_to_its_length_and_drops_attachment_links() -> None:
    protected = _protected(ITEM, "conversation_items", "deidentified")
    assert "text" not in protected and protected["text_length"] == len(ITEM["text"])
    assert protected["attachments"] == [{"type": "image", "data": {"mimetype": "image/jpeg"}}]


def test_signed_urls_keep_only_their_path_by_default() -> None:
    protected = _protected(ITEM, "conversation_items", None, key=None)
    assert protected["attachments"][0]["data"]["signedUrl"] == \
        {"url": "https://media.example/ti_1/knee.jpg"}


def test_a_webhook_event_gets_the_rules_of_the_resource_it_carries() -> None:
    payload = {"object": "event", "type": "contact.updated", "data": {"object": CONTACT}}
    event = {"id": "ev_1", "eventTime": "2026-01-01T00:00:00Z",
             "data": orjson.dumps(payload).decode()}
    protected = _protected(event, "webhook_events", "deidentified")
    carried = orjson.loads(protected["data"])["data"]["object"]
    assert carried["displayName"] == _hmac("Ana Lima") and carried["dateOfBirth"] == 1984


def test_a_webhook_event_of_an_unknown_kind_loses_its_data_under_a_policy() -> None:
    event = {"id": "ev_2", "data": '{"type": "visit.created", "data": {"object": {}}}'}
    assert "data" not in _protected(event, "webhook_events", "deidentified")
    assert _protected(event, "webhook_events", None, key=None) == event


def _pipeline(tmp_path: Path) -> dlt.Pipeline:
    return dlt.pipeline("phi_changes", destination=dlt.destinations.duckdb(
        str(tmp_path / "phi.duckdb")), dataset_name="spruce", pipelines_dir=str(tmp_path))


def test_records_routed_to_another_table_get_that_tables_rules(tmp_path: Path) -> None:
    @dlt.source(name="spruce")
    def practice() -> Any:
        # e.g. webhook events applied to the tables they concern
        return dlt.resource([dlt.mark.with_table_name(deepcopy(CONTACT), "contacts")],
                            name="webhook_events")

    pipeline = _pipeline(tmp_path)
    pipeline.run(protect_source(practice(), parse_phi_policy("deidentified"), KEY))
    with pipeline.sql_client() as client:
        rows = client.execute_sql("select given_name, date_of_birth from contacts")
    assert rows == [(_hmac("Ana"), 1984)]


def _load_contacts(pipeline: dlt.Pipeline, spec: Any) -> None:
    @dlt.source(name="spruce")
    def practice() -> Any:
        return dlt.resource([deepcopy(CONTACT)], name="contacts", primary_key="id",
                            write_disposition="merge")

    pipeline.run(protect_source(practice(), parse_phi_policy(spec), KEY))


def test_changing_the_policy_of_a_loaded_table_warns_with_what_to_do(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = _pipeline(tmp_path)
    caplog.set_level(logging.WARNING, logger="sources.spruce.phi")
    _load_contacts(pipeline, None)
    _load_contacts(pipeline, None)
    assert caplog.records == []
    _load_contacts(pipeline, {"columns": {"contacts": {"given_name": "hash"}}})
    [warning] = caplog.records
    assert "contacts.given_name changed from 'keep' to 'hash'" in warning.getMessage()
    assert "spruce-sync run --full-refresh contacts" in warning.getMessage()
    assert "Ana" not in warning.getMessage()
