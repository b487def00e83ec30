"""Look for a practice's raw identifiers in the bytes of files and database dumps."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from simulator.contract import JsonRecord
from tests.analytics.practice import Practice, Warehouse

# Tables of the practice itself (teammates, lines, templates): no patient data, kept as is.
PRACTICE_TABLES = ("organization", "organization_members", "phone_lines", "internal_endpoints",
                   "saved_messages", "contact_tags", "contact_fields", "conversation_tags")
# Shorter strings would match by chance (a 3-letter name inside another word).
MIN_NEEDLE_LENGTH = 6


def patient_identifiers(practice: Practice) -> set[str]:
    """Names, phone numbers and emails of every contact, as Spruce serves them."""
    found: set[str] = set()
    for contact in practice.truth["contacts"]:
        found.update(_contact_identifiers(contact))
    practice_text = repr([practice.truth[table] for table in PRACTICE_TABLES])
    return {value for value in found
            if len(value) >= MIN_NEEDLE_LENGTH and value not in practice_text}


def _contact_identifiers(contact: JsonRecord) -> Iterator[str]:
    yield from (contact.get(key) or "" for key in ("displayName", "givenName", "familyName"))
    for key in ("phoneNumbers", "emailAddresses", "faxNumbers"):
        for entry in contact.get(key) or []:
            yield entry["value"]
            yield entry.get("displayValue") or ""


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def dump_destination(warehouse: Warehouse, into: Path) -> list[Path]:
    """A text dump of the raw and the modelled schemas (CSV for DuckDB, SQL for Postgres)."""
    if warehouse.duckdb_path is not None:
        target = into / "duckdb-export"
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as connection:
            connection.execute(f"EXPORT DATABASE '{target}' (FORMAT csv)").fetchall()
        return files_under(target)
    dump = into / "postgres.sql"
    credentials = warehouse.pipeline.destination_client().config.credentials
    assert credentials is not None, "a Postgres warehouse has credentials"
    dsn = credentials.to_native_representation()
    subprocess.run(["pg_dump", "--dbname", dsn, "--schema", "spruce", "--schema",
                    "spruce_analytics", "--file", str(dump)], check=True, timeout=120)
    return [dump]


def identifiers_in(paths: Iterable[Path], identifiers: set[str]) -> dict[str, set[str]]:
    """File name -> the identifiers found in its bytes (UTF-8), for files that hold any."""
    pattern = re.compile(_trie_pattern([value.encode() for value in identifiers]))
    hits: dict[str, set[str]] = {}
    for path in paths:
        found = {match.decode() for match in pattern.findall(path.read_bytes())}
        if found:
            hits[str(path)] = found
    return hits


def _trie_pattern(needles: list[bytes]) -> bytes:
    """One regex of the needles nested by common prefix: a flat alternation of thousands
    of literals makes ``re`` try each one at every byte, a trie tries one path."""
    trie: dict[int, Any] = {}
    for needle in needles:
        node = trie
        for byte in needle:
            node = node.setdefault(byte, {})
        node[-1] = {}
    return _branch(trie)


def _branch(node: dict[int, Any]) -> bytes:
    ends = -1 in node
    options = [re.escape(bytes([byte])) + _branch(child)
               for byte, child in sorted(node.items()) if byte != -1]
    if not options:
        return b""
    body = options[0] if len(options) == 1 else b"(?:" + b"|".join(options) + b")"
    return b"(?:" + body + b")?" if ends else body
