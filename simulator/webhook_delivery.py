"""Delivering webhooks like Spruce: signed POSTs from a background worker, retried on
Spruce's schedule, recorded in the event log; duplicates, delays and holds for tests.

The dispatcher runs on the server's event loop (the app's lifespan starts and stops it):
``concurrency`` workers take attempts from a bounded queue and POST them with one httpx
client, so that no API request ever waits for a receiver. Deliveries arrive from any
thread (``submit``, after each change); before ``start`` they wait in a backlog.

An attempt succeeds on a 2xx within ``timeout_seconds``; a failed one is retried
``retry_interval_seconds`` later until ``attempt_limit`` attempts, then dropped. Each
outcome is written to the event log (attempts, status, deliveryTime/nextAttemptTime).
A delivery whose endpoint is paused or deleted meanwhile is abandoned at its next
attempt. A duplicate is one more POST of a delivered body; it is not logged as an attempt.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from random import Random
from typing import Any

import httpx

from simulator.contract import DeliveryState, DeliveryStatus, WebhookBook, WebhookDelivery
from simulator.routes.call import log_failure
from simulator.settings import WebhookOrder, WebhookSettings
from simulator.webhook_wire import delivery_body, delivery_headers

logger = logging.getLogger("simulator.webhooks")
Clock = Callable[[], datetime]
_COUNTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Attempt:
    """Attempt ``number`` (from 1) of ``delivery``; a ``duplicate`` resends a delivered one."""

    delivery: WebhookDelivery
    number: int = 1
    duplicate: bool = False


@dataclass
class DeliveryCounts:
    """What the dispatcher did; ``outstanding``: deliveries neither delivered nor given up."""

    submitted: int = 0
    attempts: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    dropped: int = 0
    abandoned: int = 0
    overflowed: int = 0
    duplicates: int = 0
    outstanding: int = 0

    def add(self, **deltas: int) -> None:
        """Count from any thread: ``submit`` counts at once, the workers on the loop."""
        with _COUNTS_LOCK:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def to_dict(self) -> dict[str, int]:
        with _COUNTS_LOCK:
            return asdict(self)


@dataclass
class _Loop:
    """The running side: the event loop, the queue, the workers, the pending retries."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Attempt]
    client: httpx.AsyncClient
    workers: list[asyncio.Task[None]] = field(default_factory=list)
    timers: dict[int, asyncio.TimerHandle] = field(default_factory=dict)


class WebhookDispatcher:
    """Sends the organization's deliveries; ``book`` and ``clock`` are the simulator's."""

    def __init__(self, settings: WebhookSettings, book: WebhookBook, data_lock: threading.Lock,
                 clock: Clock) -> None:  # fmt: skip
        self.settings = settings
        self.counts = DeliveryCounts()
        self._book, self._data_lock, self._clock = book, data_lock, clock
        self._rng = Random(settings.seed)
        self._running: _Loop | None = None
        self._backlog: deque[Attempt] = deque()
        self._held: list[Attempt] | None = None
        self._tokens = itertools.count()

    def configure(self, settings: WebhookSettings) -> None:
        """New settings from now on (``concurrency`` and ``queue_limit`` from the next start)."""
        self._on_loop(self._configure, settings)

    def submit(self, deliveries: Iterable[WebhookDelivery]) -> None:
        """Deliveries made due by a change; from any thread."""
        batch = list(deliveries)
        if batch:
            # Counted before they reach the loop: a caller that waits for none outstanding
            # right after a change waits for these.
            self.counts.add(submitted=len(batch), outstanding=len(batch))
            self._on_loop(self._accept, batch)

    def hold(self) -> None:
        """Keep new deliveries back until ``release``."""
        self._on_loop(self._hold)

    def release(self, order: WebhookOrder = "sent") -> None:
        """Send the held deliveries, in the order they were made, reversed or shuffled."""
        self._on_loop(self._release, order)

    def snapshot(self) -> dict[str, Any]:
        held = len(self._held) if self._held is not None else 0
        return {**self.counts.to_dict(), "held": held, "settings": asdict(self.settings)}

    async def start(self) -> None:
        settings = self.settings
        self._running = _Loop(asyncio.get_running_loop(), asyncio.Queue(settings.queue_limit),
                              httpx.AsyncClient(follow_redirects=False))  # fmt: skip
        for _ in range(settings.concurrency):
            self._running.workers.append(asyncio.create_task(self._work()))
        while self._backlog:
            self._enqueue(self._backlog.popleft())

    async def stop(self) -> None:
        running, self._running = self._running, None
        if running is None:
            return
        for timer in running.timers.values():
            timer.cancel()
        for worker in running.workers:
            worker.cancel()
        await asyncio.gather(*running.workers, return_exceptions=True)
        await running.client.aclose()

    def _on_loop(self, callback: Callable[..., None], *args: Any) -> None:
        """Run ``callback`` on the event loop (queue and timers live there), or now if none."""
        running = self._running
        if running is None or _on(running.loop):
            callback(*args)
        else:
            running.loop.call_soon_threadsafe(callback, *args)

    def _configure(self, settings: WebhookSettings) -> None:
        self.settings, self._rng = settings, Random(settings.seed)

    def _hold(self) -> None:
        if self._held is None:
            self._held = []

    def _release(self, order: WebhookOrder) -> None:
        held, self._held = self._held or [], None
        if order == "reversed":
            held.reverse()
        elif order == "shuffled":
            self._rng.shuffle(held)
        for attempt in held:
            self._enqueue(attempt)

    def _accept(self, batch: list[WebhookDelivery]) -> None:
        settings = self.settings
        for delivery in batch:
            attempt = Attempt(delivery)
            if self._held is not None:
                self._held.append(attempt)
            elif self._rng.random() < settings.delay_probability:
                self._later(settings.delay_seconds, attempt)
            else:
                self._enqueue(attempt)

    def _enqueue(self, attempt: Attempt) -> None:
        running = self._running
        try:
            if running is not None:
                running.queue.put_nowait(attempt)
            elif len(self._backlog) < self.settings.queue_limit:
                self._backlog.append(attempt)
            else:
                raise asyncio.QueueFull
        except asyncio.QueueFull:
            self.counts.add(overflowed=1)
            logger.warning("webhook queue full: event %s dropped", attempt.delivery.event_id)
            if not attempt.duplicate:
                self._finish(attempt, "failed")

    def _later(self, seconds: float, attempt: Attempt) -> None:
        running = self._running
        if running is None:
            self._backlog.append(attempt)
            return
        token = next(self._tokens)
        running.timers[token] = running.loop.call_later(seconds, self._fire, token, attempt)

    def _fire(self, token: int, attempt: Attempt) -> None:
        if self._running is not None:
            self._running.timers.pop(token, None)
        self._enqueue(attempt)

    async def _work(self) -> None:
        assert self._running is not None
        queue = self._running.queue
        while True:
            attempt = await queue.get()
            try:
                await self._attempt(attempt)
            except Exception as error:  # noqa: BLE001 (a simulator bug must not stop the worker)
                log_failure(f"webhook delivery {attempt.delivery.event_id}", error)

    async def _attempt(self, attempt: Attempt) -> None:
        delivery = attempt.delivery
        with self._data_lock:
            target = self._book.target(delivery.endpoint_id)
        if target is None:  # paused or deleted since: its log keeps the state it had
            if not attempt.duplicate:
                self.counts.add(abandoned=1, outstanding=-1)
            return
        body = delivery_body(delivery, self.settings.event_ids)
        ok = await self._post(target.url, body, delivery_headers(target.secret, body))
        if attempt.duplicate:
            self.counts.add(duplicates=1)
        elif ok:
            self._delivered(attempt)
        else:
            self._failed(attempt)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> bool:
        """True on a 2xx within the timeout: the whole exchange, not each phase of it."""
        assert self._running is not None
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                response = await self._running.client.post(url, content=body, headers=headers)
        except (httpx.HTTPError, TimeoutError):
            return False
        return response.is_success

    def _delivered(self, attempt: Attempt) -> None:
        self.counts.add(attempts=1, delivered=1)
        self._finish(attempt, "delivered")
        if self._rng.random() < self.settings.duplicate_probability:
            self._enqueue(Attempt(attempt.delivery, attempt.number, duplicate=True))

    def _failed(self, attempt: Attempt) -> None:
        self.counts.add(attempts=1, failed_attempts=1)
        settings = self.settings
        if attempt.number >= settings.attempt_limit:
            self.counts.add(dropped=1)
            self._finish(attempt, "failed")
            return
        interval = settings.retry_interval_seconds
        self._record(attempt, "pending", next_attempt=interval)
        self._later(interval, Attempt(attempt.delivery, attempt.number + 1))

    def _finish(self, attempt: Attempt, status: DeliveryStatus) -> None:
        self.counts.add(outstanding=-1)
        self._record(attempt, status)

    def _record(self, attempt: Attempt, status: DeliveryStatus,
                next_attempt: float | None = None) -> None:  # fmt: skip
        now = self._clock()
        state = DeliveryState(
            attempts=attempt.number, attempt_limit=self.settings.attempt_limit, status=status,
            delivery_time=now if status == "delivered" else None,
            next_attempt_time=None if next_attempt is None else now + timedelta(
                seconds=next_attempt),
        )  # fmt: skip
        with self._data_lock:
            self._book.record(attempt.delivery.event_id, state)


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether the caller runs on ``loop``'s thread."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
