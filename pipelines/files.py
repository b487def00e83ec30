"""Files that hold patient data are created owner-only, by every entry point."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def owner_only_files() -> Iterator[None]:
    """Files and folders created in the block are owner-only (umask 077): the DuckDB file,
    dlt's load packages and state, dbt's outputs."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
