"""Constants of the runner and the command line: names, defaults, environment variables.

The source's own defaults (lookback, windows, rate limits, page sizes) live in
`sources.spruce.settings`; this module holds what only a run of the pipeline needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

# --- configuration ------------------------------------------------------------------------
DEFAULT_CONFIG_DIR = Path("config")
DEFAULT_PROFILE = "default"
CONFIG_ENV = "SPRUCE_SYNC_CONFIG"
PROFILE_ENV = "SPRUCE_SYNC_PROFILE"
# The options a run is given on the command line only, never in a profile.
PER_RUN_OPTIONS = frozenset({"backfill_since", "backfill_until", "full_refresh"})
# Keys that hold secrets; refused in YAML wherever they appear in a profile.
SECRET_KEYS = frozenset(
    {"api_token", "token", "password", "passwd", "secret", "credentials", "dsn", "hmac_key"}
)

# --- destinations -------------------------------------------------------------------------
DEFAULT_DESTINATION: Literal["duckdb", "postgres"] = "duckdb"
DEFAULT_DATASET = "spruce"
DEFAULT_PIPELINE_NAME = "spruce_sync"
# One pipeline (state, lock, working folder) per destination unless a profile names one.
DEFAULT_PIPELINE_NAMES = {"duckdb": DEFAULT_PIPELINE_NAME, "postgres": "spruce_sync_postgres"}
# Not "spruce.duckdb": a DuckDB file named like the dataset ("spruce") makes DuckDB's binder
# fail every query with "Ambiguous reference to catalog or schema".
DEFAULT_DUCKDB_FILE = "spruce_sync.duckdb"
# DuckDB: dlt's parquet loader (PERF-NOTES: 4x faster than insert-values). PostgreSQL:
# none, so that dlt picks a file per kind of item: Python rows go as insert-values (dlt's
# csv writer of rows cannot tell "" from None; measured: the simulator's empty message
# texts loaded as NULL), Arrow tables as csv, loaded by COPY (runner/postgres_copy.py).
LOADER_FILE_FORMATS: dict[str, Literal["parquet"] | None] = {
    "duckdb": "parquet", "postgres": None,
}
# The loader format that the code before issue 14 stored as a hint on every PostgreSQL
# table: dlt forces a table's hint on every kind of item, so it is taken off once.
STALE_FILE_FORMAT = "insert_values"
# The line end of csv files that dlt writes from Python rows (pyarrow's end in "\n"): it
# tells the COPY job which files write None and "" alike (runner/postgres_copy.py).
ROW_CSV_LINE_END = "\r\n"
# Bytes handed to COPY a call: psycopg2's default 8 KiB costs a Python call per 8 KiB.
COPY_CHUNK_BYTES = 1 << 20
# DuckDB's buffer pool defaults to 80% of the machine's memory, and a connection held for a
# whole run keeps what it cached: a fixed limit keeps a sync's memory flat however large
# the warehouse grows (DuckDB spills to a temporary folder beside the file beyond it).
DUCKDB_MEMORY_LIMIT = "256MB"

# --- secrets in output --------------------------------------------------------------------
# Secrets besides the token that the CLI masks wherever they might be echoed.
OTHER_SECRETS = ("sources.spruce.phi_hash_key", "destination.postgres.credentials")
# Shorter values are not masked: replacing every "abc" in the output would garble it, and
# such a value is a placeholder rather than a secret.
MIN_MASKED_LENGTH = 6

# --- output -------------------------------------------------------------------------------
LOG_INTERVAL_S = 15.0
LIVE_REFRESH_PER_S = 4
PLAIN_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log a line per request at INFO: the live progress already counts them.
CHATTY_LOGGERS = ("httpx", "httpcore")
# A message of an unexpected error is cut here: it may quote more than it should.
MAX_MESSAGE_CHARS = 600

# --- the demo -----------------------------------------------------------------------------
DEMO_TOKEN = "demo-token"
DEMO_DUCKDB_FILE = "spruce-demo.duckdb"
DEMO_PIPELINE = "spruce_demo"
DEMO_DATASET = "spruce"

# --- the analysts' layer ------------------------------------------------------------------
# Package data, read through importlib.resources: pyproject.toml maps the repository's
# transform/ and docs/ into these packages (an installed package has no checkout to look
# in). The dbt project (dbt_project.yml, profiles.yml, models/, ...) and questions/: plain
# SQL, one question a file, its first line "-- <the question>", over the raw tables
# (``{dataset}``) in raw/, over the models (``{analytics}``) beside it.
TRANSFORM_PACKAGE = "pipelines.analytics.dbt_project"
# The data dictionary's tables.json (from docs/; the rest of docs/ is not shipped).
DOCS_PACKAGE = "pipelines.analytics.docs"
ANALYTICS_SCHEMA = "spruce_analytics"
# A source checkout only: where scripts/gen_dictionary.py writes docs/tables.md and
# docs/tables.json, from Spruce's OpenAPI document beside the checkout.
CHECKOUT_DIR = Path(__file__).resolve().parent.parent
DOCS_DIR = CHECKOUT_DIR / "docs"
OPENAPI_PATH = CHECKOUT_DIR.parent / "shared" / "spruce" / "openapi.json"

# --- the fleet file (pipelines/fleet/fleet_file.py) ---------------------------------------
# Beside the profiles; config/*.yaml are read as profiles except this file.
DEFAULT_FLEET_FILE = DEFAULT_CONFIG_DIR / "fleet.yaml"
# Organizations synced at once: each is a process of its own (dlt, DuckDB's 256 MB buffer
# pool), and each organization has its own token and so its own rate budget at Spruce: the
# limit is the machine, and four fit a small VM.
DEFAULT_FLEET_CONCURRENCY = 4
# How often the Dagster schedule asks for every organization's partition: the interval of
# the single-organization cron recipe (README), an incremental sync being small.
DEFAULT_FLEET_SCHEDULE = "*/15 * * * *"
# A cron expression as Dagster takes it: five fields, or a macro. Dagster checks the fields.
FLEET_SCHEDULE_PATTERN = r"^(@(hourly|daily|weekly|monthly)|\S+(\s+\S+){4})$"
# A DuckDB file per organization (DuckDB allows one writing process per file), named
# <slug>.duckdb, in this folder of the project.
DEFAULT_FLEET_FOLDER = Path("var/fleet")
# An organization's pipeline and dataset (its PostgreSQL schema): spruce_<slug>, '-' as '_'.
FLEET_NAME_PREFIX = "spruce_"
# [sources.spruce.organizations.<slug>] api_token: an organization's token, through dlt.
FLEET_TOKEN_FIELD = "api_token"
# Identifiers (pipeline, schema) are at most 63 characters: the prefix leaves this many.
MAX_FLEET_SLUG_LENGTH = 63 - len(FLEET_NAME_PREFIX)

# --- The fleet's Dagster code location (pipelines/fleet/) ---
# The variable that names the fleet file for `dagster dev -m pipelines.fleet.definitions`.
FLEET_FILE_VARIABLE = "SPRUCE_SYNC_FLEET"
FLEET_JOB_NAME = "spruce_fleet_sync"
# Asset keys: spruce/<table>, each read from the listing spruce_api/<table>.
FLEET_ASSET_PREFIX = "spruce"
FLEET_LISTING_PREFIX = "spruce_api"
FLEET_GROUP = "spruce"
# An outage past the client's own retries (retry_total, 15 min by default) is retried by
# Dagster 3 times, 60 s, 120 s, 240 s later: a longer outage waits for the next schedule.
FLEET_OUTAGE_RETRIES = 3
FLEET_OUTAGE_RETRY_DELAY_SECONDS = 60.0
# A spent daily budget is retried once, after its resume_at: the budget is then whole.
FLEET_BUDGET_RETRIES = 1
# ... and a little after it: the client reckons resume_at from its first request's time,
# Spruce from when its window opened (measured: a retry 2.9 s into a 3-s window spent the
# old window's remainder and failed again).
FLEET_BUDGET_MARGIN_SECONDS = 2.0
# `fleet demo`: organizations of the tiny scale (a few seconds each), two syncing at once
# (this machine kind has two cores; the demo shows the fleet, not its speed).
DEMO_FLEET_SCALE = "tiny"
DEMO_FLEET_CONCURRENCY = 2
# The fleet's union views (PostgreSQL): their schema, and the advisory lock's name that
# serialises their rebuilds.
FLEET_VIEWS_SCHEMA = "spruce_fleet"
FLEET_VIEWS_LOCK = "spruce_fleet_views"
# ... and the schema of the union views of the organizations' analysts' models (marts).
FLEET_ANALYTICS_VIEWS_SCHEMA = "spruce_fleet_analytics"
# The analysts' models of each organization: spruce_analytics/<model>, one group.
FLEET_MODELS_PREFIX = "spruce_analytics"
# ... built into the organization's dataset name and this (one schema each in PostgreSQL).
FLEET_ANALYTICS_SUFFIX = "_analytics"
