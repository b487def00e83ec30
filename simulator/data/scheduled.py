"""Messages scheduled to be sent after the anchor, in existing conversations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.contract import JsonRecord
from simulator.data.clock import rfc3339
from simulator.data.context import OrgContext
from simulator.data.people import People
from simulator.data.settings import DAY_MS, HOUR_MS
from simulator.data.text import NOTE_MESSAGES, TEAM_MESSAGES, message_text

if TYPE_CHECKING:
    from simulator.data.conversations import ConversationStore


def generate_scheduled_messages(
    context: OrgContext, people: People, conversations: ConversationStore
) -> list[JsonRecord]:
    """The scale's scheduled messages, by id; all still waiting to be sent."""
    if not conversations.count:
        return []
    return [_scheduled(context, people, conversations, index)
            for index in range(context.scale.scheduled_messages)]


def _scheduled(context: OrgContext, people: People, conversations: ConversationStore,
               index: int) -> JsonRecord:
    rng = context.rng("scheduled-message", index)
    conversation = rng.randrange(conversations.count)
    internal = rng.random() < 0.15
    created = context.anchor_ms - rng.randrange(1, 20 * 24) * HOUR_MS
    return {
        "id": context.codecs.scheduled_message.make(index),
        "conversationId": context.codecs.conversation.make(conversation),
        "createdAt": rfc3339(created),
        "modifiedAt": rfc3339(created + rng.randrange(0, 3) * HOUR_MS),
        "isInternalNote": internal,
        "message": {"attachments": [], "pagedInternalMemberIds": [],
                    "text": message_text(rng, NOTE_MESSAGES if internal else TEAM_MESSAGES)},
        "sendAsInternalMemberId": rng.choice(people.teammate_ids),
        "scheduledToSendAt": rfc3339(context.anchor_ms + rng.randrange(1, 30) * DAY_MS),
        "object": "scheduledMessage",
    }
