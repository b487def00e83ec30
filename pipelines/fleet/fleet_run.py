"""``spruce-sync fleet run``: the fleet materialized in-process, for cron users (no daemon).

Each organization is one ``materialize()`` of its partition, with an ephemeral Dagster
instance, in a worker process (``fleet.concurrency`` of them): dlt's configuration, the
umask that keeps PHI files owner-only and DuckDB's one writer per file are all
process-wide, and an organization's exception stays in its own materialization. A worker
that dies outright (SIGKILL, the OOM killer) breaks CPython's whole pool, so the
organizations running beside it fail with it and the rest go on in a new pool. A spent
daily budget is not waited for here: it fails with its ``resume_at`` (exit 5) and the next
cron run picks it up. Ctrl-C or SIGTERM stops the running organizations at a safe point
and starts no more. Every organization gets its outcome, whatever happens.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipelines.configuration.errors import ConfigError
from pipelines.fleet.fleet_file import Fleet, load_fleet, missing_tokens, token_variable
from pipelines.fleet.run_outcome import (
    OrganizationOutcome,
    interrupted,
    not_started,
    outcome_of,
    worker_lost,
)
from pipelines.runner.interruptions import interrupt_on_sigterm

# Dagster's console logger at WARNING: a cron user reads one line per organization, not
# Dagster's events (a failure's message is in that line).
QUIET_RUN = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def refuse_missing_tokens(fleet: Fleet) -> None:
    """One configuration error naming every organization without a token, before any runs:
    a fleet half-run because of a typo in a secrets file is worse than none."""
    missing = missing_tokens(fleet)
    if missing:
        sections = ", ".join(f"[sources.spruce.organizations.{slug}]" for slug in missing)
        variables = ", ".join(token_variable(slug) for slug in missing)
        raise ConfigError(
            f"{fleet.path}: no API token for {', '.join(missing)}: put each in .dlt/secrets.toml "
            f"as api_token under {sections}, or set {variables} "
            "(see .dlt/secrets.toml.example)"
        )


def run_fleet(
    fleet: Fleet, config_dir: Path | None, base_url: str | None
) -> list[OrganizationOutcome]:
    """Every organization of ``fleet``, ``fleet.concurrency`` at a time, in fleet order.

    It answers for every organization, whatever happens. Stopped (Ctrl-C, SIGTERM): those
    that ended, as they ended; those running, stopped at a safe point (exit code 130);
    the rest, not started. A worker process that dies (SIGKILL, the OOM killer) breaks
    its whole pool: the organizations running in it fail, the rest go on in a new one."""
    slugs = [organization.slug for organization in fleet.organizations]
    outcomes: dict[str, OrganizationOutcome] = {}
    while len(outcomes) < len(slugs):  # each pool settles at least one organization
        run_in_a_pool(fleet, config_dir, base_url,
                      [slug for slug in slugs if slug not in outcomes], outcomes)  # fmt: skip
    return [outcomes[slug] for slug in slugs]


def run_in_a_pool(
    fleet: Fleet, config_dir: Path | None, base_url: str | None, slugs: list[str],
    outcomes: dict[str, OrganizationOutcome],
) -> None:  # fmt: skip
    """Run ``slugs`` in one pool until they are done or the pool breaks, adding to
    ``outcomes`` what each organization handed to it came to."""
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads
    pool = ProcessPoolExecutor(fleet.concurrency, mp_context=context,
                               initializer=interrupt_on_sigterm)  # fmt: skip
    futures: dict[str, Future[OrganizationOutcome]] = {}
    lost = worker_lost  # what a broken pool did to the organizations running in it
    try:
        for slug in slugs:
            wait_for_a_free_worker(list(futures.values()), fleet.concurrency)
            futures[slug] = pool.submit(materialize_organization, fleet.path, config_dir,
                                        slug, base_url)  # fmt: skip
        wait(futures.values())
    except BrokenProcessPool:
        pass  # the organizations not handed over yet go to the next pool
    except KeyboardInterrupt:
        stop_workers()  # the running ones stop at a safe point; the rest never start
        lost = interrupted
        outcomes.update({slug: not_started(slug) for slug in slugs if slug not in futures})
    finally:
        # The pool's own exit runs every queued organization first: a stop must not.
        pool.shutdown(wait=True, cancel_futures=True)
    outcomes.update({slug: ended_outcome(slug, future, lost) for slug, future in futures.items()})


def wait_for_a_free_worker(futures: list[Future[OrganizationOutcome]], workers: int) -> None:
    """Return once fewer than ``workers`` organizations are running.

    An organization is handed to the pool only when a worker is free: the pool queues one
    call ahead of its workers, and a call queued there would still start after a stop."""
    running = [future for future in futures if not future.done()]
    if len(running) >= workers:
        wait(running, return_when=FIRST_COMPLETED)


def ended_outcome(
    slug: str, future: Future[OrganizationOutcome], lost: Callable[[str], OrganizationOutcome]
) -> OrganizationOutcome:
    """What the worker reported for ``slug``; ``lost(slug)`` when its pool broke first."""
    if future.cancelled():
        return not_started(slug)
    try:
        return future.result()
    except BrokenProcessPool:
        return lost(slug)


def stop_workers() -> None:
    """Pass a Ctrl-C or SIGTERM on to the organizations running (a scheduler signals the
    command, not its workers): each stops as `spruce-sync run` does, at its sync's next
    safe point, and reports itself interrupted."""
    for worker in multiprocessing.active_children():
        worker.terminate()


def materialize_organization(
    fleet_path: Path, config_dir: Path | None, slug: str, base_url: str | None
) -> OrganizationOutcome:
    """One organization's partition materialized in this process (a pool's worker)."""
    import time

    from dagster import DagsterInstance, materialize

    from pipelines.fleet.code_location import RESOURCE_KEY, fleet_assets
    from pipelines.fleet.organization_run import FleetRunSettings

    started = time.monotonic()
    fleet = load_fleet(fleet_path, config_dir)
    settings = FleetRunSettings(base_url=base_url, wait_for_budget=False)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(fleet_assets(fleet), partition_key=slug, instance=instance,
                             resources={RESOURCE_KEY: settings}, raise_on_error=False,
                             run_config=QUIET_RUN)  # fmt: skip
    return outcome_of(slug, result, time.monotonic() - started)
