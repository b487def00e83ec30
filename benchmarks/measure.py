"""Measure one run in its own process: wall time, CPU seconds and peak RSS.

``os.wait4`` returns the resource usage of exactly that child, so neither the
simulator's process nor earlier runs leak into a figure (``RUSAGE_CHILDREN`` would
report the largest child ever waited for as the peak RSS). A run whose work is done by
processes it starts (a process pool) can have its whole tree sampled as well
(``tree_sample_seconds``, `benchmarks.process_tree`); it then runs in a process group of
its own, killed whole at its time limit.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from benchmarks.process_tree import TreeMemory, TreeMemorySampler

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
    # The process and everything under it, when sampled (``tree_sample_seconds``).
    tree: TreeMemory | None = None


def measure_process(
    argv: Sequence[str], env: Mapping[str, str], timeout_seconds: float, *,
    stdout_path: Path | None = None, cwd: Path | None = None,
    tree_sample_seconds: float | None = None,
) -> ProcessMeasurement:  # fmt: skip
    """Run ``argv`` to completion (killed after ``timeout_seconds``) and measure it.

    ``stdout_path``: its stdout goes there (else with its stderr, of which the tail is
    kept). ``tree_sample_seconds``: the memory of its whole process tree is sampled this
    often (``ProcessMeasurement.tree``); its CPU seconds include the descendants it waited for.
    """
    tree = tree_sample_seconds is not None
    sampler: TreeMemorySampler | None = None
    with tempfile.TemporaryFile() as stderr, _output(stdout_path, stderr) as stdout:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), env=dict(env), stdout=stdout, stderr=stderr,
                                   cwd=cwd, start_new_session=tree)  # fmt: skip
        watchdog = threading.Timer(timeout_seconds, _killer(process, tree))
        watchdog.start()
        if tree_sample_seconds is not None:
            sampler = TreeMemorySampler(process.pid, tree_sample_seconds)
        try:
            with sampler or nullcontext():
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
        tree=sampler.memory if sampler else None,
    )


def _output(stdout_path: Path | None, stderr: IO[bytes]) -> AbstractContextManager[IO[bytes]]:
    return stdout_path.open("wb") if stdout_path is not None else nullcontext(stderr)


def _killer(process: subprocess.Popen[bytes], whole_group: bool) -> Callable[[], None]:
    """What the watchdog calls: kill the process, or its whole group (its pool's workers too)."""

    def kill() -> None:
        if whole_group:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()

    return kill
