"""Changes to conversation items: new, late, edited, soft-deleted and restored items."""

from __future__ import annotations

from simulator.data.change_context import ChangeRun
from simulator.data.clock import rfc3339
from simulator.data.item_records import ItemDraft, build_item
from simulator.data.items import Thread, placeholder
from simulator.data.settings import PICK_ATTEMPTS, SECOND_MS

EDIT_MARK = " (edited ✏️)"


def add_item(run: ChangeRun, conversation: int, created_ms: int) -> None:
    """A new item in ``conversation`` created at ``created_ms``, listed from ``visible_ms``."""
    world = run.world
    thread = world.items.pin(conversation)
    record = world.conversations.record(conversation)
    sequence = thread.next_sequence
    internal = record["type"] == "note" or run.rng.random() < 0.1
    direction = "none" if internal or record["type"] == "team" else run.rng.choice(
        ("inbound", "outbound"))
    draft = ItemDraft(conversation, sequence, created_ms, direction, internal)
    thread.put(sequence, created_ms, build_item(world.context, world.people, record, draft,
                                                run.rng))
    thread.type_changes[sequence] = world.drift.active("conversation_items")
    thread.pending[sequence] = run.visible_ms
    world.conversations.move_last_message(conversation, created_ms)
    run.note("conversation_items", "created", thread.records[sequence]["id"])
    run.emit_item("conversationItem.created", conversation, sequence)


def new_items(run: ChangeRun, count: int) -> None:
    for _ in range(count):
        conversation = run.listed_conversation()
        if conversation is not None:
            add_item(run, conversation, run.now_ms)


def late_items(run: ChangeRun, count: int, late_by_seconds: float) -> None:
    """Items that arrive now but were created up to ``late_by_seconds`` ago."""
    for _ in range(count):
        conversation = run.listed_conversation()
        if conversation is None:
            continue
        lateness = int(run.rng.uniform(1, max(late_by_seconds, 1)) * SECOND_MS)
        created = max(run.now_ms - lateness, run.world.conversations.created[conversation])
        add_item(run, conversation, created)


def _pick_item(run: ChangeRun, deleted: bool, with_text: bool = False
               ) -> tuple[int, Thread, int] | None:
    """A random listed item that is (or is not) soft-deleted, in a pinned thread."""
    for _ in range(PICK_ATTEMPTS):
        conversation = run.listed_conversation()
        if conversation is None:
            return None
        thread = run.world.items.pin(conversation)
        candidates = [sequence for sequence in thread.records
                      if (sequence in thread.deleted) == deleted
                      and thread.is_visible(sequence, run.now_ms)
                      and (thread.records[sequence]["text"] or not with_text)]
        if candidates:
            return conversation, thread, run.rng.choice(candidates)
    return None


def edited_items(run: ChangeRun, count: int) -> None:
    for _ in range(count):
        picked = _pick_item(run, deleted=False, with_text=True)
        if picked is None:
            return
        conversation, thread, sequence = picked
        record = thread.records[sequence]
        thread.replace(sequence, {**record, "text": record["text"] + EDIT_MARK,
                                  "modifiedAt": rfc3339(run.now_ms)})
        _touched(run, conversation, thread, sequence, "edited", "conversationItem.updated")


def deleted_items(run: ChangeRun, count: int) -> None:
    for _ in range(count):
        picked = _pick_item(run, deleted=False)
        if picked is None:
            return
        conversation, thread, sequence = picked
        thread.deleted[sequence] = thread.records[sequence]
        thread.replace(sequence, placeholder(thread.records[sequence], run.now_ms))
        _touched(run, conversation, thread, sequence, "deleted", "conversationItem.deleted")


def restored_items(run: ChangeRun, count: int) -> None:
    """Restore soft-deleted items (only those deleted by earlier changes exist)."""
    deleted = [(conversation, sequence) for conversation, thread in run.world.items.pinned.items()
               for sequence in thread.deleted]
    for conversation, sequence in run.rng.sample(deleted, min(count, len(deleted))):
        thread = run.world.items.pin(conversation)
        original = thread.deleted.pop(sequence)
        thread.replace(sequence, {**original, "modifiedAt": rfc3339(run.now_ms)})
        _touched(run, conversation, thread, sequence, "restored", "conversationItem.restored")


def _touched(run: ChangeRun, conversation: int, thread: Thread, sequence: int, action: str,
             event_type: str) -> None:
    thread.type_changes[sequence] = run.world.drift.active("conversation_items")
    run.note("conversation_items", action, thread.records[sequence]["id"])
    run.emit_item(event_type, conversation, sequence)
