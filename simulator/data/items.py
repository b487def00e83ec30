"""Conversation items, generated lazily per conversation with changes pinned on top.

A conversation's items are regenerated from (seed, conversation index) whenever they
are needed and kept in a small LRU cache; once anything changes in a conversation
(an item added, edited, deleted), its thread is pinned in memory for good.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.contract import JsonRecord
from simulator.data.cache import LruCache
from simulator.data.clock import rfc3339
from simulator.data.drift import Drift
from simulator.data.item_records import has_media
from simulator.data.media import signed
from simulator.data.paging import TimeKey
from simulator.data.settings import THREAD_CACHE_SIZE

ThreadGenerator = Callable[[int], list[JsonRecord]]


@dataclass
class Thread:
    """The items of one conversation; keys are (createdAt ms, sequence), ascending."""

    keys: list[TimeKey]
    records: dict[int, JsonRecord]
    media: set[int]
    pending: dict[int, int] = field(default_factory=dict)  # sequence -> visible from ms
    deleted: dict[int, JsonRecord] = field(default_factory=dict)  # sequence -> original
    # sequence -> type changes active when the item was created or last edited
    type_changes: dict[int, int] = field(default_factory=dict)

    @property
    def next_sequence(self) -> int:
        return max(self.records, default=-1) + 1

    def is_visible(self, sequence: int, now_ms: int) -> bool:
        shown_from = self.pending.get(sequence)
        return shown_from is None or shown_from <= now_ms

    def put(self, sequence: int, created_ms: int, record: JsonRecord) -> None:
        """Add a new item (possibly older than the newest: late arrivals)."""
        insort(self.keys, (created_ms, sequence))
        self.replace(sequence, record)

    def replace(self, sequence: int, record: JsonRecord) -> None:
        """Store a new version of an item."""
        self.records[sequence] = record
        if has_media(record):
            self.media.add(sequence)
        else:
            self.media.discard(sequence)

    def served(self, sequence: int, now_ms: int, drift: Drift, secret: bytes) -> JsonRecord:
        """The item as listed at ``now_ms``: URLs signed, drift applied."""
        record = self.records[sequence]
        if sequence in self.media:
            record = signed(record, now_ms, secret)
        return drift.shaped("conversation_items", record, self.type_changes.get(sequence, 0))

    @classmethod
    def of(cls, records: list[JsonRecord], times: list[int]) -> Thread:
        keys = list(zip(times, range(len(records))))
        media = {sequence for sequence, record in enumerate(records) if has_media(record)}
        return cls(keys, dict(enumerate(records)), media)


class ItemStore:
    """Threads by conversation index: generated on demand, or pinned once changed."""

    def __init__(self, generate: Callable[[int], tuple[list[JsonRecord], list[int]]],
                 generated_count: Callable[[int], int]) -> None:
        self._generate = generate
        self.generated_count = generated_count
        self._pinned: dict[int, Thread] = {}
        self._cache: LruCache[int, Thread] = LruCache(THREAD_CACHE_SIZE)

    def thread(self, index: int) -> Thread:
        """The items of conversation ``index`` (read-only unless pinned)."""
        pinned = self._pinned.get(index)
        if pinned is not None:
            return pinned
        return self._cache.get_or_make(index, self._make)

    def _make(self, index: int) -> Thread:
        return Thread.of(*self._generate(index))

    def pin(self, index: int) -> Thread:
        """The thread of conversation ``index``, kept in memory so that it can change."""
        thread = self._pinned.get(index)
        if thread is None:
            thread = self.thread(index)
            self._cache.discard(index)
            self._pinned[index] = thread
        return thread

    def start(self, index: int) -> Thread:
        """An empty pinned thread for a new conversation."""
        thread = Thread([], {}, set())
        self._pinned[index] = thread
        return thread

    @property
    def pinned(self) -> dict[int, Thread]:
        return self._pinned

    def clear_cache(self) -> None:
        """Forget generated threads (after drift changes what records look like)."""
        self._cache.clear()


def placeholder(record: JsonRecord, deleted_ms: int) -> JsonRecord:
    """What a soft-deleted item looks like while it stays listed.

    Spruce documents a deleted item as "a placeholder that can be restored"; the
    schema has no deleted flag, so the placeholder keeps the item's identity (id,
    conversation, author, direction, createdAt, URLs), empties its content (text,
    attachments, pages, buttons, call event), can no longer be deleted, and carries
    the deletion time in ``modifiedAt``. A restore puts the content back.
    """
    kept = {key: value for key, value in record.items() if key != "event"}
    kept.update(text="", attachments=[], pages=[], buttons=[], canDelete=False,
                modifiedAt=rfc3339(deleted_ms))
    return kept
