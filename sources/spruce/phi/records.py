"""Apply a PHI policy to the records of one resource, in place, before dlt writes them.

``RecordProtector`` is the callable handed to ``DltResource.add_map``: it runs in the
extract step, so the original values never reach dlt's load packages or the destination.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Union

import dlt
import orjson
from dlt.common.normalizers.naming.snake_case import NamingConvention

from sources.spruce.phi.actions import (
    generalize_value,
    hash_value,
    redacted_length,
    strip_signature,
)
from sources.spruce.phi.changes import remember_table_policy, table_policy
from sources.spruce.phi.policy import ColumnPath, PhiPolicy, PhiPolicyError
from sources.spruce.phi.settings import (
    EVENT_OBJECT_RESOURCES,
    MIN_HASH_KEY_LENGTH,
    REDACTED_LENGTH_SUFFIX,
    Action,
    SignedUrlHandling,
)

RuleTree = dict[str, Union["RuleTree", Action]]
_NAMING = NamingConvention()
_SIGNED_URL = "signed_url"


@lru_cache(maxsize=8192)
def _snake(key: str) -> str:
    """dlt's column name for an API key, so rules match what the warehouse shows."""
    return _NAMING.normalize_identifier(key)


def rule_tree(columns: Mapping[ColumnPath, Action]) -> RuleTree:
    """Nest column paths by segment; an action on a parent covers its whole subtree."""
    tree: RuleTree = {}
    for path, action in sorted(columns.items(), key=lambda rule: len(rule[0])):
        node = tree
        for segment in path[:-1]:
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[path[-1]] = action
    return tree


def _drop(record: dict[str, Any], name: str, key: bytes) -> None:
    del record[name]


def _hash(record: dict[str, Any], name: str, key: bytes) -> None:
    record[name] = hash_value(record[name], key)


def _redact(record: dict[str, Any], name: str, key: bytes) -> None:
    record[name + REDACTED_LENGTH_SUFFIX] = redacted_length(record.pop(name))


def _generalize(record: dict[str, Any], name: str, key: bytes) -> None:
    record[name] = generalize_value(record[name])


def _keep(record: dict[str, Any], name: str, key: bytes) -> None:
    return None


_APPLY: Mapping[Action, Callable[[dict[str, Any], str, bytes], None]] = {
    "keep": _keep,
    "drop": _drop,
    "hash": _hash,
    "redact": _redact,
    "generalize": _generalize,
}


def apply_rules(node: Any, tree: RuleTree, key: bytes) -> None:
    """Apply ``tree`` to a record (or a list of them), crossing arrays transparently."""
    if isinstance(node, list):
        for element in node:
            apply_rules(element, tree, key)
        return
    if not isinstance(node, dict):
        return
    for name in list(node):
        rule = tree.get(_snake(name))
        if isinstance(rule, dict):
            apply_rules(node[name], rule, key)
        elif rule is not None:
            _APPLY[rule](node, name, key)


@lru_cache(maxsize=8192)
def _is_signed_url(key: str) -> bool:
    return _snake(key) == _SIGNED_URL


def protect_signed_urls(node: Any, handling: SignedUrlHandling) -> None:
    """Signed URLs expire: keep only their path without the signature, or nothing.

    Every record of every table passes here, so the walk descends only into containers
    (it was among the extract step's largest costs in a profile of a first sync)."""
    if isinstance(node, list):
        for element in node:
            if isinstance(element, (dict, list)):
                protect_signed_urls(element, handling)
        return
    if not isinstance(node, dict):
        return
    signed = [name for name in node if _is_signed_url(name)]
    for name, value in node.items():
        if isinstance(value, (dict, list)) and name not in signed:
            protect_signed_urls(value, handling)
    for name in signed:
        if handling == "drop":
            del node[name]
        else:
            node[name] = _stripped(node[name])


def _stripped(signed: Any) -> Any:
    if isinstance(signed, dict):
        return {"url": strip_signature(signed.get("url"))}
    return strip_signature(signed)


class RecordProtector:
    """Applies a policy to the records of one resource; use as ``resource.add_map(...)``.

    A record routed to another table (``dlt.mark.with_table_name``) gets that table's
    rules. A webhook event's ``data`` (a JSON string holding a whole resource) gets the
    rules of the resource it holds, or is dropped when that is unknown and rules apply.
    """

    def __init__(self, policy: PhiPolicy, resource: str, hash_key: str | None) -> None:
        self._policy = policy
        self._resource = resource
        self._key = _checked_key(policy, hash_key)
        self._trees = {name: rule_tree(columns) for name, columns in policy.rules.items()}
        self._remembered: set[str] = set()

    def __call__(self, item: Any, meta: Any = None) -> Any:
        table = getattr(meta, "table_name", None)
        resource = table if isinstance(table, str) else self._resource
        if resource not in self._remembered:
            self._remember(resource)
        if not isinstance(item, dict):
            return self._passthrough(item, resource)
        self.protect(item, resource)
        return item

    def _remember(self, table: str) -> None:
        """On a table's first record: warn if its policy changed since the last load."""
        current = table_policy(self._policy.describe(table), self._policy.signed_urls)
        remember_table_policy(dlt.current.source_state(), table, current)
        self._remembered.add(table)

    def protect(self, record: dict[str, Any], resource: str) -> None:
        """Protect one record of ``resource`` in place."""
        if resource == "webhook_events" and isinstance(record.get("data"), str):
            self._protect_event_data(record)
        tree = self._trees.get(resource)
        if tree:
            apply_rules(record, tree, self._key)
        protect_signed_urls(record, self._policy.signed_urls)

    def _protect_event_data(self, event: dict[str, Any]) -> None:
        """``data`` is Spruce's JSON payload: ``{"type": "contact.updated", ...,
        "data": {"object": {the whole contact}}}``; protect the resource it carries."""
        try:
            payload = orjson.loads(event["data"])
        except orjson.JSONDecodeError:
            payload = None
        carried, resource = _carried_resource(payload)
        if carried is None or resource is None:
            if self._trees:
                del event["data"]
            return
        self.protect(carried, resource)
        event["data"] = orjson.dumps(payload).decode()

    def _passthrough(self, item: Any, resource: str) -> Any:
        if self._trees.get(resource):
            raise PhiPolicyError(
                f"the PHI policy of {resource!r} applies to records (dicts) but the resource "
                f"yielded {type(item).__name__}; yield dicts or remove its rules"
            )
        return item


def _carried_resource(payload: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The record a webhook payload carries and the resource whose rules apply to it."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        return None, None
    carried = payload["data"].get("object")
    kind = str(payload.get("type", "")).partition(".")[0]
    return (carried if isinstance(carried, dict) else None), EVENT_OBJECT_RESOURCES.get(kind)


def _checked_key(policy: PhiPolicy, hash_key: str | None) -> bytes:
    if not policy.needs_hash_key():
        return (hash_key or "").encode()
    if not hash_key:
        raise PhiPolicyError(missing_key_message())
    if len(hash_key) < MIN_HASH_KEY_LENGTH:
        raise PhiPolicyError(
            f"the PHI hash key is shorter than {MIN_HASH_KEY_LENGTH} characters: use a long "
            f"random secret (e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return hash_key.encode()


def missing_key_message() -> str:
    """The error for a policy that hashes without a key; names where to put the key."""
    return (
        "the PHI policy hashes columns but no hash key is configured: set "
        "SOURCES__SPRUCE__PHI_HASH_KEY or phi_hash_key under [sources.spruce] in "
        ".dlt/secrets.toml to a long random secret, and keep it: a new key changes every hash"
    )
