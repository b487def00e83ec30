"""Row 6: connect and read timeouts are retried, and a run that keeps timing out ends.

The read timeout is the ``read_timeout`` option (10 s by default); the connect timeout
(10 s) is a constant of ``sources.spruce.settings`` with no option, so the tests set a
shorter one on that module, read when the run's client is built. The retries between
timed-out attempts wait ``FAST_RETRIES``. "Bounded wall time" is proven by the number of
attempts: each is capped by the timeout, and there are ``RETRY_ATTEMPTS``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from simulator import FaultSettings
from sources.spruce import settings
from sources.spruce.exceptions import SpruceUnavailable
from tests.fixtures.retries import FAST_RETRIES
from tests.reliability.conftest import LoggedSimulator, SyncHarness

TIMEOUT_S = 0.3
# Longer than the timeout, so that every answer comes too late while it is on.
LATE = FaultSettings(latency_seconds=1.0)
# The options of every run here: short reads, short waits between attempts.
SHORT: dict[str, Any] = {"read_timeout": timedelta(seconds=TIMEOUT_S), **FAST_RETRIES}


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch, harness: SyncHarness) -> None:
    monkeypatch.setattr(settings, "CONNECT_TIMEOUT_S", TIMEOUT_S)
    harness.defaults.update(SHORT)


@pytest.mark.usefixtures("short_timeouts")
def test_row6_a_read_timeout_is_retried(harness: SyncHarness) -> None:
    simulator = harness.simulator
    simulator.set_faults(LATE)
    # Once the first request has timed out, answers come in time again.
    recover = threading.Thread(target=_clear_latency_after_first_request, args=(simulator,))
    recover.start()

    summary = harness.run()

    recover.join()
    assert summary.retries >= 1
    assert harness.differences() == []


@pytest.mark.usefixtures("short_timeouts")
def test_row6_reads_that_keep_timing_out_end_the_run_after_the_attempt_budget(
    harness: SyncHarness,
) -> None:
    harness.simulator.set_faults(LATE)

    error = harness.fail(resources=("organization",))

    assert isinstance(error, SpruceUnavailable) and "ReadTimeout" in str(error)
    assert harness.simulator.request_log.arrivals == settings.RETRY_ATTEMPTS


@pytest.mark.usefixtures("short_timeouts")
def test_row6_connects_that_keep_timing_out_end_the_run_after_the_attempt_budget(
    harness: SyncHarness, unanswered_port: int
) -> None:
    error = harness.fail(base_url=f"http://127.0.0.1:{unanswered_port}/v1")

    assert isinstance(error, SpruceUnavailable) and "ConnectTimeout" in str(error)
    assert f"after {settings.RETRY_ATTEMPTS} attempts" in str(error)


def _clear_latency_after_first_request(simulator: LoggedSimulator) -> None:
    assert simulator.request_log.first_request.wait(60)
    threading.Event().wait(2 * TIMEOUT_S)
    simulator.set_faults(FaultSettings())


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A loopback port whose accept queue is full: a connect there never completes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    fillers = [socket.socket() for _ in range(8)]
    for filler in fillers:
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
    yield port
    for open_socket in [*fillers, server]:
        open_socket.close()
