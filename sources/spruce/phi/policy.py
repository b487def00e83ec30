"""The PHI policy: what happens to each column of each resource before it reaches disk.

A policy comes from the YAML config (``phi_policy``) in one of two shapes::

    phi_policy: deidentified            # a preset by name

    phi_policy:
      preset: deidentified              # optional starting point
      signed_urls: strip                # strip (path without signature, default) | drop
      columns:
        contacts:
          phone_numbers.value: hash     # keep | drop | hash | redact | generalize
        conversation_items:
          text: keep                    # overrides the preset

Any mistake raises ``PhiPolicyError`` naming the key, the bad value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sources.spruce.phi.settings import (
    ACTIONS,
    GUARDED_COLUMNS,
    PRESET_SIGNED_URLS,
    PRESETS,
    RESOURCES,
    SIGNED_URL_HANDLINGS,
    Action,
    SignedUrlHandling,
)

ColumnPath = tuple[str, ...]
_POLICY_KEYS = ("preset", "signed_urls", "columns")


class PhiPolicyError(ValueError):
    """A PHI policy that cannot be applied; the message says where and what is allowed."""


@dataclass(frozen=True)
class PhiPolicy:
    """Actions per resource and column path; columns not named are kept as they are."""

    rules: Mapping[str, Mapping[ColumnPath, Action]] = field(default_factory=dict)
    signed_urls: SignedUrlHandling = "strip"

    def needs_hash_key(self) -> bool:
        """Whether any rule hashes, so that a key must be configured."""
        return any("hash" in columns.values() for columns in self.rules.values())

    def describe(self, resource: str) -> dict[str, str]:
        """One resource's rules as plain data (dotted column -> action), keeps left out."""
        columns = self.rules.get(resource, {})
        return {".".join(path): action for path, action in sorted(columns.items())
                if action != "keep"}


def parse_phi_policy(spec: str | Mapping[str, Any] | None, where: str = "phi_policy") -> PhiPolicy:
    """Build a policy from its YAML form; ``where`` prefixes every error (file and key)."""
    if spec is None:
        return PhiPolicy()
    if isinstance(spec, str):
        return _from_preset(spec, f"{where}")
    if not isinstance(spec, Mapping):
        raise PhiPolicyError(
            f"{where}: expected a preset name ({_allowed(PRESETS)}) or a mapping with keys "
            f"{', '.join(_POLICY_KEYS)}, got {type(spec).__name__}"
        )
    _reject_unknown(spec, _POLICY_KEYS, where)
    base = _from_preset(spec["preset"], f"{where}.preset") if "preset" in spec else PhiPolicy()
    signed_urls = _signed_urls(spec.get("signed_urls", base.signed_urls), f"{where}.signed_urls")
    rules = _merge(base.rules, _columns(spec.get("columns") or {}, f"{where}.columns"), where)
    return PhiPolicy(rules=rules, signed_urls=signed_urls)


def _from_preset(name: object, where: str) -> PhiPolicy:
    if not isinstance(name, str) or name not in PRESETS:
        raise PhiPolicyError(f"{where}: unknown preset {name!r}; allowed: {_allowed(PRESETS)}")
    rules = {
        resource: {_path(column, where): action for column, action in columns.items()}
        for resource, columns in PRESETS[name].items()
    }
    return PhiPolicy(rules=rules, signed_urls=PRESET_SIGNED_URLS.get(name, "strip"))


def _signed_urls(value: object, where: str) -> SignedUrlHandling:
    if value not in SIGNED_URL_HANDLINGS:
        raise PhiPolicyError(
            f"{where}: {value!r} is not allowed; use one of {', '.join(SIGNED_URL_HANDLINGS)}"
        )
    return cast(SignedUrlHandling, value)


def _columns(spec: object, where: str) -> dict[str, dict[ColumnPath, Action]]:
    if not isinstance(spec, Mapping):
        raise PhiPolicyError(f"{where}: expected a mapping of resource -> column -> action")
    _reject_unknown(spec, sorted(RESOURCES), where)
    return {resource: _resource_columns(columns, f"{where}.{resource}")
            for resource, columns in spec.items()}


def _resource_columns(spec: object, where: str) -> dict[ColumnPath, Action]:
    if not isinstance(spec, Mapping):
        raise PhiPolicyError(f"{where}: expected a mapping of column -> action")
    return {_path(column, f"{where}.{column}"): _action(action, f"{where}.{column}")
            for column, action in spec.items()}


def _path(column: object, where: str) -> ColumnPath:
    """A dotted column path; every segment must already be a snake_case warehouse name."""
    if not isinstance(column, str) or not column or column != column.strip():
        raise PhiPolicyError(f"{where}: a column is a dotted path such as phone_numbers.value")
    path = tuple(column.split("."))
    if not all(segment and segment == segment.lower() for segment in path):
        raise PhiPolicyError(
            f"{where}: write columns in the warehouse's snake_case names "
            f"(e.g. date_of_birth, not dateOfBirth), one dot per nesting level"
        )
    return path


def _action(action: object, where: str) -> Action:
    if action not in ACTIONS:
        raise PhiPolicyError(f"{where}: unknown action {action!r}; allowed: {', '.join(ACTIONS)}")
    return cast(Action, action)


def _merge(
    base: Mapping[str, Mapping[ColumnPath, Action]],
    override: Mapping[str, Mapping[ColumnPath, Action]],
    where: str,
) -> dict[str, dict[ColumnPath, Action]]:
    merged = {resource: dict(columns) for resource, columns in base.items()}
    for resource, columns in override.items():
        merged.setdefault(resource, {}).update(columns)
    for resource, columns in merged.items():
        _reject_guarded(columns, f"{where}.columns.{resource}")
    return merged


def _reject_guarded(columns: Mapping[ColumnPath, Action], where: str) -> None:
    for path, action in columns.items():
        if len(path) == 1 and path[0] in GUARDED_COLUMNS and action != "keep":
            raise PhiPolicyError(
                f"{where}.{path[0]}: {path[0]!r} is a key, cursor or "
                f"timestamp that merges and models depend on; it can only be kept"
            )


def _reject_unknown(spec: Mapping[str, Any], allowed: list[str] | tuple[str, ...], where: str) -> None:
    for key in spec:
        if key not in allowed:
            raise PhiPolicyError(f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}")


def _allowed(names: Mapping[str, Any]) -> str:
    return ", ".join(sorted(names))
