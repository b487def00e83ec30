"""More threads than connections: no request loses its connection to another thread.

httpcore 1.0.x can close a connection that a request was just handed, after the request
went out on it (encode/httpcore#1110): the reader then waits out the read timeout (the
stall, then a retry) or reads a closed socket (a retry). It takes a connection that was
idle when it was handed over and has expired by the time another thread's pass over the
pool looks at it. Here connections expire after 1 ms (4 s in production) and the callers
are eight times the connections, so that the race shows within a couple of seconds,
against a threaded server on loopback that answers at once. With the code before the fix
(one pool of ``max_connections + 2`` shared by every thread) each of ten runs of these
1,500 requests saw 7 to 26 retries; with one shared pool of ``max_connections`` and a
semaphore of as many, 1 run in 6 still saw one. The client's single-connection sessions,
one request each at a time, leave nothing to race for (0 in 10).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sources.spruce.client import SpruceClient
from sources.spruce.retries import RetryPolicy
from sources.spruce.stats import RunStats
from sources.spruce.throttle import RateBudget
from tests.fixtures.retries import RecordingSleep

CONNECTIONS = 2
CALLERS = 8 * CONNECTIONS
REQUESTS = 1_500
KEEPALIVE_EXPIRY_S = 0.001
# A lost connection costs this much before its retry; short, so that the test without
# the fix ends soon, long enough for a loopback answer on a busy machine.
READ_TIMEOUT_S = 2.0
IMMEDIATE_RETRIES = RetryPolicy(attempts=5, initial_wait_s=0.0, max_wait_s=0.0,
                                total_s=120.0, jitter_s=0.0)  # fmt: skip
BODY = b'{"organization": {}}'


class InstantServer(ThreadingHTTPServer):
    """A keep-alive HTTP/1.1 server on loopback, a thread a connection, answering every GET
    with a small JSON object at once; it counts the requests it holds at one time."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), InstantHandler)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def handle_error(self, request: object, client_address: object) -> None:
        """A connection the client dropped is no news here (it is counted client-side)."""

    def count(self, step: int) -> None:
        with self.lock:
            self.in_flight += step
            self.most_in_flight = max(self.most_in_flight, self.in_flight)


class InstantHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without this, Nagle's algorithm holds the
    # body until the client's delayed acknowledgement (40 ms a request).
    disable_nagle_algorithm = True
    server: InstantServer

    def do_GET(self) -> None:
        # Counted off before the answer leaves: the client's next request cannot come
        # before it, so the count never holds one request too many.
        self.server.count(+1)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.server.count(-1)
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the client's counters, not a log."""


@pytest.fixture
def server() -> Iterator[InstantServer]:
    with InstantServer() as running:
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        yield running
        running.shutdown()
        thread.join()


def test_more_threads_than_connections_lose_no_request(server: InstantServer) -> None:
    stats = RunStats()
    client = SpruceClient("token", server.base_url, RateBudget(), stats,
                          max_connections=CONNECTIONS, retry=IMMEDIATE_RETRIES,
                          sleep=RecordingSleep(), read_timeout_s=READ_TIMEOUT_S,
                          keepalive_expiry_s=KEEPALIVE_EXPIRY_S)  # fmt: skip
    with client, ThreadPoolExecutor(CALLERS) as callers:
        answers = list(callers.map(
            lambda _: client.get("/organization", {}, "organization"), range(REQUESTS)
        ))  # fmt: skip

    assert answers == [{"organization": {}}] * REQUESTS
    assert stats.retries == 0, f"{stats.retries} of {REQUESTS} requests lost their connection"
    assert stats.requests == REQUESTS
    assert server.most_in_flight <= CONNECTIONS
