"""One run at a time per pipeline: an advisory lock file beside dlt's pipeline folder.

The lock is taken before any request is sent and released by the OS if the process dies,
so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.runner.errors import PipelineBusy


@contextmanager
def pipeline_lock(pipelines_dir: Path, pipeline_name: str) -> Iterator[None]:
    """Hold ``<pipelines_dir>/<pipeline_name>.lock`` for the block; raises `PipelineBusy`."""
    pipelines_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = pipelines_dir / f"{pipeline_name}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineBusy(
                f"Another run of pipeline {pipeline_name!r} is in progress (it holds {path})."
                " Wait for it to finish; this run sent no request."
            ) from None
        yield
    finally:
        os.close(descriptor)
