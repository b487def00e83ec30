"""What was acknowledged is kept: through ``kill -9``, and never 2xx without a commit."""

from __future__ import annotations

import signal
import sqlite3
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from pipelines.webhooks.inbox import Inbox
from tests.webhooks.receivers import START_TIMEOUT_S, Receiver, envelope, start_receiver

DELIVERIES = 400
SENDERS = 4
# Killed once this many deliveries were acknowledged, with more still being sent.
KILL_AFTER_ACKS = 60


def _stored_keys(inbox_path: Path) -> set[str]:
    inbox = Inbox.open(inbox_path)
    try:
        return {event.key for event in inbox.pending(limit=DELIVERIES * 2)}
    finally:
        inbox.close()


def _send_all(receiver: Receiver, acknowledged: list[str], lock: threading.Lock) -> None:
    """Post every delivery from SENDERS threads; note each key answered 2xx."""

    def send(number: int) -> None:
        key = f"wev_{number:05d}"
        try:
            answer = receiver.post(envelope(event_id=key, resource_id=f"entity_{number}"))
        except httpx.HTTPError:
            return  # the server is gone: Spruce would retry this one
        if answer.is_success:
            with lock:
                acknowledged.append(key)

    with ThreadPoolExecutor(SENDERS) as senders:
        list(senders.map(send, range(DELIVERIES)))


def _wait_for(count: int, acknowledged: list[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S  # a hang guard only
    while len(acknowledged) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def test_every_acknowledged_event_survives_sigkill_and_a_restart(project: Path) -> None:
    receiver = start_receiver(project)
    acknowledged: list[str] = []
    sender = threading.Thread(target=_send_all, args=(receiver, acknowledged, threading.Lock()))
    sender.start()
    _wait_for(KILL_AFTER_ACKS, acknowledged)
    receiver.process.send_signal(signal.SIGKILL)
    receiver.process.wait()
    sender.join()
    assert KILL_AFTER_ACKS <= len(acknowledged) < DELIVERIES  # killed mid-stream
    assert set(acknowledged) <= _stored_keys(receiver.inbox)

    restarted = start_receiver(project)
    try:
        assert restarted.inbox == receiver.inbox
        repeat = restarted.post(envelope(event_id=acknowledged[0], resource_id="entity_0"))
        assert repeat.json() == {"status": "duplicate"}
        assert restarted.get("/readyz").status_code == 200
    finally:
        assert restarted.stop() == 0


def test_the_inbox_and_its_wal_are_owner_only(receiver: Receiver) -> None:
    assert receiver.post(envelope()).status_code == 200
    files = [receiver.inbox, *receiver.inbox.parent.glob(receiver.inbox.name + "-*")]
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
    assert modes and set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE(receiver.inbox.parent.stat().st_mode) == 0o700


def test_a_delivery_the_inbox_cannot_commit_is_answered_503_not_2xx(receiver: Receiver) -> None:
    """Another process holding the inbox's write lock past the busy timeout."""
    holder = sqlite3.connect(receiver.inbox, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert receiver.post(envelope(event_id="wev_locked_out")).status_code == 503
        assert receiver.get("/readyz").status_code == 503
        assert receiver.get("/healthz").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "wev_locked_out" not in _stored_keys(receiver.inbox)
    assert receiver.post(envelope(event_id="wev_locked_out")).json() == {"status": "stored"}
    assert receiver.get("/readyz").status_code == 200


def test_sigterm_stops_the_receiver_cleanly(receiver: Receiver) -> None:
    assert receiver.post(envelope()).status_code == 200
    assert receiver.stop(signal.SIGTERM) == 0
    assert "Traceback" not in receiver.output()
