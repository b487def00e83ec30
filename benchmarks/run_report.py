"""What only our pipeline knows about its run: the requests it retried, and why.

The simulator counts what reached it; a request that waited out its read timeout (the
stall of issue 14, where httpcore handed a thread a connection another had just closed)
may never have reached it at all. So the child that runs ours counts the retries the
fetcher logs and writes them as JSON beside the run's DuckDB file; the parent reads them
into `RunResult`. The baselines and the raw bound write none (dlt's and httpx's retries
are not observable this way): their figures stay blank.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from typing_extensions import Self

# The logger the fetcher reports its retries on (its package's, so a move between modules
# of the source does not lose them).
SOURCE_LOGGER = "sources.spruce"
# httpx's timeout errors are all named ``...Timeout`` (Read, Connect, Write, Pool), and
# the fetcher names the httpx error in the message of the SpruceTransportError it raises.
_TIMEOUT_MARKERS = ("Timeout", "timed out")


@dataclass(frozen=True)
class RunReport:
    """Retries of one run of ours: all of them, and those after a timeout."""

    retries: int
    timeout_retries: int

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: Path) -> RunReport | None:
        """The report at ``path``; None when the run wrote none (it failed, or is not ours)."""
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


def is_timeout(error: BaseException) -> bool:
    """Whether the fetcher's retriable error was a request that timed out."""
    # Imported here: the parent reads reports and must not import the source (and dlt).
    from sources.spruce.exceptions import SpruceTransportError

    return isinstance(error, SpruceTransportError) and any(
        marker in str(error) for marker in _TIMEOUT_MARKERS
    )


class TimeoutRetries(logging.Handler):
    """Counts the retries the fetcher logs after a timeout.

    The fetcher logs each retry with the error that caused it among the record's
    arguments (never a payload); this handler looks only at that error's type and name.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        arguments = record.args if isinstance(record.args, tuple) else ()
        if any(isinstance(value, BaseException) and is_timeout(value) for value in arguments):
            self.count += 1

    def __enter__(self) -> Self:
        logging.getLogger(SOURCE_LOGGER).addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger(SOURCE_LOGGER).removeHandler(self)
