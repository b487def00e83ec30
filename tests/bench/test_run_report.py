"""Ours counts the requests it retried after a timeout, which the simulator cannot see.

A proxy in front of the simulator holds the first item listings longer than ours' read
timeout (the stall of issue 14); a simulator fault answers 500 instead in the other case,
a retry that is not a timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from benchmarks.run_report import RunReport, TimeoutRetries
from pipelines.configuration.options import SyncOptions
from pipelines.runner.run import run_sync
from simulator import FaultSchedule, FaultSettings
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory

READ_TIMEOUT = timedelta(seconds=0.3)
# Well past the read timeout, so that the stalled attempt times out on a loaded machine too.
STALL_SECONDS = 1.5
ITEMS_PATH = "/items"
ProxyFactory = Callable[[str, int], "StallingProxy"]


class StallingProxy(ThreadingHTTPServer):
    """Forwards GETs to ``upstream``; the first ``stalls`` item listings wait first."""

    daemon_threads = True

    def __init__(self, upstream: str, stalls: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = httpx.Client(base_url=upstream.split("/v1")[0])
        self.stalls = stalls
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def should_stall(self, path: str) -> bool:
        with self._lock:
            if ITEMS_PATH not in path or self.stalls == 0:
                return False
            self.stalls -= 1
            return True


class _ProxyHandler(BaseHTTPRequestHandler):
    server: StallingProxy

    def do_GET(self) -> None:  # the name http.server dispatches to
        if self.server.should_stall(self.path):
            threading.Event().wait(STALL_SECONDS)
        answer = self.server.upstream.get(self.path, headers=dict(self.headers))
        try:
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left: the stall did its job

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test asserts on counts, not on an access log."""


@pytest.fixture
def proxy_to() -> Iterator[ProxyFactory]:
    """Proxies started with ``proxy_to(upstream, stalls)``, stopped after the test."""
    started: list[StallingProxy] = []

    def start(upstream: str, stalls: int) -> StallingProxy:
        proxy = StallingProxy(upstream, stalls)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.shutdown()
        proxy.server_close()
        proxy.upstream.close()


@dataclass(frozen=True)
class Case:
    stalls: int
    server_errors: int
    timeout_retries: int
    retries: int


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(Case(stalls=1, server_errors=0, timeout_retries=1, retries=1), id="stall"),
        pytest.param(Case(stalls=0, server_errors=1, timeout_retries=0, retries=1), id="500"),
    ],
)
def test_a_run_counts_its_retries_after_a_timeout_apart_from_the_others(
    simulator_factory: SimulatorFactory, proxy_to: ProxyFactory, tmp_path: Path, case: Case
) -> None:
    faults = FaultSettings(
        schedules=(FaultSchedule("500", case.server_errors, "ConversationItems"),)
    )
    simulator = simulator_factory(scale="tiny", faults=faults)
    proxy = proxy_to(simulator.base_url, case.stalls)
    options = SyncOptions(
        destination="duckdb",
        duckdb_path=tmp_path / "ours.duckdb",
        pipelines_dir=tmp_path / "dlt",
        read_timeout=READ_TIMEOUT,
    )
    with TimeoutRetries() as timeouts:
        summary = run_sync(options, api_token=TEST_TOKEN, base_url=proxy.base_url)
    assert (timeouts.count, summary.retries) == (case.timeout_retries, case.retries)


def test_a_report_round_trips_and_a_missing_one_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    assert RunReport.read(path) is None
    RunReport(retries=3, timeout_retries=1).write(path)
    assert RunReport.read(path) == RunReport(retries=3, timeout_retries=1)
