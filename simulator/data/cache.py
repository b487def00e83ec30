"""A small bounded least-recently-used cache for lazily generated records."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class LruCache(Generic[Key, Value]):
    """Keeps the ``capacity`` most recently used values; not thread-safe by itself."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Key, Value] = OrderedDict()

    def get_or_make(self, key: Key, make: Callable[[Key], Value]) -> Value:
        """The cached value of ``key``, made with ``make(key)`` on a miss."""
        entries = self._entries
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
        value = make(key)
        entries[key] = value
        if len(entries) > self._capacity:
            entries.popitem(last=False)
        return value

    def discard(self, key: Key) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
