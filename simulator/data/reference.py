"""Small organization-wide records: tags, fields, phone lines, endpoints, saved messages."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339
from simulator.data.context import OrgContext
from simulator.data.people import People
from simulator.data.settings import DAY_MS, SECURE_LINK_HOST
from simulator.data.text import (
    FIELD_NAMES,
    PHONE_LINE_NAMES,
    SAVED_MESSAGE_TITLES,
    TAG_VALUES,
    TEAM_MESSAGES,
    message_text,
)

WEBHOOK_STATUSES = ("active", "active", "failing")


@dataclass(frozen=True)
class Reference:
    """The organization's reference data, generated once (it is small at every scale)."""

    contact_tags: list[JsonRecord]
    contact_fields: list[JsonRecord]
    conversation_tags: list[JsonRecord]
    phone_lines: list[JsonRecord]
    internal_endpoints: list[JsonRecord]
    saved_messages: list[JsonRecord]
    webhook_endpoints: list[JsonRecord]

    def endpoint(self, channel: str) -> JsonRecord:
        """The organization's first internal endpoint on ``channel``."""
        for internal in self.internal_endpoints:
            if internal["endpoint"]["channel"] == channel:
                return dict(internal["endpoint"])
        raise LookupError(f"the organization has no {channel} endpoint")


def generate_reference(context: OrgContext, people: People) -> Reference:
    """Every small reference list, sorted the way Spruce lists it (by id)."""
    scale = context.scale
    phone_lines = [_phone_line(context, index) for index in range(scale.phone_lines)]
    return Reference(
        contact_tags=[_tag(context, index, "contact") for index in range(scale.contact_tags)],
        contact_fields=[_field(context, index) for index in range(scale.contact_fields)],
        conversation_tags=[
            _tag(context, index, "conversation") for index in range(scale.conversation_tags)
        ],
        phone_lines=phone_lines,
        internal_endpoints=_internal_endpoints(context, people, phone_lines),
        saved_messages=[
            _saved_message(context, people, index) for index in range(scale.saved_messages)
        ],
        webhook_endpoints=[
            _webhook_endpoint(context, index) for index in range(scale.webhook_endpoints)
        ],
    )


def _created(context: OrgContext, stream: str, index: int, max_days: int = 1500) -> int:
    days = context.rng(stream, index).randrange(30, max_days)
    return context.anchor_ms - days * DAY_MS


def _tag(context: OrgContext, index: int, kind: str) -> JsonRecord:
    codec = context.codecs.contact_tag if kind == "contact" else context.codecs.conversation_tag
    offset = 0 if kind == "contact" else 5
    value = TAG_VALUES[(index + offset) % len(TAG_VALUES)]
    suffix = f" {index // len(TAG_VALUES) + 1}" if index >= len(TAG_VALUES) else ""
    return {"id": codec.make(index), "value": value + suffix, "object": "tag"}


def _field(context: OrgContext, index: int) -> JsonRecord:
    name = FIELD_NAMES[index % len(FIELD_NAMES)]
    suffix = f" ({index // len(FIELD_NAMES) + 1})" if index >= len(FIELD_NAMES) else ""
    return {"id": context.codecs.contact_field.make(index), "name": name + suffix}


def _phone_line(context: OrgContext, index: int) -> JsonRecord:
    return {
        "id": context.codecs.phone_line.make(index),
        "name": PHONE_LINE_NAMES[index % len(PHONE_LINE_NAMES)],
        # Required by the schema although it declares no such property.
        "createdAt": rfc3339(_created(context, "phone-line", index)),
    }


def _internal_endpoints(
    context: OrgContext, people: People, phone_lines: list[JsonRecord]
) -> list[JsonRecord]:
    # Owners are teammates: the schema's oneOf cannot tell a team from an organization.
    owners = people.teammates
    endpoints = [
        _endpoint(context, index, "phone", f"+1206555{index:04d}", f"(206) 555-{index:04d}")
        for index in range(len(phone_lines))
    ]
    endpoints.append(_endpoint(context, len(endpoints), "email", "care@cedarspruce.example",
                               "care@cedarspruce.example"))
    endpoints.append(_endpoint(context, len(endpoints), "fax", "+12065559999",
                               "(206) 555-9999"))
    link = f"https://{SECURE_LINK_HOST}/cedar-spruce"
    endpoints.append(_endpoint(context, len(endpoints), "secure", link, link[8:]))
    return [
        {"endpoint": endpoint, "owner": owners[index % len(owners)], "object": "internalEndpoint"}
        for index, endpoint in enumerate(endpoints)
    ]


def _endpoint(context: OrgContext, index: int, channel: str, raw: str, display: str) -> JsonRecord:
    return {
        "id": context.codecs.endpoint.make(index),
        "channel": channel,
        "displayValue": display,
        "rawValue": raw,
        "isInternal": True,
        "object": "endpoint",
    }


def _saved_message(context: OrgContext, people: People, index: int) -> JsonRecord:
    rng = context.rng("saved-message", index)
    created = _created(context, "saved-message", index)
    return {
        "id": context.codecs.saved_message.make(index),
        "title": SAVED_MESSAGE_TITLES[index % len(SAVED_MESSAGE_TITLES)],
        "shared": rng.random() < 0.7,
        "internal": rng.random() < 0.2,
        "text": message_text(rng, TEAM_MESSAGES),
        "attachments": [],
        "creatorMemberId": rng.choice(people.teammate_ids),
        "createdAt": rfc3339(created),
        "modifiedAt": rfc3339(created + rng.randrange(0, 20) * DAY_MS),
        "object": "savedMessage",
    }


def _webhook_endpoint(context: OrgContext, index: int) -> JsonRecord:
    return {
        "id": context.codecs.webhook_endpoint.make(index),
        "name": f"Sync endpoint {index + 1}",
        "url": f"https://hooks.cedarspruce.example/spruce/{index + 1}",
        "status": WEBHOOK_STATUSES[index % len(WEBHOOK_STATUSES)],
        # Spruce returns a secret's value only when the endpoint is created.
        "signingSecrets": [{"id": context.codecs.signing_secret.make(index), "value": ""}],
        "createdAt": rfc3339(_created(context, "webhook-endpoint", index, 400)),
        "object": "webhookEndpoint",
    }
