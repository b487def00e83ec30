"""`webhooks serve` over real HTTP: who is let in, what is refused, and that nothing of
the refused reaches the inbox or ends the server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.settings import MAX_BODY_BYTES
from pipelines.webhooks.signature import sign
from tests.webhooks.receivers import (
    OLD_SIGNING_SECRET,
    SIGNING_SECRET,
    Receiver,
    envelope,
)


def _stored_ids(receiver: Receiver) -> list[str | None]:
    inbox = Inbox.open(receiver.inbox)
    try:
        return [event.resource_id for event in inbox.pending(limit=10_000)]
    finally:
        inbox.close()


def _altered(body: bytes) -> bytes:
    """``body`` with one byte changed (a digit of the resource id)."""
    position = body.index(b"entity_") + len(b"entity_")
    return body[:position] + bytes([body[position] ^ 1]) + body[position + 1:]


@pytest.mark.parametrize(
    ("case", "expected"),
    [("current secret", 200), ("secret being rotated out", 200), ("missing", 401),
     ("wrong secret", 401), ("empty", 401), ("not base64", 401), ("not ascii", 401),
     ("body altered by one byte", 401)],
)  # fmt: skip
def test_only_a_delivery_signed_with_a_configured_secret_is_stored(
    shared_receiver: Receiver, case: str, expected: int
) -> None:
    resource_id = "entity_" + case.replace(" ", "_")
    body = envelope(resource_id=resource_id, given_name="Ada")
    signatures: dict[str, str | bytes | None] = {
        "current secret": sign(body, SIGNING_SECRET),
        "secret being rotated out": sign(body, OLD_SIGNING_SECRET),
        "missing": None, "wrong secret": sign(body, "whsec-someone-else-000000"),
        "empty": "", "not base64": "!!not*base64!!", "not ascii": "é-not-ascii".encode(),
        "body altered by one byte": sign(_altered(body), SIGNING_SECRET),
    }  # fmt: skip
    answer = shared_receiver.post(body, signature=signatures[case])
    assert answer.status_code == expected
    assert (resource_id in _stored_ids(shared_receiver)) is (expected == 200)


def test_the_same_delivery_three_times_is_stored_once_and_acknowledged_each_time(
    shared_receiver: Receiver,
) -> None:
    with_id = envelope(resource_id="entity_repeat_a", event_id="wev_repeat_a")
    without_id = envelope(resource_id="entity_repeat_b")
    for body in (with_id, without_id):
        answers = [shared_receiver.post(body) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.json()["status"] for a in answers] == ["stored", "duplicate", "duplicate"]
    stored = _stored_ids(shared_receiver)
    assert stored.count("entity_repeat_a") == stored.count("entity_repeat_b") == 1


@pytest.mark.parametrize(
    "body",
    [b"", b"{not json", b"\xff\xfe", b"[]", b'"event"', b"null",
     b'{"object": "list", "type": "contact.updated", "data": {"object": {}}}',
     envelope(kind="contact.exploded"), envelope(kind=""),
     b'{"object": "event", "type": "contact.updated", "eventTime": "2025-03-01T12:00:00Z"}',
     (b'{"object": "event", "type": "contact.updated", "eventTime": "2025-03-01T12:00:00Z",'
      b' "data": {"object": "a string"}}'),
     envelope(event_time="yesterday"), envelope(event_time="")],
    ids=["empty", "malformed", "not utf-8", "a list", "a string", "null", "not an event",
         "unknown type", "empty type", "no data", "data not an object", "bad time",
         "empty time"],
)  # fmt: skip
def test_a_signed_body_that_is_not_a_spruce_event_is_refused_with_400(
    shared_receiver: Receiver, body: bytes
) -> None:
    before = len(_stored_ids(shared_receiver))
    answer = shared_receiver.post(body)
    assert answer.status_code == 400
    assert len(_stored_ids(shared_receiver)) == before
    assert shared_receiver.get("/healthz").status_code == 200


def _chunks(total: int) -> Iterator[bytes]:
    """A body sent chunked (no Content-Length): the receiver must count as it reads."""
    chunk = b" " * 65536
    for _ in range(total // len(chunk) + 1):
        yield chunk


@pytest.mark.parametrize("sent", ["declared", "chunked"])
def test_a_body_over_the_limit_is_refused_with_413_and_the_server_carries_on(
    shared_receiver: Receiver, sent: str
) -> None:
    url = shared_receiver.endpoints["default"]
    signature = {"x-spruce-signature": sign(b"irrelevant", SIGNING_SECRET)}
    content = b" " * (MAX_BODY_BYTES + 1) if sent == "declared" else _chunks(MAX_BODY_BYTES + 1)
    try:
        status = httpx.post(url, content=content, headers=signature, timeout=30).status_code
    except httpx.HTTPError:  # the server may close the connection before reading it all
        status = 413
    assert status == 413
    assert shared_receiver.post(envelope(resource_id="entity_after_413")).status_code == 200


def test_a_body_at_the_limit_is_read(shared_receiver: Receiver) -> None:
    body = envelope(resource_id="entity_at_limit")
    padded = body[:-1] + b" " * (MAX_BODY_BYTES - len(body)) + body[-1:]
    assert shared_receiver.post(padded).status_code == 200


def test_other_paths_and_methods_are_not_deliveries(shared_receiver: Receiver) -> None:
    assert shared_receiver.post(envelope(), slug="clinic-nowhere").status_code == 404
    assert shared_receiver.get("/webhooks/spruce").status_code == 405
    assert shared_receiver.get("/healthz").json() == {"status": "ok"}
    assert shared_receiver.get("/readyz").json() == {"status": "ready"}


def test_signature_check_is_on_the_raw_bytes_not_the_parsed_json(
    shared_receiver: Receiver,
) -> None:
    body = envelope(resource_id="entity_raw_bytes")
    reformatted = body.replace(b",", b", ")  # the same JSON, other bytes
    signature = sign(body, SIGNING_SECRET)
    assert shared_receiver.post(reformatted, signature=signature).status_code == 401
    assert shared_receiver.post(body, signature=signature).status_code == 200
