"""Constants of the webhook receiver and its inbox, each with the reason for its value."""

from __future__ import annotations

from pathlib import Path

# --- what Spruce sends --------------------------------------------------------------------
# base64(HMAC-SHA256(signing secret, raw body)); Starlette lower-cases header names.
SIGNATURE_HEADER = "x-spruce-signature"
# The event types of Spruce's webhook documentation; any other type is answered 400, so
# that a new kind is noticed (Spruce retries it for 20 minutes) rather than stored blind.
EVENT_TYPES: frozenset[str] = frozenset({
    "contact.created", "contact.updated", "contact.deleted", "contact.merged",
    "conversation.created", "conversation.updated", "conversation.deleted",
    "conversationItem.created", "conversationItem.updated", "conversationItem.deleted",
    "conversationItem.restored",
    "scheduledMessage.created", "scheduledMessage.updated", "scheduledMessage.deleted",
    "scheduledMessage.sent",
})
# A delivery carries one whole resource: a conversation item with its conversation and a
# long message is tens of kilobytes. 1 MiB leaves room for any real one and caps what an
# unauthenticated client can make the receiver buffer before the signature is checked.
MAX_BODY_BYTES = 1024 * 1024

# --- where it listens ---------------------------------------------------------------------
# Loopback by default: a reverse proxy terminates TLS in front (Spruce posts to https).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
# One organization posts to DEFAULT_PATH; each of a fleet to DEFAULT_PATH/<slug>.
DEFAULT_PATH = "/webhooks/spruce"
# The organization a single-organization setup stores its events under.
DEFAULT_ORGANIZATION = "default"
# A slug is a path segment and a config section name: keep it plain.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"

# --- the secrets (dlt's providers: environment, then .dlt/secrets.toml) -------------------
# SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET, or webhook_signing_secret under [sources.spruce];
# a list or a comma-separated string holds several during a rotation.
SIGNING_SECRET_KEY = "sources.spruce.webhook_signing_secret"
# [sources.spruce.organizations.<slug>] webhook_signing_secret, one section an organization.
ORGANIZATIONS_KEY = "sources.spruce.organizations"
SIGNING_SECRET_FIELD = "webhook_signing_secret"

# --- the inbox ----------------------------------------------------------------------------
# Relative to the project folder (the one holding .dlt/), beside nothing of the warehouse.
DEFAULT_INBOX = Path("var/webhooks/inbox.sqlite")
# A write waits this long for `webhooks apply`'s short lock: well under Spruce's 5-second
# deadline, so a stuck lock becomes a 503 that Spruce retries, not a timeout.
INBOX_BUSY_TIMEOUT_MS = 2000
# One writer: the receiver's store() calls run on one thread, off the event loop, because
# each commit waits for an fsync.
INBOX_WRITER_THREADS = 1
INBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    key TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    type TEXT NOT NULL,
    event_time TEXT NOT NULL,
    resource_id TEXT,
    resource BLOB NOT NULL,
    received_at TEXT NOT NULL,
    applied_at TEXT
);
CREATE INDEX IF NOT EXISTS pending_events ON events (event_time) WHERE applied_at IS NULL;
"""
