"""The peak memory of a process and every process under it, sampled from ``/proc``.

``os.wait4`` gives one process's peak RSS, and ``RUSAGE_CHILDREN`` the largest of its
waited-for descendants: neither is what a process pool costs, which is the sum of its
processes alive at the same moment. A thread here reads the tree every
``interval_seconds`` (Linux only) and keeps the largest sums:

- RSS: every page each process has resident, a page shared by several (the
  interpreter, its libraries) counted once per process: what ``ps`` and ``top`` add up
  to, an upper bound of the machine's memory the tree takes;
- PSS (``smaps_rollup``): a shared page split between the processes sharing it, so the
  sum is the memory the tree takes.

A peak shorter than the interval can be missed; a fleet's workers live for the whole
run, so their sizes change slowly.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from typing_extensions import Self

_PROC = Path("/proc")
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
_MB = 2**20


@dataclass(frozen=True)
class TreeMemory:
    """The largest sums seen, in MB, and the most processes seen in the tree at once."""

    peak_rss_mb: float
    peak_pss_mb: float
    most_processes: int


class TreeMemorySampler:
    """Samples ``root`` and its descendants on a thread while in the ``with`` block."""

    def __init__(self, root: int, interval_seconds: float) -> None:
        self.root, self.interval_seconds = root, interval_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._rss = self._pss = 0
        self._processes = 0

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # fmt: skip
        self._stopped.set()
        self._thread.join()

    @property
    def memory(self) -> TreeMemory:
        return TreeMemory(self._rss / _MB, self._pss / _MB, self._processes)

    def sample(self) -> None:
        """One reading of the tree; the peaks keep the largest."""
        pids = list(descendants(self.root))
        rss = sum(resident_bytes(pid) for pid in pids)
        pss = sum(proportional_bytes(pid) for pid in pids)
        self._rss, self._pss = max(self._rss, rss), max(self._pss, pss)
        self._processes = max(self._processes, len(pids))

    def _sample_until_stopped(self) -> None:
        while True:
            self.sample()
            if self._stopped.wait(self.interval_seconds):
                return


def descendants(root: int) -> Iterator[int]:
    """``root`` and every process under it alive now (a process gone meanwhile is skipped)."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents():
        children.setdefault(parent, []).append(pid)
    stack = [root]
    while stack:
        pid = stack.pop()
        yield pid
        stack.extend(children.get(pid, ()))


def _parents() -> Iterator[tuple[int, int]]:
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: fields follow the last ')'
        fields = stat.rsplit(")", 1)[1].split()
        yield int(entry.name), int(fields[1])


def resident_bytes(pid: int) -> int:
    """The process's resident set now (0 once it is gone)."""
    try:
        return int((_PROC / str(pid) / "statm").read_text().split()[1]) * _PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def proportional_bytes(pid: int) -> int:
    """The process's proportional set size now (0 once it is gone or unreadable)."""
    try:
        text = (_PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0
