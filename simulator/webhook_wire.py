"""What a webhook delivery puts on the wire: the body, its signature, the headers.

The body is the event's envelope exactly as the endpoint's event log holds it (the
``data`` of ``GET /webhooks/endpoints/{id}/events``), so a receiver that hashes bodies
sees a delivery and its retries as one event; with ``event_ids`` the envelope also
carries the log's event id first::

    {"id": "wev_...", "object": "event", "type": "contact.updated",
     "eventTime": "2026-12-05T14:15:32.000Z", "data": {"object": {...the contact...}}}

``X-Spruce-Signature`` is base64(HMAC-SHA256(secret, body)): Spruce signs nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

from simulator.contract import WebhookDelivery

SIGNATURE_HEADER = "X-Spruce-Signature"
USER_AGENT = "Spruce-Webhooks (spruce-sync simulator)"


def signature(secret: str, body: bytes) -> str:
    """Spruce's signature of ``body``: the secret's UTF-8 bytes are the HMAC key."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def delivery_body(delivery: WebhookDelivery, event_ids: bool) -> bytes:
    """The bytes POSTed for ``delivery``; the same for every attempt of it."""
    if not event_ids:
        return delivery.payload.encode()
    return orjson.dumps({"id": delivery.event_id, **orjson.loads(delivery.payload)})


def delivery_headers(secret: str, body: bytes) -> dict[str, str]:
    return {"content-type": "application/json", "user-agent": USER_AGENT,
            SIGNATURE_HEADER: signature(secret, body)}  # fmt: skip
