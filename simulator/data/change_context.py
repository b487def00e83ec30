"""What every kind of change needs: the world, the time, its RNG, its summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random
from typing import Any

from simulator.contract import JsonRecord
from simulator.data.settings import PICK_ATTEMPTS
from simulator.data.world import World


@dataclass
class ChangeRun:
    """One call of ``advance``: the time, when new records become visible, the summary."""

    world: World
    rng: Random
    now_ms: int
    visible_ms: int
    late_by_seconds: float = 60.0
    summary: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    def live_contact(self) -> int | None:
        """A random live contact, or None when there is (almost) none left."""
        contacts = self.world.contacts
        for _ in range(PICK_ATTEMPTS):
            index = self.rng.randrange(contacts.count)
            if index not in contacts.deleted:
                return index
        return None

    def listed_conversation(self) -> int | None:
        """A random conversation that listings already show."""
        conversations = self.world.conversations
        for _ in range(PICK_ATTEMPTS):
            index = self.rng.randrange(conversations.count)
            if conversations.is_visible(index, self.now_ms):
                return index
        return None

    def note(self, kind: str, action: str, entry: Any) -> None:
        """Record ``entry`` (an id, or a small dict) under ``kind`` / ``action``."""
        self.summary.setdefault(kind, {}).setdefault(action, []).append(entry)

    def emit(self, event_type: str, resource: JsonRecord, **extra: Any) -> None:
        """Log ``event_type`` for ``resource`` at this change's time."""
        self.world.events.append(event_type, self.now_ms, resource, extra or None)

    def emit_item(self, event_type: str, conversation: int, sequence: int) -> None:
        """Log an item event; webhook payloads of items carry the parent conversation."""
        thread = self.world.items.thread(conversation)
        served = thread.served(sequence, self.now_ms, self.world.drift, self.world.media_secret)
        self.emit(event_type, {**served,
                               "conversation": self.world.conversations.record(conversation)})
