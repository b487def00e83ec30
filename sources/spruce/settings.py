"""Constants of the Spruce source: the API's limits and the sync's documented defaults.

Every number a run depends on lives here, with the reason it has this value.
"""

from __future__ import annotations

from datetime import timedelta

DEFAULT_BASE_URL = "https://api.sprucehealth.com/v1"

# The largest page size each list operation accepts (openapi.json, `maximum` of pageSize).
# Fewer pages mean fewer requests against the organization's shared rate budget.
MAX_PAGE_SIZES: dict[str, int] = {
    "ListContacts": 500,
    "ContactTags": 500,
    "ContactFields": 500,
    "ConversationTags": 500,
    "OrganizationMembers": 500,
    "ListSavedMessages": 500,
    "ListConversations": 200,
    "ConversationItems": 200,
}

# Eventual consistency: Spruce says a record "may take a short time" to appear in a listing.
# Ten minutes of re-read behind the cursor costs one or two extra pages per run at most and
# covers delays two orders of magnitude longer than any seen in practice (seconds).
DEFAULT_LOOKBACK = timedelta(minutes=10)
# The cursor never advances past run start minus this: a record stamped in the last two
# minutes may still be invisible, so the next run must list from before it.
DEFAULT_SETTLE = timedelta(minutes=2)
# A long sync (the first one, a backfill, a run after a long gap) is cut into windows, each
# loaded and committed on its own, so a stop (crash, daily budget) resumes from the last
# finished one. A window ends at the first conversations page past either bound: by volume
# (2,000 conversations, ~40k items at the simulator's 20 a conversation: 6-9 s of work
# against a local simulator) and by time (under a 100-a-minute budget the same volume
# takes over 20 minutes; five minutes of requests is the most a stop should lose). Each
# window is one dlt run, so bounds by days of history, which cut a small practice's two
# years into some 25 runs, are not used.
DEFAULT_WINDOW_CONVERSATIONS = 2_000
DEFAULT_WINDOW_DURATION = timedelta(minutes=5)

# Retries (tenacity): 6 attempts with backoff 0.5 s doubling to at most 30 s, and never
# more than 5 minutes per request in all: long enough for a deploy's 5xx burst, short
# enough that a scheduler hears about a real outage within one run.
RETRY_ATTEMPTS = 6
RETRY_INITIAL_WAIT_S = 0.5
RETRY_MAX_WAIT_S = 30.0
RETRY_TOTAL_S = 300.0
RETRY_JITTER_S = 0.5
# A wait for the rate budget or a retry can last a minute; it looks for a SIGTERM or Ctrl-C
# this often, so an interrupted run stops within a quarter of a second of it.
SIGNAL_POLL_S = 0.25
# A listing whose pagination token is rejected (expired) restarts from its first page at
# most this often; a token that keeps expiring means pages come too slowly to finish.
LISTING_RESTARTS = 3
# A Retry-After longer than this is not waited for inside a run: the run fails clearly.
RETRY_AFTER_CAP_S = 120.0

# httpx timeouts: 10 s to connect detects a dead host quickly. A page (at most 200 items
# or 500 contacts, ~1 MB) comes back in well under a second; the read timeout is what one
# reply lost on the way (a load balancer dropping it) costs before its retry: 10 s, ten
# times a slow page (30 s made one lost reply a 35-s sync of 4 s).
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0
WRITE_TIMEOUT_S = 30.0
POOL_TIMEOUT_S = 60.0
# An idle connection is dropped after this, below the 5 s idle timeout common to servers
# (uvicorn, Node): at httpx's default of 5 s, a request can go out on a connection the
# server is closing at that moment (connections idle for seconds under rate pacing).
KEEPALIVE_EXPIRY_S = 4.0

# Rate-limit windows as Spruce documents them: the limiter's prior for their length. It
# learns the minute window's real length from the refills it sees (`window_length`), so a
# server with shorter or longer windows (the simulator) needs no configuration.
RATE_WINDOW_S = 60.0
DAILY_RATE_WINDOW_S = 86_400.0
DEFAULT_RESERVE_SHARE = 0.2
# Requests in flight at once, and connections: each request borrows a session of one
# connection (`sources.spruce.sessions` says why no pool is shared between threads).
DEFAULT_CONCURRENCY = 8
# While a probe request is out (first request, or first after a window reset), the
# others poll this often for what it learns instead of spending blind: a few milliseconds,
# since the whole window waits on that answer (it arrives in one round trip).
PROBE_POLL_S = 0.005
# ...but not for longer than this: a probe stuck on a slow read must not stall the run.
PROBE_PATIENCE_S = 5.0
# The last requests of each window are paced up to its latest possible end rather than
# sent at once: they are how a reset earlier than expected is seen. 5% of the limit (3 of
# 60, 5 of 100), at least 3: few enough that a window ending early wastes little, enough to
# cut the span where the next reset can come into four or more.
RATE_TAIL_SHARE = 0.05
RATE_TAIL_MIN = 3
# Once a reset has been seen, the tail is packed into the span where the next one can come
# (how long before the answer showing it the previous request left), and never less than
# the window's last 5%: 3 s of Spruce's 60, so a reset is seen within about a second.
RATE_TAIL_SPAN_SHARE = 0.05
# ...widened by this many round trips: the first tail answer releases what the others left
# unspent, and that must go out (a few rounds of the concurrency) and land before the reset.
RATE_TAIL_ROUND_TRIPS = 4
# While no two refills have been seen, the length is searched for: the tail's requests go
# at doubling intervals from the soonest the window can reset, the first a sixteenth of the
# planned length after it (3.75 s of 60), and at least 5 are kept back for it, enough to
# double up to the whole planned length (16 = 2**4): a 5-s window is found in the first.
RATE_SEARCH_FIRST_SHARE = 1 / 16
RATE_SEARCH_PROBES = 5
# An answer showing the window open past the planned length: plan by half as long again
# (a probe sent at a guessed end that proves early costs one request, not a throttle: with
# our share spent, the next probe waits for the length's upper bound instead).
RATE_WINDOW_GROWTH = 1.5
# The others' rate in a window is counted over at least a tenth of it, so that one early
# request of a neighbour does not read as a flood.
RATE_SAMPLE_FLOOR_SHARE = 0.1
# Until the others are seen spending, they are assumed able to spend this share of each
# window, evenly: it is kept back from the burst at a window's start and released as answers
# show it unspent, so an unseen neighbour is neither raced to zero nor starved.
RATE_OTHERS_PRIOR_SHARE = 0.25
# The round trip used for the margin is the slowest recent one, forgotten by this factor
# at each answer: one slow answer widens the margin for a few dozen requests, not for ever.
ROUND_TRIP_DECAY = 0.9

# Headers that drive the throttle (a missing one means "not limited" on that dimension).
HEADER_LIMIT = "s-ratelimit-limit"
HEADER_REMAINING = "s-ratelimit-remaining"
HEADER_DAILY_LIMIT = "s-ratelimit-daily-limit"
HEADER_DAILY_REMAINING = "s-ratelimit-daily-remaining"
HEADER_REQUEST_ID = "s-request-id"

# Hostnames where plain http is acceptable (the simulator, a local proxy).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

# A wait for the rate window's end is never shorter than this share of the window (60 ms
# of Spruce's 60 s): a window whose end is a hair away is waited for, not polled in a spin.
RATE_WAIT_FLOOR_SHARE = 0.001

# The same lengths as the options' defaults (`SourceOptions`), as durations.
DEFAULT_RATE_WINDOW = timedelta(seconds=RATE_WINDOW_S)
DEFAULT_DAILY_RATE_WINDOW = timedelta(seconds=DAILY_RATE_WINDOW_S)
DEFAULT_RETRY_INITIAL_WAIT = timedelta(seconds=RETRY_INITIAL_WAIT_S)
DEFAULT_RETRY_MAX_WAIT = timedelta(seconds=RETRY_MAX_WAIT_S)
DEFAULT_RETRY_TOTAL = timedelta(seconds=RETRY_TOTAL_S)
DEFAULT_READ_TIMEOUT = timedelta(seconds=READ_TIMEOUT_S)
