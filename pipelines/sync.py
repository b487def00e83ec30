"""Run a sync: build the dlt pipeline from `SyncOptions`, run it window by window.

Interface (the CLI codes against it)::

    summary = run_sync(options, api_token=None, base_url=None, stats=None) -> RunSummary
    report = check_connection(options, api_token=None, base_url=None) -> CheckReport

``api_token``/``base_url`` None: dlt resolves them (``SOURCES__SPRUCE__API_TOKEN``,
``SOURCES__SPRUCE__BASE_URL``, ``.dlt/``). ``stats`` is a `RunStats` the caller may poll
for live progress. Errors are domain exceptions (`pipelines.errors`), never dlt's
``PipelineStepFailed``. A first sync (or a long gap) runs as several windows, each
extracted, loaded and committed on its own, so a stop resumes from the last window.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.common.schema.exceptions import DataValidationError
from dlt.common.schema.typing import TSchemaContractDict
from dlt.extract.source import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines import warehouse
from pipelines.discarded import DISCARDING_MODES, DiscardWatch
from pipelines.destinations import (
    Target,
    build_target,
    describe_postgres,
    pipelines_dir,
    run_target,
)
from pipelines.errors import DestinationUnreachable, SchemaContractViolation, first_line
from pipelines.lock import pipeline_lock
from pipelines.options import SchemaContract, SyncOptions
from pipelines.summary import RunSummary
from sources.spruce import RESOURCE_NAMES, spruce_source
from sources.spruce.client import SpruceClient
from sources.spruce.cursors import CURSOR_KEY
from sources.spruce.exceptions import ConfigurationError, SpruceSyncError
from sources.spruce.phi import PhiPolicy, protect_source
from sources.spruce.plan import SourcePlan, SyncSession
from sources.spruce.settings import DEFAULT_BASE_URL
from sources.spruce.stats import RunStats
from sources.spruce.throttle import RateBudget

__all__ = ["CheckReport", "RunStats", "RunSummary", "check_connection", "run_sync"]

logger = logging.getLogger(__name__)

# Resources that share the conversation cursor: refreshing or selecting one needs both.
CONVERSATION_PAIR = ("conversations", "conversation_items")
# Resources read once per run (in its first window), not once per window.
ONCE_PER_RUN = tuple(name for name in RESOURCE_NAMES if name not in CONVERSATION_PAIR)


def run_sync(
    options: SyncOptions,
    api_token: str | None = None,
    base_url: str | None = None,
    stats: RunStats | None = None,
) -> RunSummary:
    """One sync as ``options`` describe it; see the module docstring."""
    started = time.monotonic()
    session = SyncSession(budget=rate_budget(options), stats=stats or RunStats())
    with (
        pipeline_lock(pipelines_dir(options), options.pipeline_name),
        owner_only_files(),
        run_target(options) as target,
    ):
        pipeline = build_pipeline(options, target)
        check_destination(pipeline)
        session.previous_positions = warehouse.previous_positions(pipeline)
        runner = WindowRunner(options, pipeline, target, session, _credentials(api_token, base_url))
        try:
            runner.run_all()
        finally:
            session.close()
        return runner.summary(time.monotonic() - started)


def check_connection(
    options: SyncOptions, api_token: str | None = None, base_url: str | None = None
) -> CheckReport:
    """One cheap request to Spruce (GET /organization) and one to the destination."""
    budget = rate_budget(options)
    token, url = resolved_credentials(api_token, base_url)
    with SpruceClient(token, url, budget, RunStats(), max_connections=1) as client:
        body = client.get("/organization", {}, "organization")
    organization = body.get("organization") or {}
    target = build_target(options)
    pipeline = build_pipeline(options, target)
    check_destination(pipeline)
    return CheckReport(
        organization_id=str(organization.get("id", "")),
        organization_name=str(organization.get("name", "")),
        rate_limit=budget.snapshot(),
        destination=options.destination,
        location=_location(pipeline, target),
    )


@dataclass(frozen=True)
class CheckReport:
    """What `check_connection` found; ``rate_limit`` is the budget from the headers."""

    organization_id: str
    organization_name: str
    rate_limit: dict[str, int | None]
    destination: str
    location: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class WindowRunner:
    """Runs the windows of one sync and keeps what the summary needs."""

    def __init__(
        self, options: SyncOptions, pipeline: dlt.Pipeline, target: Target,
        session: SyncSession, credentials: dict[str, str],
    ) -> None:
        self.options = options
        self.pipeline = pipeline
        self.target = target
        self.session = session
        self.credentials = credentials
        self.plan = source_plan(options)
        self.rows: dict[str, int] = {}
        self.load_ids: list[str] = []
        self.windows = 0
        self.contacts_marked_deleted = 0
        self.discard_watches: list[DiscardWatch] = []

    def run_all(self) -> None:
        """An interrupted run's package first, then full refreshes, then windows until the
        conversations are caught up."""
        self._finish_pending_package()
        selected = selected_resources(self.options)
        refreshed = refresh_resources(self.options, selected)
        if refreshed:
            self._run_window(refreshed, refresh=True)
            self._run_further_windows(refreshed)
        names = [name for name in selected if name not in refreshed]
        if names:
            self._run_window(names, refresh=False)
            self._run_further_windows(names)

    def _run_further_windows(self, names: list[str]) -> None:
        """The conversation pair's next windows while the last one stopped at its bound
        (after a refreshed window too: its later windows merge on what it loaded)."""
        pair = [name for name in names if name in CONVERSATION_PAIR]
        while pair and self.session.more_windows:
            self._run_window(pair, refresh=False)

    def summary(self, duration_s: float) -> RunSummary:
        totals = self.session.stats.snapshot()
        state = _conversations_state(self.pipeline)
        return RunSummary(
            destination=self.options.destination,
            location=_location(self.pipeline, self.target),
            dataset_name=self.options.dataset_name,
            rows_per_table=dict(sorted(self.rows.items())),
            requests=totals["totals"]["requests"],
            retries=totals["totals"]["retries"],
            throttled=totals["totals"]["throttled"],
            rate_limit_wait_s=totals["totals"]["rate_limit_wait_s"],
            duration_s=round(duration_s, 3),
            load_ids=list(self.load_ids),
            windows=self.windows,
            completeness_gaps=totals["completeness_gaps"],
            skipped_conversations=totals["skipped_conversations"],
            contacts_marked_deleted=self.contacts_marked_deleted,
            conversation_cursor=state.get(CURSOR_KEY),
            backfill=self.plan.is_backfill,
        )

    def _finish_pending_package(self) -> None:
        """dlt's run() with a pending package loads it and extracts nothing: finish it here
        so that this run still reads what is new."""
        if not self.pipeline.has_pending_data:
            return
        logger.warning("finishing the package of an interrupted run before this run")
        try:
            with load_workers(self.target.load_workers):
                self.pipeline.normalize()  # the format of this rare recovery: dlt's default
                info = self.pipeline.load()
        except PipelineStepFailed as failed:
            forget_trace(self.pipeline)
            raise unwrap(failed) from None
        self.load_ids += list(info.loads_ids)

    def _run_window(self, names: list[str], refresh: bool) -> None:
        source = self._source(names)
        info = run_pipeline(self.pipeline, source, self.target, refresh)
        self.windows += 1
        self.load_ids += list(info.loads_ids)
        for watch in self.discard_watches:
            watch.report()
        self.discard_watches.clear()
        self._count_rows()
        if "contacts" in names and self.session.contacts_listing_complete and info.loads_ids:
            self.contacts_marked_deleted += warehouse.mark_deleted_contacts(
                self.pipeline, info.loads_ids[-1], self.plan.run_started_at
            )

    def _source(self, names: list[str]) -> DltSource:
        source = spruce_source(plan=self.plan, session=self.session, **self.credentials)
        source = source.with_resources(*names)
        # Even with no policy, signed attachment and recording URLs lose their expiring
        # signature: they are not durable links and must not be stored as if they were.
        protect_source(source, self.options.phi_policy or PhiPolicy())
        for table, mode in self.options.schema_contracts.items():
            if table in source.resources:
                source.resources[table].apply_hints(schema_contract=table_contract(mode))
                self._watch_discards(source, table, mode)
        return source

    def _watch_discards(self, source: DltSource, table: str, mode: SchemaContract) -> None:
        """Under a discarding contract, name the new columns it drops (see `discarded`)."""
        schema = self.pipeline.default_schema if self.pipeline.default_schema_name else None
        if mode not in DISCARDING_MODES or schema is None or table not in schema.tables:
            return  # a table not created yet takes its first columns; nothing is dropped
        watch = DiscardWatch(table, mode, schema.tables[table]["columns"], schema.naming)
        source.resources[table].add_map(watch)
        self.discard_watches.append(watch)

    def _count_rows(self) -> None:
        trace = self.pipeline.last_trace
        info = trace.last_normalize_info if trace else None
        for table, count in (info.row_counts if info else {}).items():
            if not table.startswith("_dlt"):
                self.rows[table] = self.rows.get(table, 0) + count


def table_contract(mode: SchemaContract) -> TSchemaContractDict:
    """A per-table contract governs its columns and their types; the table itself may be
    created (a bare mode would also apply to tables: ``discard_value`` never creates it)."""
    return TSchemaContractDict(tables="evolve", columns=mode, data_type=mode)


def run_pipeline(
    pipeline: dlt.Pipeline, source: DltSource, target: Target, refresh: bool
) -> LoadInfo:
    """``pipeline.run`` with dlt's step wrapper taken off the error."""
    try:
        with load_workers(target.load_workers):
            return pipeline.run(
                source,
                loader_file_format=target.loader_file_format,  # type: ignore[arg-type]
                refresh="drop_resources" if refresh else None,  # type: ignore[arg-type]
            )
    except PipelineStepFailed as failed:
        forget_trace(pipeline)
        raise unwrap(failed) from None


def forget_trace(pipeline: dlt.Pipeline) -> None:
    """Delete dlt's pickled trace of a failed run: its exception messages can hold a
    record (a contract violation carries the offending row), i.e. patient data."""
    (Path(pipeline.working_dir) / "trace.pickle").unlink(missing_ok=True)


@contextmanager
def load_workers(workers: int | None) -> Iterator[None]:
    """dlt's ``load.workers`` for the block, unless the operator configured it."""
    if workers is None or "LOAD__WORKERS" in os.environ:
        yield
        return
    os.environ["LOAD__WORKERS"] = str(workers)
    try:
        yield
    finally:
        os.environ.pop("LOAD__WORKERS", None)


def unwrap(failed: PipelineStepFailed) -> BaseException:
    """The cause of a failed step: our own errors as they are, a lost destination as
    `DestinationUnreachable`, anything else as the underlying error."""
    cause = _root_cause(failed)
    if isinstance(cause, SpruceSyncError):
        return cause
    if isinstance(cause, DataValidationError):
        return SchemaContractViolation(
            f"A record of table {cause.table_name!r} broke its schema contract"
            f" ({cause.schema_entity}: {cause.contract_mode}) on column"
            f" {cause.column_name or '(new column)'!r}; nothing of this window was loaded."
            " Change the table's schema contract or let the column evolve."
        )
    if _is_destination_unreachable(cause):
        return DestinationUnreachable(
            f"The destination failed during the {failed.step} step: {type(cause).__name__}:"
            f" {first_line(cause)}. The extracted data is kept as a pending package and"
            " loaded by the next run."
        )
    return cause


def _root_cause(failed: PipelineStepFailed) -> BaseException:
    """Follow dlt's wrappers down to the first error that is not dlt's own wrapping."""
    cause: BaseException = failed
    for _ in range(10):  # dlt nests a few levels at most
        inner = getattr(cause, "exception", None) or cause.__cause__
        if isinstance(cause, SpruceSyncError) or not isinstance(inner, BaseException):
            break
        cause = inner
    return cause


def _is_destination_unreachable(error: BaseException) -> bool:
    from dlt.destinations.exceptions import DestinationConnectionError

    if isinstance(error, DestinationConnectionError):
        return True
    # psycopg2.OperationalError (server down), duckdb.IOException (file locked)
    return type(error).__name__ in ("OperationalError", "IOException", "ConnectionException")


def check_destination(pipeline: dlt.Pipeline) -> None:
    """Fail before any API request when the warehouse cannot be opened."""
    try:
        warehouse.ping(pipeline)
    except _destination_errors() as error:
        raise DestinationUnreachable(
            f"Cannot open the destination {pipeline.destination.destination_name}:"
            f" {type(error).__name__}: {first_line(error)}. For PostgreSQL check"
            " DESTINATION__POSTGRES__CREDENTIALS and that the server runs; for DuckDB that no"
            " other process holds the file."
        ) from None


def _destination_errors() -> tuple[type[BaseException], ...]:
    """What opening a destination raises: dlt's wrappers, the drivers' own, the OS's."""
    import duckdb
    import psycopg2
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.destinations.exceptions import DatabaseException, DestinationConnectionError

    return (
        ConfigFieldMissingException, DatabaseException, DestinationConnectionError,
        duckdb.Error, psycopg2.Error, OSError,
    )


def build_pipeline(options: SyncOptions, target: Target) -> dlt.Pipeline:
    """The dlt pipeline of ``options`` (telemetry off, uncompressed intermediate files)."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    # PERF-NOTES: compressing intermediate files costs 6 s of 6.4 s extract for 200k items.
    os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
    # A loaded package's files are a copy of patient data: delete them once loaded.
    os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
    return dlt.pipeline(
        pipeline_name=options.pipeline_name,
        pipelines_dir=str(pipelines_dir(options)),
        destination=target.destination,
        dataset_name=options.dataset_name,
    )


def rate_budget(options: SyncOptions) -> RateBudget:
    return RateBudget(
        reserve_share=options.reserve_share,
        window_seconds=options.rate_window.total_seconds(),
        daily_window_seconds=options.daily_rate_window.total_seconds(),
    )


def source_plan(options: SyncOptions) -> SourcePlan:
    return SourcePlan(
        lookback=options.lookback,
        settle=options.settle,
        window_conversations=options.window_conversations,
        window_duration=options.window_duration,
        concurrency=options.concurrency,
        page_sizes=dict(options.page_sizes),
        backfill_since=options.backfill_since,
        backfill_until=options.backfill_until,
        webhook_endpoint_id=options.webhook_endpoint_id,
        run_started_at=datetime.now(timezone.utc),
    )


def selected_resources(options: SyncOptions) -> list[str]:
    """The resources of this run, in source order; items bring their conversations."""
    unknown = sorted(set(options.resources) - set(RESOURCE_NAMES))
    if unknown:
        raise ConfigurationError(
            f"Unknown resource(s) {', '.join(unknown)}; known: {', '.join(RESOURCE_NAMES)}."
        )
    wanted = set(options.resources or RESOURCE_NAMES)
    if not options.webhook_endpoint_id:
        wanted.discard("webhook_events")  # nothing to read it from
    if options.backfill_since is not None:
        wanted &= set(CONVERSATION_PAIR)
    if wanted & set(CONVERSATION_PAIR):
        wanted |= set(CONVERSATION_PAIR)  # the items need the listing of conversations
    return [name for name in RESOURCE_NAMES if name in wanted]


def refresh_resources(options: SyncOptions, selected: list[str]) -> list[str]:
    """Selected resources to drop and reload; the conversation pair goes together."""
    wanted = set(options.full_refresh)
    if wanted & set(CONVERSATION_PAIR):
        wanted |= set(CONVERSATION_PAIR)
    return [name for name in selected if name in wanted]


@contextmanager
def owner_only_files() -> Iterator[None]:
    """Files created during the run (the DuckDB file, load packages) are owner-only: PHI."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _credentials(api_token: str | None, base_url: str | None) -> dict[str, str]:
    """Only what the caller gave: what is missing is resolved by dlt's config."""
    given = {"api_token": api_token, "base_url": base_url}
    return {name: value for name, value in given.items() if value is not None}


def resolved_credentials(api_token: str | None, base_url: str | None) -> tuple[str, str]:
    """The token and base URL as the source would get them from dlt's config."""
    token = api_token or dlt.secrets.get("sources.spruce.api_token")
    if not token:
        raise ConfigurationError(
            "No Spruce API token: set SOURCES__SPRUCE__API_TOKEN, or api_token under"
            " [sources.spruce] in .dlt/secrets.toml."
        )
    url = base_url or dlt.config.get("sources.spruce.base_url") or DEFAULT_BASE_URL
    return str(token), str(url)


def _location(pipeline: dlt.Pipeline, target: Target) -> str:
    return target.location or describe_postgres(pipeline)


def _conversations_state(pipeline: dlt.Pipeline) -> dict[str, Any]:
    sources = pipeline.state.get("sources", {})
    return dict(sources.get("spruce", {}).get("resources", {}).get("conversations", {}))
