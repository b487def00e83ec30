"""Which resources a run syncs, and which it drops and reloads first."""

from __future__ import annotations

from pipelines.configuration.options import SyncOptions
from sources.spruce import RESOURCE_NAMES

# Resources that share the conversation cursor: refreshing or selecting one needs both.
CONVERSATION_PAIR = ("conversations", "conversation_items")


def selected_resources(options: SyncOptions) -> list[str]:
    """The resources of this run, in source order; items bring their conversations."""
    wanted = set(options.resources or RESOURCE_NAMES)
    if not options.webhook_endpoint_id:
        wanted.discard("webhook_events")  # nothing to read it from
    if options.is_backfill:
        wanted &= set(CONVERSATION_PAIR)
    return _in_source_order(_with_pair(wanted))


def refresh_resources(options: SyncOptions, selected: list[str]) -> list[str]:
    """Selected resources to drop and reload; the conversation pair goes together."""
    wanted = _with_pair(set(options.full_refresh))
    return [name for name in selected if name in wanted]


def conversation_pair(names: list[str]) -> list[str]:
    """Of ``names``, those a further window of the conversations listing reads."""
    return [name for name in names if name in CONVERSATION_PAIR]


def _with_pair(names: set[str]) -> set[str]:
    return names | set(CONVERSATION_PAIR) if names & set(CONVERSATION_PAIR) else names


def _in_source_order(names: set[str]) -> list[str]:
    return [name for name in RESOURCE_NAMES if name in names]
