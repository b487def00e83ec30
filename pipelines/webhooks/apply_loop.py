"""``webhooks serve --apply-every 5s``: apply the inbox in micro-batches beside the receiver.

A thread of the receiver's process calls `apply_pending` every interval. Each apply takes
the run's lock and opens the warehouse for the few seconds of its load, then lets go:

- PostgreSQL: rows land within an interval (plus a load) of their delivery.
- DuckDB: one process may write the file at a time, and a sync holds it (and the lock)
  for its whole run. The loop applies between syncs: a tick that finds the lock held,
  or the file open in another process, is skipped and logged, and the next tick tries
  again; nothing is lost (the events stay in the inbox, and every ``run`` applies them
  first). A sync started while a tick applies finds the lock held and exits busy (6):
  with DuckDB, prefer ``webhooks apply`` from the same schedule as ``run``.

The receiver never waits for the loop: deliveries are answered from the inbox alone.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

from pipelines.configuration.options import SyncOptions
from pipelines.runner.errors import DestinationUnreachable, PipelineBusy
from pipelines.webhooks.apply import ApplyReport, apply_pending
from pipelines.webhooks.apply_settings import DEFAULT_APPLY_EVERY
from pipelines.webhooks.settings import DEFAULT_ORGANIZATION

log = logging.getLogger("spruce_sync.webhooks")


class ApplyLoop:
    """Applies ``organization``'s pending events every ``every`` until `stop`."""

    def __init__(
        self, options: SyncOptions, inbox_path: Path, organization: str = DEFAULT_ORGANIZATION,
        every: timedelta = DEFAULT_APPLY_EVERY,
    ) -> None:  # fmt: skip
        self.options = options
        self.inbox_path = inbox_path
        self.organization = organization
        self.every = every
        self.applied = ApplyReport()
        self.skipped = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhooks-apply", daemon=True)

    def start(self) -> ApplyLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the apply under way (a load is never cut short)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self.every.total_seconds()):
            self.tick()

    def tick(self) -> None:
        """One apply; a held lock or warehouse skips it, any other failure is logged (by
        type only: a message may quote a record) and the next tick tries again."""
        try:
            report = apply_pending(self.options, self.inbox_path, self.organization)
        except (PipelineBusy, DestinationUnreachable) as busy:
            self.skipped += 1
            log.info("webhooks apply skipped: %s", type(busy).__name__)
            return
        except Exception as error:  # noqa: BLE001 (the receiver must keep running)
            self.skipped += 1
            log.error("webhooks apply failed (%s); retrying next tick", type(error).__name__)
            return
        if report.events:
            self.applied.events += report.events
            log.info("webhooks apply: %d events, rows %s", report.events, report.rows)
