"""Where a SIGTERM or Ctrl-C stops a sync: at one of dlt's safe points, never at whatever
line the process happens to be on, and never later than the end of the sync.

A signal raised as an exception wherever it lands can be lost: one that lands in a
finalizer (CI saw it in dlt's DuckDB credentials' ``__del__``) or a ``finally`` is printed
and dropped, and the sync went on. And dlt 1.31 intercepts both signals only during its
normalize and load steps, and forgets one that arrives after its last check of a step
(``intercepted_signals`` clears it on the way out): the run went on to its next window
and exited 0. So the runner intercepts for the whole sync itself (dlt's nested
interceptions are then no-ops): extract stops at its next item, the source's waits within
`SIGNAL_POLL_S`, normalize before its commit, load between jobs, and a signal nothing
acted on is raised at the end of each ``pipeline.run`` and of the sync.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn


@contextmanager
def stop_at_safe_points() -> Iterator[None]:
    """Defer SIGTERM and SIGINT during the block; raise dlt's `SignalReceivedException`
    (a `KeyboardInterrupt`, exit code 130) at its end if one came. A second signal of the
    same kind still stops at once. Only the main thread can own signal handlers: in any
    other thread (a Dagster worker) the block runs as it is."""
    from dlt.common.runtime import signals  # here: the CLI imports this module, never dlt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with signals.intercepted_signals():
        yield
        signals.raise_if_signalled()


def interrupt_on_sigterm() -> None:
    """Make SIGTERM stop this process as Ctrl-C does (KeyboardInterrupt, exit code 130):
    the CLI's process and each of the fleet's workers, where Python's default would end
    the process on the spot, wherever it is."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt
