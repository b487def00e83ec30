"""Constants of the simulated organization's data, in one place."""

from __future__ import annotations

from datetime import datetime, timezone

# Every generated record lies before this instant unless a caller passes another anchor.
DEFAULT_ANCHOR = datetime(2026, 11, 1, tzinfo=timezone.utc)

API_BASE_URL = "https://api.sprucehealth.com/v1"
APP_BASE_URL = "https://app.sprucehealth.com"
MEDIA_BASE_URL = "https://media.sprucehealth.com"

# Voicemail transcriptions made before this instant are in Spruce's legacy format (404).
LEGACY_TRANSCRIPTION_CUTOFF = datetime(2025, 11, 1, tzinfo=timezone.utc)
LEGACY_TRANSCRIPTION_MESSAGE = (
    "transcriptions created before November 2025 are stored in a legacy format "
    "and cannot be retrieved through the API"
)

# Webhook endpoints keep their event log this long.
EVENT_RETENTION_DAYS = 30
# Event delivery retries before an event is marked failed.
EVENT_ATTEMPT_LIMIT = 10

# Signed media URLs are re-signed once per bucket and stay valid for the lifetime.
SIGNED_URL_BUCKET_SECONDS = 3600
SIGNED_URL_LIFETIME_SECONDS = 2 * 3600

# Conversations whose generated items are kept in memory (the rest are regenerated).
THREAD_CACHE_SIZE = 512
# Generated contact and conversation records kept in memory.
RECORD_CACHE_SIZE = 4096

# Contact searches whose matching ids are kept while paging.
SEARCH_CACHE_SIZE = 8

# Default lateness of ``late_items`` in ``advance``.
DEFAULT_LATE_BY_SECONDS = 60

# Milliseconds in common spans, for integer time arithmetic.
SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

# Generated history: contacts over four years, conversations over two, before the anchor.
CONTACT_HISTORY_DAYS = 4 * 365
CONVERSATION_HISTORY_DAYS = 2 * 365
# Item count range of the scale's heavy conversations (listing them takes several pages).
HEAVY_ITEMS = (401, 900)
# Share of records that share their time with the one before (ties to break by id).
TIE_SHARE = 0.05

# How often a random pick may miss (a deleted contact, an empty thread) before giving up.
PICK_ATTEMPTS = 50
# Items a conversation made by ``advance`` starts with (inclusive range).
ITEMS_PER_NEW_CONVERSATION = (1, 4)

ORGANIZATION_NAME = "Cedar & Spruce Family Medicine 🌲"
SECURE_LINK_HOST = "spruce.care"
