"""The fetcher's connections: a few httpx sessions of one connection each, each lent to one
request at a time.

Their number bounds the requests in flight, whatever the number of threads asking; and
since no two threads ever use one session at once, no connection pool is shared between
threads. A shared pool is unsafe in httpcore 1.0.x: one thread's pass over the pool can
close a connection that another thread has just been handed (an idle one it finds
expired), after that thread sent its request on it (encode/httpcore#1110); the reader,
blocked in ``poll()``, then waits out the whole read timeout. Waiting for a connection in
the pool widens that window (the pool hands the connection over and the waiting thread
has yet to wake), so a run with more threads than pooled connections stalled now and
then; one pool sized to the bound still let it happen, rarely (see
``tests/source/test_connection_pool.py``). When an httpcore release holds the fix (PR
#1111; 1.0.9, the newest on PyPI in December 2026, does not), one pool of ``size``
connections and a semaphore of ``size`` would do.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

SessionFactory = Callable[[], httpx.Client]


class Sessions:
    """``size`` sessions made by ``make``; `lend` one, blocking while all are out."""

    def __init__(self, size: int, make: SessionFactory) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size}")
        self._all = [make() for _ in range(size)]
        # Last in, first out: the session just given back has the connection least
        # likely to have expired; the others' connections may expire unused.
        self._idle: queue.LifoQueue[httpx.Client] = queue.LifoQueue()
        for session in self._all:
            self._idle.put(session)

    @contextmanager
    def lend(self) -> Iterator[httpx.Client]:
        """A session for one request, given back when the block ends."""
        session = self._idle.get()
        try:
            yield session
        finally:
            self._idle.put(session)

    def close(self) -> None:
        """Close every session (and its connection)."""
        for session in self._all:
            session.close()
