"""The receiver keeps nothing it was not asked to: no payload, secret or signature in its
output, no header or raw body in the inbox, and the PHI policy applied before the disk."""

from __future__ import annotations

from pathlib import Path

import orjson

from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.signature import sign
from tests.webhooks.receivers import (
    OLD_SIGNING_SECRET,
    PATIENT_MARKER,
    SIGNING_SECRET,
    envelope,
    project_env,
    start_receiver,
)

FAMILY_MARKER = "Pemberton-Oddleigh-5523"
HEADER_MARKER = "header-value-never-stored-4417"
PHI_HASH_KEY = "phi-hash-key-0123456789abcdef"
PROFILE_WITH_POLICY = """\
profiles:
  default:
    phi_policy:
      columns:
        contacts:
          given_name: drop
          family_name: hash
"""


def _inbox_bytes(inbox: Path) -> bytes:
    """The inbox file and its WAL and shared-memory files, as they are on disk."""
    return b"".join(path.read_bytes() for path in inbox.parent.glob(inbox.name + "*"))


def test_no_payload_secret_or_signature_is_printed_even_at_debug_level(project: Path) -> None:
    receiver = start_receiver(project, "--debug")
    good = envelope(given_name=PATIENT_MARKER)
    signatures = [sign(good, SIGNING_SECRET), sign(good, "whsec-wrong-000000000000")]
    receiver.post(good, signature=signatures[0])
    receiver.post(good, signature=signatures[1])
    receiver.post(b'{"object": "event", "note": "' + PATIENT_MARKER.encode() + b'"}')
    receiver.post(b"{" + PATIENT_MARKER.encode())
    receiver.stop()
    output = receiver.output()
    assert "refused a delivery" in output  # the refusals were logged ...
    for value in (PATIENT_MARKER, SIGNING_SECRET, OLD_SIGNING_SECRET, *signatures):
        assert value not in output  # ... but nothing of them
    assert "Traceback" not in output


def test_the_inbox_keeps_no_header_signature_or_envelope(project: Path) -> None:
    receiver = start_receiver(project)
    body = envelope(event_id="wev_kept", given_name="Ada")
    answer = receiver.client.post(
        receiver.endpoints["default"], content=body,
        headers={"x-spruce-signature": sign(body, SIGNING_SECRET), "x-marker": HEADER_MARKER},
    )  # fmt: skip
    assert answer.status_code == 200
    stored = _inbox_bytes(receiver.inbox)
    receiver.stop()
    assert b"Ada" in stored  # the resource is kept (no policy configured) ...
    for absent in (HEADER_MARKER, sign(body, SIGNING_SECRET), '"object":"event"'):
        assert absent.encode() not in stored  # ... and nothing else of the request


def test_the_phi_policy_applies_before_the_event_is_stored(project: Path) -> None:
    (project / "config").mkdir()
    (project / "config" / "spruce-sync.yaml").write_text(PROFILE_WITH_POLICY, encoding="utf-8")
    env = project_env(project, SOURCES__SPRUCE__PHI_HASH_KEY=PHI_HASH_KEY)
    receiver = start_receiver(project, env=env)
    body = envelope(given_name=PATIENT_MARKER, family_name=FAMILY_MARKER, resource_id="entity_p")
    assert receiver.post(body).status_code == 200
    on_disk = _inbox_bytes(receiver.inbox)
    inbox = Inbox.open(receiver.inbox)
    (event,) = inbox.pending(limit=10)
    inbox.close()
    receiver.stop()
    assert PATIENT_MARKER.encode() not in on_disk and FAMILY_MARKER.encode() not in on_disk
    assert "givenName" not in event.resource
    assert len(event.resource["familyName"]) == 64  # an HMAC, hex
    assert event.resource["id"] == "entity_p"
    assert orjson.loads(body)["data"]["object"]["familyName"] == FAMILY_MARKER
