"""Log lines: where they go (rich on a terminal, plain text elsewhere), and the periodic
progress line a run writes when no terminal shows the live table."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from pipelines.output.consoles import stderr_console
from pipelines.output.figures import plain
from pipelines.settings import CHATTY_LOGGERS, LOG_INTERVAL_S, PLAIN_LOG_FORMAT

log = logging.getLogger("spruce_sync.progress")


class LiveCounters(Protocol):
    """What progress needs from the source's `RunStats`: a consistent copy."""

    def snapshot(self) -> Mapping[str, Any]: ...


def configure_logging(level: int, log_filter: logging.Filter) -> None:
    """Log lines to stderr: rich on a terminal, plain text elsewhere; ``log_filter`` on all."""
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler = RichHandler(console=stderr_console(), show_path=False)
        # Rich shows time, level and place itself; basicConfig's default would repeat them.
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(PLAIN_LOG_FORMAT))
    handler.addFilter(log_filter)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))



@contextmanager
def periodic_log_lines(stats: LiveCounters) -> Iterator[None]:
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(LOG_INTERVAL_S):
            log.info("progress: %s", progress_line(stats.snapshot()))

    reporter = threading.Thread(target=report, name="progress-log", daemon=True)
    reporter.start()
    try:
        yield
    finally:
        stop.set()
        reporter.join()



def progress_line(snapshot: Mapping[str, Any]) -> str:
    """The same figures as one log line."""
    resources = snapshot.get("resources", {})
    parts = [
        f"{name} {counts.get('pages', 0)} pages {counts.get('rows', 0)} rows"
        for name, counts in resources.items()
    ]
    return "; ".join([*parts, totals_text(snapshot.get("totals", {}))])


def totals_text(totals: Mapping[str, Any]) -> str:
    return ", ".join(_total(key, value) for key, value in totals.items())


def _total(key: str, value: object) -> str:
    if key.endswith("_s"):  # seconds: `rate_limit_wait_s` reads "rate limit wait 1.5 s"
        return f"{key.removesuffix('_s').replace('_', ' ')} {plain(value)} s"
    return f"{key.replace('_', ' ')} {plain(value)}"

