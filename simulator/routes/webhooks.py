"""The write operations on webhook endpoints: create, pause or resume, delete.

Sample answers::

    POST /webhooks/endpoints {"name": "sync", "url": "https://hooks.example/spruce"}
      -> {"endpoint": {"id": "wde_...", "signingSecrets": [{"id": "wss_...", "value": "..."}],
                       "status": "active", ...}}      (the only answer with a secret's value)
    POST /webhooks/endpoints/{id}/paused?paused=true  -> {"paused": true}
    DELETE /webhooks/endpoints/{id}                   -> {}

The gateway handles ``s-idempotency-key`` (``simulator.idempotency``) around them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from simulator.routes.call import ApiCall, bad_parameter, organization_errors
from simulator.routes.params import json_object

# Bytes of randomness in a signing secret (HMAC-SHA256 takes a key of its block size).
SECRET_BYTES = 32
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class CreateEndpoint:
    """``POST /webhooks/endpoints``: a live endpoint that every later change is sent to."""

    operation: str = "CreateWebhookEndpoint"

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        name, url = _endpoint_input(call.body)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        with call.data_lock:
            endpoint = call.organization.webhooks.create(name, url, secret, call.now)
        return {"endpoint": endpoint}


@dataclass(frozen=True)
class PauseEndpoint:
    """``POST /webhooks/endpoints/{endpointId}/paused?paused=true|false``."""

    operation: str = "ModifyWebhookEndpointPaused"

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        raw = call.query.get("paused", "")
        paused = BOOLEANS.get(raw.lower())
        if paused is None:
            raise bad_parameter(f"paused is required: true or false; got {raw!r}")
        endpoint_id = call.path_params["endpointId"]
        with call.data_lock, organization_errors(f"webhook endpoint {endpoint_id}"):
            call.organization.webhooks.set_paused(endpoint_id, paused)
        return {"paused": paused}


@dataclass(frozen=True)
class DeleteEndpoint:
    """``DELETE /webhooks/endpoints/{endpointId}``: no more deliveries, no more event log."""

    operation: str = "DeleteWebhookEndpoint"

    def __call__(self, call: ApiCall) -> dict[str, Any]:
        endpoint_id = call.path_params["endpointId"]
        with call.data_lock, organization_errors(f"webhook endpoint {endpoint_id}"):
            call.organization.webhooks.delete(endpoint_id)
        return {}


def _endpoint_input(body: bytes) -> tuple[str, str]:
    """``name`` and ``url`` of a ``webhookDestinationEndpointInput``; 400 naming the fault."""
    data = json_object(body, b"null", 'the body must be a JSON object: {"name": ..., "url": ...}')
    name, url = data.get("name"), data.get("url")
    if not isinstance(name, str) or not name.strip():
        raise bad_parameter("name is required: a non-empty string")
    if not isinstance(url, str) or not _is_web_url(url):
        raise bad_parameter(f"url must be an http or https URL; got {url!r}")
    return name, url


def _is_web_url(url: str) -> bool:
    # Spruce asks for HTTPS; the simulator also takes http, for receivers on loopback.
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
