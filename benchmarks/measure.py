"""Measure one run in its own process: wall time, CPU seconds and peak RSS.

``os.wait4`` returns the resource usage of exactly that child, so neither the
simulator's process nor earlier runs leak into a figure (``RUSAGE_CHILDREN`` would
report the largest child ever waited for as the peak RSS).
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# How much of a failed child's stderr the report keeps (the last lines hold the error).
_STDERR_TAIL_CHARS = 2000


@dataclass(frozen=True)
class ProcessMeasurement:
    """What one child process cost."""

    wall_seconds: float
    cpu_seconds: float  # user + system
    peak_rss_mb: float
    returncode: int
    stderr_tail: str


def measure_process(
    argv: Sequence[str], env: Mapping[str, str], timeout_seconds: float
) -> ProcessMeasurement:
    """Run ``argv`` to completion (killed after ``timeout_seconds``) and measure it."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), env=dict(env), stdout=stderr, stderr=stderr)
        watchdog = threading.Timer(timeout_seconds, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        tail = stderr.read().decode("utf-8", "replace")[-_STDERR_TAIL_CHARS:]
        if process.returncode < 0:
            tail += f"\nkilled by signal {-process.returncode} after {wall:.0f} s"
            tail += " (the run's time limit)" if wall >= timeout_seconds else ""
    return ProcessMeasurement(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
        returncode=process.returncode,
        stderr_tail=tail if process.returncode else "",
    )
