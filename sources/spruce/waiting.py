"""The sleep of the rate limiter and of the retries: cut short by a SIGTERM or Ctrl-C.

While dlt runs a pipeline, the runner lets dlt intercept those signals (dlt then stops
extracting at the next item). A worker thread waiting out the rate window would keep the
run alive for up to a minute, so it checks dlt's flag while it waits and raises dlt's
`SignalReceivedException` (a `KeyboardInterrupt`) instead.
"""

from __future__ import annotations

import time

from dlt.common.runtime import signals

from sources.spruce import settings


def interruptible_sleep(seconds: float) -> None:
    """``time.sleep(seconds)`` that raises once dlt has intercepted a signal."""
    deadline = time.monotonic() + seconds
    while True:
        signals.raise_if_signalled()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, settings.SIGNAL_POLL_S))
