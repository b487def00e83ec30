"""Everything one simulated organization holds, built from (seed, scale, anchor)."""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from random import Random

from simulator.contract import JsonRecord
from simulator.data.clock import to_ms
from simulator.data.contact_records import ContactReferences
from simulator.data.contacts import ContactStore
from simulator.data.context import Codecs, OrgContext
from simulator.data.conversation_records import generate_conversation
from simulator.data.conversations import ConversationStore
from simulator.data.drift import Drift
from simulator.data.events import EventLog
from simulator.data.item_records import ThreadSeed, generate_items
from simulator.data.items import ItemStore
from simulator.data.layout import Layout, build_layout
from simulator.data.media import signed
from simulator.data.people import People, generate_people
from simulator.data.reference import Reference, generate_reference
from simulator.data.scales import scale_named
from simulator.data.scheduled import generate_scheduled_messages
from simulator.data.settings import DAY_MS
from simulator.data.webhooks import WebhookEndpoints

logger = logging.getLogger(__name__)


@dataclass
class World:
    """The organization's records and logs; ``SimulatedOrganization`` guards it with a lock."""

    context: OrgContext
    people: People
    reference: Reference
    contacts: ContactStore
    conversations: ConversationStore
    items: ItemStore
    scheduled_messages: list[JsonRecord]
    events: EventLog
    drift: Drift
    consistency_delay_ms: int
    media_secret: bytes
    # Chooses what ``advance`` changes: successive calls continue one seeded sequence.
    change_rng: Random


def build_world(seed: int, scale_name: str, anchor: datetime, delay_ms: int) -> World:
    """Generate the organization's skeleton; records themselves come lazily."""
    started = time.perf_counter()
    context = OrgContext(seed, scale_named(scale_name), to_ms(anchor), Codecs(seed))
    people = generate_people(context)
    reference = generate_reference(context, people)
    drift = Drift()
    contacts, conversations, items = _stores(context, people, reference, drift)
    events = EventLog(WebhookEndpoints(context, reference.webhook_endpoints))
    world = World(context, people, reference, contacts, conversations, items,
                  generate_scheduled_messages(context, people, conversations), events, drift,
                  delay_ms, f"media-{seed}".encode(), context.rng("changes"))
    _log_history(world)
    logger.info("simulated organization ready: scale %s, %d contacts, %d conversations, "
                "%.1f s", scale_name, contacts.count, conversations.count,
                time.perf_counter() - started)
    return world


def _stores(context: OrgContext, people: People, reference: Reference, drift: Drift
            ) -> tuple[ContactStore, ConversationStore, ItemStore]:
    """The lazy stores of contacts, conversations and items over one layout."""
    layout = build_layout(context)
    references = ContactReferences(reference.contact_tags, reference.contact_fields,
                                   people.teammate_ids)
    contacts = ContactStore(context, references, layout.contact_created, drift)
    conversations = ConversationStore(
        context, layout, partial(generate_conversation, context, people, reference),
        contacts.base, drift)
    threads = GeneratedThreads(context, people, layout, conversations)
    return contacts, conversations, ItemStore(threads.generate, threads.count)


@dataclass(frozen=True)
class GeneratedThreads:
    """Generates a conversation's items from the layout: its times and its item count."""

    context: OrgContext
    people: People
    layout: Layout
    conversations: ConversationStore

    def generate(self, index: int) -> tuple[list[JsonRecord], list[int]]:
        layout = self.layout
        seed = ThreadSeed(index, self.conversations.base(index),
                          layout.conversation_created[index], layout.conversation_last[index],
                          layout.item_counts[index])
        return generate_items(self.context, self.people, seed)

    def count(self, index: int) -> int:
        return self.layout.item_counts[index]


def _log_history(world: World) -> None:
    """Log the creations of the last ``event_history_days`` before the anchor as events."""
    context = world.context
    since = context.anchor_ms - context.scale.event_history_days * DAY_MS
    contacts, conversations = world.contacts, world.conversations
    for index in range(bisect_left(contacts.created, since), contacts.count):
        world.events.append("contact.created", contacts.created[index], contacts.record(index))
    for created_ms, index in conversations.by_created[bisect_left(conversations.by_created,
                                                                  (since, -1)):]:
        world.events.append("conversation.created", created_ms, conversations.record(index))
    for last_ms, index in conversations.by_last[bisect_left(conversations.by_last,
                                                             (since, -1)):]:
        _log_thread_history(world, index, since)


def _log_thread_history(world: World, index: int, since: int) -> None:
    thread = world.items.thread(index)
    conversation = world.conversations.record(index)
    for created_ms, sequence in thread.keys[bisect_left(thread.keys, (since, -1)):]:
        # Webhook payloads of items carry the parent conversation (REST responses do not).
        item = signed(thread.records[sequence], created_ms, world.media_secret)
        item["conversation"] = conversation
        world.events.append("conversationItem.created", created_ms, item)
