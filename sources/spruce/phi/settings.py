"""Constants of the PHI policy: the actions, the guarded columns and the presets.

Column paths are dotted and written in the warehouse's snake_case names, one segment per
nesting level; arrays are crossed transparently, so ``phone_numbers.value`` names the
``value`` column of the child table ``contacts__phone_numbers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Action = Literal["keep", "drop", "hash", "redact", "generalize"]
ACTIONS: tuple[Action, ...] = ("keep", "drop", "hash", "redact", "generalize")
SignedUrlHandling = Literal["strip", "drop"]
SIGNED_URL_HANDLINGS: tuple[SignedUrlHandling, ...] = ("strip", "drop")

# The dlt secret that keys the HMAC (env SOURCES__SPRUCE__PHI_HASH_KEY).
HASH_KEY_SECRET = "sources.spruce.phi_hash_key"
# A key shorter than this is a typo or a placeholder, not a secret.
MIN_HASH_KEY_LENGTH = 16
# ``redact`` keeps the length of a string in a sibling column named <column>_length.
REDACTED_LENGTH_SUFFIX = "_length"
# Where a previous run's policy is remembered (source state; actions only, no data).
STATE_KEY = "phi_policy"

# The resources of the Spruce source, i.e. the raw tables a policy may name.
RESOURCES: frozenset[str] = frozenset(
    {
        "contacts",
        "contact_fields",
        "contact_tags",
        "conversations",
        "conversation_items",
        "conversation_tags",
        "internal_endpoints",
        "organization",
        "organization_members",
        "phone_lines",
        "saved_messages",
        "scheduled_messages",
        "webhook_events",
    }
)
# Keys, cursors and the timestamps the models count by: altering them would break merges,
# incremental loading or every figure, so a policy may only keep them.
GUARDED_COLUMNS: frozenset[str] = frozenset(
    {"id", "conversation_id", "created", "created_at", "modified_at", "last_message_at",
     "event_time", "direction", "is_internal_note"}
)
# A webhook event's ``data`` holds a whole resource; its type's prefix says which one.
EVENT_OBJECT_RESOURCES: Mapping[str, str] = {
    "contact": "contacts",
    "conversation": "conversations",
    "conversationItem": "conversation_items",
    "scheduledMessage": "scheduled_messages",
}

_ATTACHMENT_PHI: Mapping[str, Action] = {
    "title": "drop",
    "data.name": "drop",
    "data.title": "drop",
    "data.url": "drop",
}
# HIPAA Safe Harbor identifiers that Spruce records carry: names, phone and fax numbers,
# emails, dates of birth (to the year), addresses and other free text (custom fields,
# message text), record numbers of other systems, and attachment URLs.
DEIDENTIFIED: Mapping[str, Mapping[str, Action]] = {
    "contacts": {
        "given_name": "hash",
        "middle_name": "hash",
        "family_name": "hash",
        "display_name": "hash",
        "company_name": "hash",
        "date_of_birth": "generalize",
        "phone_numbers.value": "hash",
        "phone_numbers.display_value": "drop",
        "email_addresses.value": "hash",
        "fax_numbers.value": "hash",
        "fax_numbers.display_value": "drop",
        "custom_contact_fields.value": "redact",
        "custom_fields.value": "redact",
        "organization_contact_fields.value": "redact",
        "integration_links.external_id": "hash",
        "integration_links.url": "drop",
    },
    "conversations": {
        "title": "hash",
        "subtitle": "hash",
        "external_participants.display_name": "hash",
        "external_participants.endpoint.display_value": "drop",
        "external_participants.endpoint.raw_value": "hash",
        "external_participants.endpoint.label": "drop",
    },
    "conversation_items": {
        # Webhook payloads of items carry their whole conversation; it has its own table.
        "conversation": "drop",
        "text": "redact",
        "author.display_name": "hash",
        "event.data.answered_by.external_number": "hash",
        **{f"attachments.{path}": action for path, action in _ATTACHMENT_PHI.items()},
    },
    "scheduled_messages": {
        "message.text": "redact",
        **{f"message.attachments.{path}": action for path, action in _ATTACHMENT_PHI.items()},
    },
}
PRESETS: Mapping[str, Mapping[str, Mapping[str, Action]]] = {"deidentified": DEIDENTIFIED}
# Signed URLs of a preset: de-identified data keeps no link to the files at all.
PRESET_SIGNED_URLS: Mapping[str, SignedUrlHandling] = {"deidentified": "drop"}
