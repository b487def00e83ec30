"""Row 19's mechanics in-process, with real signals: a SIGTERM or Ctrl-C that dlt
intercepts is never forgotten, and a run waiting for the rate budget stops at once."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from dlt.common.runtime import signals

from pipelines.runner.interruptions import stop_at_safe_points
from sources.spruce.throttle import RateBudget

STOPS = [signal.SIGTERM, signal.SIGINT]
# A wait this long would outlast the test by far if the signal did not cut it short.
LONG_WAIT_S = 60.0


@pytest.fixture
def send_soon() -> Iterator[list[threading.Timer]]:
    """Timers that signal this process a moment later, while the main thread waits."""
    timers: list[threading.Timer] = []
    yield timers
    for timer in timers:
        timer.cancel()


def signal_in(timers: list[threading.Timer], seconds: float, signum: signal.Signals) -> None:
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signum))
    timers.append(timer)
    timer.start()


@pytest.mark.parametrize("signum", STOPS)
def test_a_signal_after_dlts_last_check_stops_the_run_when_the_step_ends(
    signum: signal.Signals,
) -> None:
    steps_finished = []
    with pytest.raises(KeyboardInterrupt), stop_at_safe_points():
        with signals.intercepted_signals():  # as dlt's load step, which then checks no more
            signal.raise_signal(signum)
            steps_finished.append("load")
        steps_finished.append("rest of pipeline.run")
    assert steps_finished == ["load", "rest of pipeline.run"]


def test_a_block_without_a_signal_ends_normally_and_gives_the_handlers_back() -> None:
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    with stop_at_safe_points():
        assert signal.getsignal(signal.SIGTERM) is not handlers[1]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


@pytest.mark.parametrize("signum", STOPS)
def test_a_wait_for_the_rate_budget_ends_soon_after_a_signal(
    send_soon: list[threading.Timer], signum: signal.Signals
) -> None:
    budget = RateBudget(reserve_share=0.0, window_seconds=LONG_WAIT_S)
    budget.observe({"s-ratelimit-limit": "5", "s-ratelimit-remaining": "0"})
    signal_in(send_soon, 0.2, signum)
    started = time.monotonic()

    with pytest.raises(KeyboardInterrupt), stop_at_safe_points():
        budget.acquire()

    assert time.monotonic() - started < LONG_WAIT_S / 4
