"""Search everything a run leaves behind for the API token and for patient data (row 29).

The token must appear nowhere: not in any output, log line, file under the test's folder
(load packages included) or the dlt state stored in the warehouse. Patient data belongs
only in the warehouse and in the load packages' data files; it must not appear in
outputs, logs, traces, dlt state or schemas.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlt.common.versioned_state import decompress_state

from tests.reliability.warehouse import Warehouse

# Files that legitimately hold the loaded records: dlt's job files and the DuckDB file.
_DATA_SUFFIXES = (".jsonl", ".parquet", ".insert_values", ".csv", ".typed-jsonl", ".model")
_DATA_FILE_SUFFIXES = (".duckdb", ".duckdb.wal")
_JOB_FOLDERS = {"new_jobs", "started_jobs", "completed_jobs", "failed_jobs"}
# Shorter values (first names, ids) occur by chance in unrelated text.
MIN_PATIENT_VALUE_LENGTH = 8


@dataclass(frozen=True)
class Leak:
    """Where a secret or a patient's value was found (the value itself is not kept)."""

    where: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} found in {self.where}"


@dataclass
class LeakScanner:
    """Knows what must not leak; scans texts, folders and the warehouse's dlt state."""

    secrets: tuple[str, ...]
    patient_values: set[str] = field(default_factory=set)

    def learn_patient_values(self, truth: dict[str, list[dict[str, Any]]]) -> None:
        """Remember distinctive strings of the ground truth as patient data."""
        for table in ("contacts", "conversation_items"):
            for record in truth.get(table, []):
                self.patient_values.update(_distinctive_strings(record))

    def scan_text(self, where: str, text: str, data_allowed: bool = False) -> list[Leak]:
        """Leaks in one text: the token always, patient data unless ``data_allowed``."""
        leaks = [Leak(where, "token") for secret in self.secrets if secret in text]
        if not data_allowed and any(value in text for value in self.patient_values):
            leaks.append(Leak(where, "patient data"))
        return leaks

    def scan_tree(self, root: Path) -> list[Leak]:
        """Leaks in every file under ``root`` (gzip-compressed files are opened)."""
        leaks: list[Leak] = []
        for path in _files(root):
            text = _read_text(path)
            leaks += self.scan_text(str(path.relative_to(root)), text, holds_data(path))
        return leaks

    def scan_stored_state(self, warehouse: Warehouse) -> list[Leak]:
        """Leaks in the pipeline state dlt committed to the destination."""
        if "_dlt_pipeline_state" not in warehouse.tables():
            return []
        leaks: list[Leak] = []
        for row in warehouse.rows("_dlt_pipeline_state"):
            state = str(decompress_state(row["state"]))
            leaks += self.scan_text("_dlt_pipeline_state in the warehouse", state)
        return leaks


def _distinctive_strings(record: dict[str, Any]) -> Iterator[str]:
    """String leaves of a record that look like a person's data: names and texts (with a
    space), emails, phone numbers. Enum values ("completed"), ids, URLs and timestamps
    are not patient data and would match by chance."""
    for value in _leaves(record):
        long_enough = isinstance(value, str) and len(value.strip()) >= MIN_PATIENT_VALUE_LENGTH
        if long_enough and _looks_personal(value.strip()):
            yield value


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _looks_personal(value: str) -> bool:
    if value.startswith(("http://", "https://")) or value[:4].isdigit():
        return False  # a link to a record, or a timestamp / date
    if "_" in value and " " not in value:
        return False  # an id such as entity_300B000000015
    digits = sum(character.isdigit() for character in value)
    return " " in value or "@" in value or digits >= 7


def _files(root: Path) -> Iterable[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def holds_data(path: Path) -> bool:
    """Whether a file is one of dlt's job files or the DuckDB file: the loaded records."""
    if path.name.endswith(_DATA_FILE_SUFFIXES):
        return True
    in_job_folder = bool(_JOB_FOLDERS & set(path.parts))
    return in_job_folder and any(suffix in path.name for suffix in _DATA_SUFFIXES)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            pass  # a file cut short by a kill: scan the bytes as they are
    return raw.decode("utf-8", errors="replace")
