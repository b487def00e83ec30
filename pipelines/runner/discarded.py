"""Name the columns that a discarding schema contract keeps out of a table.

dlt's ``discard_value`` and ``discard_row`` contracts drop new columns without a word, so an
operator would never learn that Spruce started sending a field. A ``DiscardWatch`` rides on
the resource as a map step (after the PHI policy, so dropped PHI is not reported), compares
each record's column names with the table's known columns, and the runner logs the new
ones once per window. Names only: the values are patient data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from dlt.common.normalizers.naming import NamingConvention

logger = logging.getLogger(__name__)

DISCARDING_MODES = frozenset({"discard_value", "discard_row"})


class DiscardWatch:
    """Collects the column names of one table's records that the table does not have yet."""

    def __init__(self, table: str, mode: str, known: Iterable[str], naming: NamingConvention):
        self.table, self.mode, self.naming = table, mode, naming
        self.known = frozenset(known)
        self.unknown: set[str] = set()

    def __call__(self, record: Any) -> Any:
        if isinstance(record, Mapping):
            self.unknown.update(name for name in self._columns(record) if name not in self.known)
        return record

    def _columns(self, record: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
        """dlt's column names of a record: nested objects flatten with ``__``; lists become
        child tables, which the contract governs on their own."""
        for key, value in record.items():
            name = prefix + self.naming.normalize_identifier(key)
            if isinstance(value, Mapping):
                yield from self._columns(value, name + "__")
            elif not isinstance(value, list):
                yield name

    def report(self) -> None:
        """Log the new columns seen since the last report, then forget them."""
        if self.unknown:
            logger.warning(
                "%s: the %s contract kept new column(s) out of the table: %s. To load them, "
                "set schema_contracts.%s to evolve in the profile.",
                self.table, self.mode, ", ".join(sorted(self.unknown)), self.table,
            )
        self.unknown.clear()
