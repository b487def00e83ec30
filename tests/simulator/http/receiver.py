"""A webhook receiver for the delivery tests: a real HTTP server on a loopback port.

It keeps every POST it gets (body, signature, arrival on the monotonic clock) and
answers with what ``answer`` says: a status, or ``SLOW`` (a 200 after longer than any
test's delivery timeout).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from simulator.webhook_wire import SIGNATURE_HEADER

SLOW = -1
SLOW_SECONDS = 1.0
# What to answer to the n-th POST (from 1).
Answer = Callable[[int], int]


@dataclass(frozen=True)
class Received:
    """One POST as it arrived."""

    at: float
    body: bytes
    signature: str | None

    @property
    def event(self) -> dict[str, object]:
        return dict(orjson.loads(self.body))


class Receiver:
    """The POSTs received so far (``received``) at ``url``."""

    def __init__(self, answer: Answer) -> None:
        self.received: list[Received] = []
        self._answer = answer
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver.keep(Received(time.monotonic(), body,
                                                self.headers.get(SIGNATURE_HEADER)))  # fmt: skip
                if status == SLOW:
                    time.sleep(SLOW_SECONDS)
                self.send_response(200 if status == SLOW else status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the tests read ``received``

        return Handler

    def keep(self, received: Received) -> int:
        with self._lock:
            self.received.append(received)
            return self._answer(len(self.received))

    def bodies(self) -> list[bytes]:
        with self._lock:
            return [received.body for received in self.received]

    @contextmanager
    def serving(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)
