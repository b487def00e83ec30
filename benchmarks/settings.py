"""The benchmark's constants: scenario sizes, budgets, page sizes, repeats.

Sizes were chosen so that issue 6's suite ran in under 15 minutes on a shared 2-core
machine; issue 14's scenarios (the sequential baseline at the midsize scale, the 20
consecutive syncs) add a few minutes. ``QUICK`` shrinks everything for the CI smoke test.
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

# Scenario 3 and 7: Spruce-like latency, 30-70 ms a response (issue 14): the simulator
# waits LATENCY_SECONDS plus a uniform draw of up to JITTER_SECONDS.
LATENCY_SECONDS = 0.03
JITTER_SECONDS = 0.04

# Requests in flight for our pipeline and the raw bound's item fetches.
CONCURRENCY = 8

# Goals shown beside the figures: issue 6's, raised by issue 14's Bar where it sets one
# (the latency and CPU goals are now against rest_api with parallelized item listings).
GOAL_REQUEST_RATIO = 1.02
GOAL_UTILISATION = 1.10
GOAL_LATENCY_SPEEDUP = 3.0
GOAL_CPU_SPEEDUP = 2.5
GOAL_RAW_FACTOR = 1.3
GOAL_PEAK_RSS_MB = 1024.0
GOAL_INCREMENTAL_EXCESS = 0.05
# Scenario 7 (issue 14): the slowest of the consecutive syncs within this factor of their
# median, and no request retried for a timeout.
GOAL_SLOWEST_OVER_MEDIAN = 1.5
GOAL_TIMEOUT_RETRIES = 0

# Simulator scales per scenario (simulator/data/scales.py); the quick smoke run uses tiny.
QUICK_SCALE = "tiny"
RATE_LIMITED_SCALE = "small"
# Issue 14's medium scale (5,200 contacts, 1,400 conversations, 12,600 items): the size
# of the independent server the issue measured rest_api at 1.7x against.
LATENCY_SCALE = "midsize"
# The issue asks for at least a million items: "million" (1.01M items in 50k
# conversations). It alone took ~9 min here (ours 175 s, the baseline 257 s, raw 99 s),
# so the suite passes the 15-minute box; "large" (2M items) would double that.
CPU_SCALE = "million"
INCREMENTAL_SCALE = "small"
# Scenario 7: a small full sync (~230 requests at this scale; the stall showed on a
# 278-request sync) repeated this many times, each into a fresh DuckDB file; the quick
# smoke run does a few, enough to prove the figures are computed.
CONSECUTIVE_SCALE = "small"
CONSECUTIVE_SYNCS = 20
QUICK_CONSECUTIVE_SYNCS = 3
SEED = 7
# Scenario 5: about 1% of conversations change between two runs.
CHANGED_SHARE = 0.01
NEW_ITEMS_PER_CHANGED_CONVERSATION = 3

# Scenario 9 (issue 16): the webhook receiver. Acknowledgement latency at Spruce's ceiling
# of 1,000 events a minute per endpoint, for 5 minutes, twice (the receiver alone, then
# applying as well); 10 s each in the quick run. Spruce fails a delivery not answered 2xx
# within 5 s; the issue asks p99 under 100 ms.
WEBHOOK_EVENTS_PER_MINUTE = 1_000
WEBHOOK_LOAD_SECONDS = 300.0
QUICK_WEBHOOK_LOAD_SECONDS = 10.0
GOAL_ACK_P99_MS = 100.0
# Deliveries in flight at once: the simulator's (and so our model of Spruce's) sender count.
WEBHOOK_SENDERS = 8
# Spruce's own deadline, as the sender's timeout: a slower answer is a failed delivery.
WEBHOOK_TIMEOUT_SECONDS = 5.0
BENCH_SIGNING_SECRET = "whsec-bench-0123456789abcdef"
# Freshness: the receiver applies every 5 s (the setting) into PostgreSQL; each
# change is one edited contact or retitled conversation, alternately, waited for in the
# table (polled every 50 ms), then a pause drawn in [0, APPLY_EVERY) so that changes fall
# anywhere in the apply cycle. A change not visible within the timeout counts as missed.
FRESHNESS_SCALE = "small"
APPLY_EVERY_SECONDS = 5
FRESHNESS_CHANGES = 30
QUICK_FRESHNESS_CHANGES = 3
FRESHNESS_POLL_SECONDS = 0.05
FRESHNESS_TIMEOUT_SECONDS = 120.0
# The polling schedule the issue compares with: a change waits for the next sync, uniformly
# 0 to 15 minutes, then for that sync to finish.
POLLING_INTERVAL_SECONDS = 15 * 60

# Scenario 11 (issue 15): a fleet of organizations synced by `spruce-sync fleet run`, each
# its own simulated organization (its own data, token and rate budget) behind one
# simulator. Tiny organizations (31 requests a full sync) so that 50 fit in minutes; each
# gets a (limit, window seconds) of this cycle in turn, short windows with limits low
# enough that every organization is paced by its budget (its bound, requests x window /
# limit, is 10-19 s; the fleet's sum of bounds over the concurrency ~90 s). Each
# organization's profile names its window (`rate_window`, as the other scenarios tell ours
# theirs) and keeps no reserve (the budget is all the run's).
FLEET_ORGANIZATIONS = 50
FLEET_CONCURRENCY = 8
FLEET_SCALE = "tiny"
FLEET_RATE_LIMITS: tuple[tuple[int, int], ...] = ((8, 5), (10, 5), (12, 4), (16, 6))
# The quick run: a few organizations, two at a time, the same budgets (~30 s in all).
QUICK_FLEET_ORGANIZATIONS = 3
QUICK_FLEET_CONCURRENCY = 2
# How often the fleet's process tree (the command and its pool's workers) is sampled for
# its peak memory.
FLEET_MEMORY_SAMPLE_SECONDS = 0.1
