"""Contacts: generated lazily by index, with edits, additions and deletions on top.

Contact ids sort like their indices, and new contacts get the next indices, so the
listing order (id ascending) is index order and a page resumes from a decoded id.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator

from simulator.contract import JsonRecord
from simulator.data.cache import LruCache
from simulator.data.contact_records import ContactReferences, generate_contact
from simulator.data.context import OrgContext
from simulator.data.drift import Drift
from simulator.data.settings import RECORD_CACHE_SIZE, SEARCH_CACHE_SIZE


class ContactStore:
    """Every contact of the organization, live or deleted, by index."""

    def __init__(self, context: OrgContext, references: ContactReferences, created: array[int],
                 drift: Drift) -> None:
        self._context = context
        self._references = references
        self.created = array("q", created)
        self._drift = drift
        self._current: dict[int, JsonRecord] = {}
        self._type_changes: dict[int, int] = {}
        self.deleted: set[int] = set()
        self._cache: LruCache[int, JsonRecord] = LruCache(RECORD_CACHE_SIZE)
        # Searches page through the same result set: keep the last few, until contacts change.
        self._searches: LruCache[str, list[int]] = LruCache(SEARCH_CACHE_SIZE)

    @property
    def count(self) -> int:
        """Contacts ever created (live or not)."""
        return len(self.created)

    @property
    def live_count(self) -> int:
        return self.count - len(self.deleted)

    def base(self, index: int) -> JsonRecord:
        """The contact as generated (before any edit); stable for other generators."""
        return self._cache.get_or_make(index, self._generate)

    def _generate(self, index: int) -> JsonRecord:
        return generate_contact(self._context, self._references, index, self.created[index])

    def record(self, index: int) -> JsonRecord:
        """The contact as it is now (deleted ones as they were before deletion)."""
        current = self._current.get(index)
        if current is None:
            current = self.base(index)
        return self._drift.shaped("contacts", current, self._type_changes.get(index, 0))

    def index_of(self, contact_id: str) -> int | None:
        """The index of a live contact, or None."""
        index = self._context.codecs.contact.parse(contact_id)
        if index is None or index >= self.count or index in self.deleted:
            return None
        return index

    def live_from(self, start: int) -> Iterator[int]:
        """Indices of live contacts from ``start`` on, ascending."""
        deleted = self.deleted
        return (index for index in range(start, self.count) if index not in deleted)

    def matching(self, key: str, matches: Callable[[int], bool]) -> list[int]:
        """Live contacts (ascending) whose created time ``matches``; cached under ``key``."""
        return self._searches.get_or_make(key, lambda _: [
            index for index in self.live_from(0) if matches(self.created[index])])

    def replace(self, index: int, record: JsonRecord) -> None:
        """Store an edited record for ``index`` (in its generated types, no new fields)."""
        self._current[index] = record
        self._type_changes[index] = self._drift.active("contacts")

    def stored(self, index: int) -> JsonRecord:
        """The contact as stored (generated types, without drifted fields)."""
        return self._current.get(index) or self.base(index)

    def append(self, created_ms: int) -> int:
        """A new contact created at ``created_ms``; returns its index."""
        self.created.append(created_ms)
        self._searches.clear()
        index = self.count - 1
        self.replace(index, self._generate(index))
        return index

    def delete(self, index: int) -> None:
        self.deleted.add(index)
        self._searches.clear()

    def new_id(self, index: int) -> str:
        return self._context.codecs.contact.make(index)
