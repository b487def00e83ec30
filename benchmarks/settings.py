"""The benchmark's constants: scenario sizes, budgets, page sizes, repeats.

Sizes are chosen so that the whole suite runs in under 15 minutes on a shared 2-core
machine (issue 6); ``QUICK`` shrinks everything for the CI smoke test.
"""

from __future__ import annotations

from collections.abc import Mapping

BENCH_TOKEN = "bench-token"
# The child process reads the token from here, never from its command line (ps shows argv).
TOKEN_ENV = "SPRUCE_BENCH_TOKEN"
DATASET = "spruce"

# The three listings whose records every pipeline loads; the ratios are computed on them.
ROOT_TABLES = ("contacts", "conversations", "conversation_items")

# List operation -> (ground-truth table, records a page holds at most; None = unpaged).
# Page sizes are the OpenAPI maxima; scheduled messages come 20 a page (API-NOTES).
LISTINGS: Mapping[str, tuple[str, int | None]] = {
    "ListContacts": ("contacts", 500),
    "ListConversations": ("conversations", 200),
    "ConversationItems": ("conversation_items", 200),
    "ContactTags": ("contact_tags", 500),
    "ContactFields": ("contact_fields", 500),
    "ConversationTags": ("conversation_tags", 500),
    "OrganizationMembers": ("organization_members", 500),
    "ListSavedMessages": ("saved_messages", 500),
    "ListScheduledMessages": ("scheduled_messages", 20),
    "PhoneLines": ("phone_lines", None),
    "InternalEndpoints": ("internal_endpoints", None),
    "Organization": ("organization", None),
}
ITEMS_OPERATION = "ConversationItems"
CONVERSATIONS_OPERATION = "ListConversations"
ITEMS_PAGE_SIZE = 200

# A run repeated this many times reports its median (issue 6: >= 3 under a minute).
REPEATS = 3
# A run longer than this is not repeated: the suite must stay under 15 minutes.
REPEAT_UNDER_SECONDS = 60.0
# A run that exceeds this is killed and reported as failed (ours takes ~3 min at medium).
RUN_TIMEOUT_SECONDS = 480.0
# An incremental run taking this many times its full sync is hung, not slow.
INCREMENTAL_TIMEOUT_FACTOR = 2.0
# In the quick smoke run a tiny sync that takes this long is hung, not slow.
QUICK_RUN_TIMEOUT_SECONDS = 120.0

# Scenario 1 and 2: a short window so that a run spans several windows in seconds.
RATE_LIMIT = 60
RATE_WINDOW_SECONDS = 10.0
NEIGHBOUR_SHARE = 1 / 3

# Scenario 3: Spruce-like latency.
LATENCY_SECONDS = 0.05
JITTER_SECONDS = 0.02

# Requests in flight for our pipeline and the raw bound's item fetches.
CONCURRENCY = 8

# Issue 6 goals, shown beside the figures.
GOAL_REQUEST_RATIO = 1.02
GOAL_UTILISATION = 1.10
GOAL_LATENCY_SPEEDUP = 5.0
GOAL_CPU_SPEEDUP = 2.0
GOAL_RAW_FACTOR = 3.0
GOAL_PEAK_RSS_MB = 1024.0
GOAL_INCREMENTAL_EXCESS = 0.05

# Simulator scales per scenario (simulator/data/scales.py); the quick smoke run uses tiny.
QUICK_SCALE = "tiny"
RATE_LIMITED_SCALE = "small"
LATENCY_SCALE = "demo"
# The issue asks for at least a million items: "million" (1.01M items in 50k
# conversations). It alone took ~9 min here (ours 175 s, the baseline 257 s, raw 99 s),
# so the suite passes the 15-minute box; "large" (2M items) would double that.
CPU_SCALE = "million"
INCREMENTAL_SCALE = "small"
SEED = 7
# Scenario 5: about 1% of conversations change between two runs.
CHANGED_SHARE = 0.01
NEW_ITEMS_PER_CHANGED_CONVERSATION = 3
