"""Conversations: generated lazily by index, kept in both listing orders.

Two sorted key lists, (createdAt, index) and (lastMessageAt, index), serve
``orderBy=created`` and ``orderBy=last_message``; a new message moves a conversation's
key in the second list, so a client paging that order meets it again at the end.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections.abc import Callable
from typing import Any

from simulator.contract import JsonRecord
from simulator.data.cache import LruCache
from simulator.data.clock import rfc3339
from simulator.data.context import OrgContext
from simulator.data.conversation_records import ConversationSeed
from simulator.data.drift import Drift
from simulator.data.layout import CONVERSATION_TYPES, Layout
from simulator.data.paging import TimeKey
from simulator.data.settings import RECORD_CACHE_SIZE

Generator = Callable[[ConversationSeed], JsonRecord]
ContactLookup = Callable[[int], JsonRecord]


class ConversationStore:
    """Every conversation by index, with field changes and new conversations on top."""

    def __init__(self, context: OrgContext, layout: Layout, generate: Generator,
                 contact: ContactLookup, drift: Drift) -> None:
        self._context = context
        self._layout = layout
        self._generate = generate
        self._contact = contact
        self._drift = drift
        self.created = array("q", layout.conversation_created)
        self.last = array("q", layout.conversation_last)
        self._changes: dict[int, dict[str, Any]] = {}
        self._type_changes: dict[int, int] = {}
        self._added: dict[int, JsonRecord] = {}
        self.pending: dict[int, int] = {}  # index -> ms from which listings show it
        self._cache: LruCache[int, JsonRecord] = LruCache(RECORD_CACHE_SIZE)
        self.by_created: list[TimeKey] = sorted(zip(self.created, range(len(self.created))))
        self.by_last: list[TimeKey] = sorted(zip(self.last, range(len(self.last))))
        self._by_contact: dict[str, list[int]] | None = None

    @property
    def count(self) -> int:
        return len(self.created)

    def seed(self, index: int) -> ConversationSeed:
        """The layout facts of generated conversation ``index``."""
        layout = self._layout
        contact_index = layout.conversation_contacts[index]
        contact = self._contact(contact_index) if contact_index >= 0 else None
        kind = CONVERSATION_TYPES[layout.conversation_types[index]]
        return ConversationSeed(index, kind, layout.conversation_created[index],
                                layout.conversation_last[index], contact)

    def base(self, index: int) -> JsonRecord:
        """The conversation as generated or created, before later changes."""
        added = self._added.get(index)
        if added is not None:
            return added
        return self._cache.get_or_make(index, lambda key: self._generate(self.seed(key)))

    def record(self, index: int) -> JsonRecord:
        """The conversation as it is now."""
        changes = self._changes.get(index)
        record = self.base(index)
        if changes:
            record = {**record, **changes}
        return self._drift.shaped("conversations", record, self._type_changes.get(index, 0))

    def index_of(self, conversation_id: str) -> int | None:
        index = self._context.codecs.conversation.parse(conversation_id)
        if index is None or index >= self.count:
            return None
        return index

    def of_contact(self, contact_id: str) -> list[int]:
        """Indices of the conversations associated with a contact, oldest first."""
        if self._by_contact is None:
            self._by_contact = {}
            make = self._context.codecs.contact.make
            for index, contact in enumerate(self._layout.conversation_contacts):
                if contact >= 0:
                    self._by_contact.setdefault(make(contact), []).append(index)
            for index, record in self._added.items():
                self._index_contacts(index, record)
        return self._by_contact.get(contact_id, [])

    def _index_contacts(self, index: int, record: JsonRecord) -> None:
        if self._by_contact is not None:
            for contact_id in record.get("associatedContactIds", ()):
                self._by_contact.setdefault(contact_id, []).append(index)

    def is_visible(self, index: int, now_ms: int) -> bool:
        """Whether listings at ``now_ms`` show the conversation (eventual consistency)."""
        shown_from = self.pending.get(index)
        return shown_from is None or shown_from <= now_ms

    def change(self, index: int, fields: dict[str, Any]) -> None:
        """Set fields of the conversation (title, archived, tags...): an edit."""
        self._changes.setdefault(index, {}).update(fields)
        self._type_changes[index] = self._drift.active("conversations")

    def move_last_message(self, index: int, last_ms: int) -> None:
        """Record a newer message: ``lastMessageAt`` and the last-message order move."""
        if last_ms <= self.last[index]:
            return
        old_key = (self.last[index], index)
        del self.by_last[bisect_left(self.by_last, old_key)]
        self.last[index] = last_ms
        insort(self.by_last, (last_ms, index))
        self.change(index, {"lastMessageAt": rfc3339(last_ms)})

    def append(self, record_for: Callable[[int], JsonRecord], created_ms: int,
               visible_ms: int) -> int:
        """A new conversation built by ``record_for(index)``; returns its index."""
        index = self.count
        self.created.append(created_ms)
        self.last.append(created_ms)
        self._added[index] = record_for(index)
        self._index_contacts(index, self._added[index])
        self._type_changes[index] = self._drift.active("conversations")
        insort(self.by_created, (created_ms, index))
        insort(self.by_last, (created_ms, index))
        if visible_ms > created_ms:
            self.pending[index] = visible_ms
        return index
