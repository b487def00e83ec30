"""Scenario 9 (issue 16): the webhook receiver's acknowledgements, and how fresh its data is.

Acknowledgements: ``spruce-sync webhooks serve`` in its own process takes signed
deliveries at Spruce's ceiling, 1,000 a minute, for 5 minutes (`webhook_load`): once
alone, once with ``--apply-every 5s`` loading into PostgreSQL in the same process (the
setup the freshness figures come from). Lost: not answered 2xx within Spruce's 5 s, or
answered and not in the inbox file afterwards.

Freshness (`freshness`): after a full sync into PostgreSQL, the simulator delivers its
changes to the receiver applying every 5 s; each change is timed until its row shows it.
Beside it, a 15-minute polling schedule: a change waits for the next sync (uniformly 0-15
minutes: p50 7.5, p95 14.25) and then for that sync to finish; the sync's duration is the
incremental ``spruce-sync run`` measured after the changes, into the same database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import FigureRow, ScenarioReport
from benchmarks.freshness import FreshnessResult, freshness_run
from benchmarks.rounds import BenchContext
from benchmarks.scenarios.base import bench_settings, scenario_report
from benchmarks.settings import (
    APPLY_EVERY_SECONDS,
    BENCH_SIGNING_SECRET,
    FRESHNESS_CHANGES,
    FRESHNESS_SCALE,
    FRESHNESS_TIMEOUT_SECONDS,
    GOAL_ACK_P99_MS,
    POLLING_INTERVAL_SECONDS,
    QUICK_FRESHNESS_CHANGES,
    QUICK_WEBHOOK_LOAD_SECONDS,
    WEBHOOK_EVENTS_PER_MINUTE,
    WEBHOOK_LOAD_SECONDS,
    WEBHOOK_SENDERS,
)
from benchmarks.webhook_load import LoadResult, paced_deliveries, percentile, stored_events
from benchmarks.webhook_processes import ReceiverProcess, fresh_database, project_env

APPLYING = f"--apply-every {APPLY_EVERY_SECONDS}s"


@dataclass(frozen=True)
class WebhookReceiver:
    name: str = "webhooks"
    title: str = "10. Webhook receiver"

    def run(self, context: BenchContext) -> ScenarioReport:
        seconds = QUICK_WEBHOOK_LOAD_SECONDS if context.quick else WEBHOOK_LOAD_SECONDS
        folder = context.root / self.name
        alone = acknowledgements(folder / "alone", seconds, None)
        with fresh_database() as dsn:
            applying = acknowledgements(folder / "applying", seconds, dsn)
        changes = QUICK_FRESHNESS_CHANGES if context.quick else FRESHNESS_CHANGES
        fresh = freshness_run(bench_settings(context, FRESHNESS_SCALE), folder / "freshness",
                              changes, context.run_timeout_seconds)
        figures = [*_ack_rows("receiver alone", alone), *_ack_rows(APPLYING, applying),
                   *_freshness_rows(fresh)]
        report = scenario_report(self, _described(context, seconds, changes), fresh.syncs, figures)
        report.notes = [_polling_note(fresh)]
        return report


def acknowledgements(project: Path, seconds: float, dsn: str | None) -> LoadResult:
    """The paced load on a receiver of its own (applying into ``dsn`` when given), and
    the rows its inbox holds once it has stopped."""
    settings = {"SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET": BENCH_SIGNING_SECRET}
    arguments = ["--port", "0"]
    if dsn is not None:
        settings["DESTINATION__POSTGRES__CREDENTIALS"] = dsn
        arguments += ["--destination", "postgres", *APPLYING.split()]
    with ReceiverProcess(project, project_env(project, **settings), *arguments) as receiver:
        latencies = paced_deliveries(receiver.url, BENCH_SIGNING_SECRET,
                                     WEBHOOK_EVENTS_PER_MINUTE, seconds)
    answered = [latency for latency in latencies if latency is not None]
    return LoadResult(len(latencies), answered, stored_events(receiver.inbox))


def _ack_rows(setup: str, load: LoadResult) -> list[FigureRow]:
    p99 = percentile(load.latencies_ms, 99)
    return [
        FigureRow(f"ack latency p50 ms ({setup})", percentile(load.latencies_ms, 50)),
        FigureRow(f"ack latency p99 ms ({setup})", p99, goal=f"< {GOAL_ACK_P99_MS:.0f}",
                  met=None if p99 is None else p99 < GOAL_ACK_P99_MS),
        FigureRow(f"deliveries lost of {load.sent:,} ({setup})", load.lost, goal="0",
                  met=load.lost == 0),
    ]  # fmt: skip


def _freshness_rows(fresh: FreshnessResult) -> list[FigureRow]:
    seconds = [value for value in fresh.seconds if value is not None]
    missed = len(fresh.seconds) - len(seconds)
    sync = fresh.incremental_seconds()
    return [
        FigureRow(f"freshness p50 s ({APPLYING})", percentile(seconds, 50)),
        FigureRow(f"freshness p95 s ({APPLYING})", percentile(seconds, 95)),
        FigureRow(f"changes not visible within {FRESHNESS_TIMEOUT_SECONDS:.0f} s", missed,
                  goal="0", met=missed == 0),
        FigureRow("incremental sync s (PostgreSQL, after the changes)", sync),
        FigureRow("freshness p50 s (polling every 15 min)", _polling(0.50, sync)),
        FigureRow("freshness p95 s (polling every 15 min)", _polling(0.95, sync)),
    ]  # fmt: skip


def _polling(share: float, sync_seconds: float | None) -> float | None:
    """The ``share`` quantile of a polling schedule's freshness: a wait uniform over the
    interval, then one incremental sync."""
    return None if sync_seconds is None else share * POLLING_INTERVAL_SECONDS + sync_seconds


def _described(context: BenchContext, seconds: float, changes: int) -> dict[str, object]:
    return {
        "events_per_minute": WEBHOOK_EVENTS_PER_MINUTE, "load_seconds": seconds,
        "senders": WEBHOOK_SENDERS, "apply_every_seconds": APPLY_EVERY_SECONDS,
        "changes": changes, "scale": context.scale_for(FRESHNESS_SCALE),
        "polling_interval_seconds": POLLING_INTERVAL_SECONDS,
    }  # fmt: skip


def _polling_note(fresh: FreshnessResult) -> str:
    sync = fresh.incremental_seconds()
    measured = "not measured (the sync failed)" if sync is None else f"{sync:.1f} s"
    return (f"polling every 15 min: p50 = 0.50 x 900 s + one incremental sync, p95 = "
            f"0.95 x 900 s + it (a change lands uniformly in the interval, then waits for the "
            f"next sync to finish); the incremental sync here: {measured}")
