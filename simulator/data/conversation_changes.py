"""Changes to conversations: new ones (with a few items), retitled, archived."""

from __future__ import annotations

from simulator.contract import JsonRecord
from simulator.data.change_context import ChangeRun
from simulator.data.conversation_records import ConversationSeed, generate_conversation
from simulator.data.item_changes import add_item
from simulator.data.layout import CONVERSATION_TYPES, TYPE_WEIGHTS
from simulator.data.settings import ITEMS_PER_NEW_CONVERSATION
from simulator.data.text import SUBJECTS
from simulator.data.weighted import Weighted

CONVERSATION_KINDS = Weighted(CONVERSATION_TYPES, TYPE_WEIGHTS)


def new_conversations(run: ChangeRun, count: int) -> None:
    world = run.world
    for _ in range(count):
        index = world.conversations.append(lambda index: _new_record(run, index), run.now_ms,
                                           run.visible_ms)
        world.items.start(index)
        record = world.conversations.record(index)
        run.note("conversations", "created", record["id"])
        run.emit("conversation.created", record)
        for _ in range(run.rng.randint(*ITEMS_PER_NEW_CONVERSATION)):
            add_item(run, index, run.now_ms)


def _new_record(run: ChangeRun, index: int) -> JsonRecord:
    world = run.world
    kind = CONVERSATION_KINDS.pick(run.rng)
    contact_index = run.live_contact() if kind not in ("team", "note") else None
    contact = world.contacts.record(contact_index) if contact_index is not None else None
    seed = ConversationSeed(index, kind, run.now_ms, run.now_ms, contact)
    return generate_conversation(world.context, world.people, world.reference, seed)


def retitled_conversations(run: ChangeRun, count: int) -> None:
    for _ in range(count):
        index = run.listed_conversation()
        if index is None:
            return
        title = f"{run.rng.choice(SUBJECTS)} — follow-up #{run.rng.randrange(1, 99)}"
        _change(run, index, {"title": title})


def archived_conversations(run: ChangeRun, count: int) -> None:
    """Archive (or unarchive an archived one): no new message, lastMessageAt stays."""
    for _ in range(count):
        index = run.listed_conversation()
        if index is None:
            return
        archived = bool(run.world.conversations.record(index)["archived"])
        _change(run, index, {"archived": not archived})


def _change(run: ChangeRun, index: int, fields: JsonRecord) -> None:
    conversations = run.world.conversations
    conversations.change(index, fields)
    record = conversations.record(index)
    run.note("conversations", "edited", record["id"])
    run.emit("conversation.updated", record)
