"""``advance``: apply a change to the organization and log it as webhook events.

A change is a dict whose keys are all optional::

    new_contacts, edited_contacts, deleted_contacts, merged_contacts,
    new_conversations, new_items, late_items, retitled_conversations,
    archived_conversations, edited_items, deleted_items, restored_items   (counts)
    late_by_seconds            (late_items are created up to this long ago; default 60)
    new_field                  {"resource": "contacts", "name": "someNewField"}
    type_change                {"resource": "conversations", "field": "title"}
    consistency_delay_seconds  (this change's delay before new records are listed)

Resources are contacts | conversations | conversation_items. The summary, for example::

    {"contacts": {"created": [ids], "edited": [ids], "deleted": [ids],
                  "merged": [{"from": loser id, "into": winner id}]},
     "conversations": {"created": [ids], "edited": [ids]},
     "conversation_items": {"created": [ids], "edited": [ids], "deleted": [ids],
                            "restored": [ids]},
     "drift": {"new_field": {...}, "type_change": {...}},
     "visibleFrom": "2026-11-02T10:00:30.000Z"}

Kinds and actions with nothing to report are absent. Records are chosen with the
organization's seeded RNG; when none qualifies (nothing deleted to restore), fewer
than asked are changed and the summary says which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.data import contact_changes, conversation_changes, item_changes
from simulator.data.change_context import ChangeRun
from simulator.data.clock import rfc3339
from simulator.data.settings import DEFAULT_LATE_BY_SECONDS, SECOND_MS
from simulator.data.world import World

CountChange = Callable[[ChangeRun, int], None]
# Applied in this order, so that e.g. new contacts can be edited in the same change.
COUNT_CHANGES: dict[str, CountChange] = {
    "new_contacts": contact_changes.new_contacts,
    "edited_contacts": contact_changes.edited_contacts,
    "merged_contacts": contact_changes.merged_contacts,
    "deleted_contacts": contact_changes.deleted_contacts,
    "new_conversations": conversation_changes.new_conversations,
    "retitled_conversations": conversation_changes.retitled_conversations,
    "archived_conversations": conversation_changes.archived_conversations,
    "new_items": item_changes.new_items,
    "late_items": lambda run, count: item_changes.late_items(run, count, run.late_by_seconds),
    "edited_items": item_changes.edited_items,
    "deleted_items": item_changes.deleted_items,
    "restored_items": item_changes.restored_items,
}
OTHER_KEYS = ("new_field", "type_change", "late_by_seconds", "consistency_delay_seconds")


def apply_change(world: World, change: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """Apply ``change`` at ``now_ms``; the JSON-ready summary of what changed."""
    _check_keys(change)
    delay_ms = _delay_ms(world, change)
    run = ChangeRun(world, world.change_rng, now_ms, now_ms + delay_ms,
                    late_by_seconds=_number(change, "late_by_seconds", DEFAULT_LATE_BY_SECONDS))
    drift = _apply_drift(world, change)
    for key, apply in COUNT_CHANGES.items():
        count = _count(change, key)
        if count:
            apply(run, count)
    return {**run.summary, "drift": drift, "visibleFrom": rfc3339(run.visible_ms)}


def _check_keys(change: dict[str, Any]) -> None:
    if not isinstance(change, dict):
        raise TypeError(f"a change must be a JSON object, not {type(change).__name__}")
    unknown = sorted(set(change) - set(COUNT_CHANGES) - set(OTHER_KEYS))
    if unknown:
        known = ", ".join([*COUNT_CHANGES, *OTHER_KEYS])
        raise ValueError(f"unknown change keys {unknown}: the keys are {known}")


def _count(change: dict[str, Any], key: str) -> int:
    value: object = change.get(key, 0)  # JSON: checked below, not trusted
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"change {key} must be a count (an integer >= 0), not {value!r}")
    return value


def _number(change: dict[str, Any], key: str, default: float) -> float:
    value: object = change.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"change {key} must be a number of seconds >= 0, not {value!r}")
    return float(value)


def _delay_ms(world: World, change: dict[str, Any]) -> int:
    if "consistency_delay_seconds" not in change:
        return world.consistency_delay_ms
    return int(_number(change, "consistency_delay_seconds", 0) * SECOND_MS)


def _apply_drift(world: World, change: dict[str, Any]) -> dict[str, Any]:
    applied: dict[str, Any] = {}
    if "new_field" in change:
        resource, name = _pair(change["new_field"], "new_field", "name")
        world.drift.add_field(resource, name)
        applied["new_field"] = {"resource": resource, "name": name}
    if "type_change" in change:
        resource, field = _pair(change["type_change"], "type_change", "field")
        world.drift.change_type(resource, field)
        applied["type_change"] = {"resource": resource, "field": field}
    return applied


def _pair(value: Any, key: str, second: str) -> tuple[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("resource"), str) \
            or not isinstance(value.get(second), str) or not value[second]:
        raise ValueError(f'change {key} must be {{"resource": ..., "{second}": ...}} with '
                         f"string values, not {value!r}")
    return value["resource"], value[second]
