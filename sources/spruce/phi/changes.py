"""Notice when a table's PHI policy changed since data was loaded under the previous one.

The policy each table was loaded under is kept in the source's dlt state (actions only,
never values). That state is committed together with a load package, so a remembered
policy means rows were really written under it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from sources.spruce.phi.settings import STATE_KEY

log = logging.getLogger(__name__)
_SIGNED_URLS = "signed_urls"


@dataclass(frozen=True)
class PolicyChange:
    """One column whose action differs from the one its stored rows were written with."""

    table: str
    column: str
    before: str
    after: str

    def message(self) -> str:
        """What changed, why it matters and what to do (names no data)."""
        return (
            f"PHI policy of {self.table}.{self.column} changed from {self.before!r} to "
            f"{self.after!r}, but {self.table} already holds rows written under "
            f"{self.before!r}: they stay as they are (and a new type lands in a separate "
            f"variant column). Reload the table under the new policy with a full refresh: "
            f"spruce-sync run --full-refresh {self.table}"
        )


def table_policy(columns: Mapping[str, str], signed_urls: str) -> dict[str, Any]:
    """The plain-data form of one table's policy, as remembered in state."""
    return {"columns": dict(columns), _SIGNED_URLS: signed_urls}


def policy_changes(before: Mapping[str, Any], after: Mapping[str, Any], table: str) -> list[PolicyChange]:
    """Columns whose action differs between two remembered forms (absent means keep)."""
    old, new = before.get("columns", {}), after.get("columns", {})
    changes = [
        PolicyChange(table, column, old.get(column, "keep"), new.get(column, "keep"))
        for column in sorted(set(old) | set(new))
        if old.get(column, "keep") != new.get(column, "keep")
    ]
    if before.get(_SIGNED_URLS, after[_SIGNED_URLS]) != after[_SIGNED_URLS]:
        changes.append(PolicyChange(table, "*.signed_url", before[_SIGNED_URLS], after[_SIGNED_URLS]))
    return changes


def remember_table_policy(
    state: MutableMapping[str, Any], table: str, current: Mapping[str, Any]
) -> list[PolicyChange]:
    """Warn about each change against the remembered policy, then remember ``current``."""
    remembered = state.setdefault(STATE_KEY, {})
    changes = policy_changes(remembered[table], current, table) if table in remembered else []
    for change in changes:
        log.warning(change.message())
    remembered[table] = dict(current)
    return changes
