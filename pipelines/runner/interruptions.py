"""Where a SIGTERM or Ctrl-C stops a run while dlt is working: at one of dlt's safe points,
and never later than the end of the step it arrived in.

dlt intercepts both signals during its normalize and load steps and checks for them only
at points where stopping leaves nothing half-committed. But dlt 1.31 forgets a signal that
arrives after its last check of a step (`intercepted_signals` clears it on the way out), and
the run then went on to its next window and exited 0. So the runner intercepts for the
whole of ``pipeline.run`` itself (dlt's own nested interception is then a no-op): extract
stops at the next item, the source's waits stop within `SIGNAL_POLL_S`, normalize before
its commit, load between jobs, and a signal dlt did not act on is raised when the step ends.
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
