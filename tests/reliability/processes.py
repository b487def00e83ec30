"""Run ``spruce-sync`` as a separate process, and watch dlt's folder to kill it mid-step.

dlt moves a load package through its pipeline folder as the run goes:
``normalize/<random>/<load_id>`` while extracting, ``normalize/extracted/<load_id>``
when extracted, ``load/new/<load_id>`` while normalizing, ``load/normalized/<load_id>``
until loaded (jobs move from ``new_jobs`` to ``started_jobs`` to ``completed_jobs``),
then ``load/loaded/<load_id>``. ``phase`` reads that layout, so a test can send a signal
at the step it means to interrupt and then prove the signal landed in that step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Phase = Literal["idle", "extract", "normalize", "load", "done"]
POLL_SECONDS = 0.002
# The CLI's entry point, run with the venv's interpreter (no reliance on PATH).
CLI = [sys.executable, "-c", "from pipelines.cli import main; main()"]


def phase(pipeline_dir: Path) -> Phase:
    """Which step a package of this pipeline folder is in, judged from dlt's layout."""
    if _has_children(pipeline_dir / "load" / "normalized", "started_jobs"):
        return "load"
    if _has_children(pipeline_dir / "load" / "new") or _any(pipeline_dir / "normalize" / "extracted"):
        return "normalize"
    if _extracting(pipeline_dir / "normalize"):
        return "extract"
    if _any(pipeline_dir / "load" / "normalized"):
        return "load"
    return "done" if _any(pipeline_dir / "load" / "loaded") else "idle"


def pending_packages(pipeline_dir: Path) -> list[str]:
    """Load ids extracted or normalized but not loaded yet."""
    folders = [pipeline_dir / "normalize" / "extracted", pipeline_dir / "load" / "new"]
    folders.append(pipeline_dir / "load" / "normalized")
    return sorted(p.name for folder in folders if folder.is_dir() for p in folder.iterdir())


def _any(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _has_children(folder: Path, job_folder: str | None = None) -> bool:
    if not folder.is_dir():
        return False
    packages = [p for p in folder.iterdir() if p.is_dir()]
    if job_folder is None:
        return bool(packages)
    return any(_any(p / job_folder) or _any(p / "completed_jobs") for p in packages)


def _extracting(normalize_dir: Path) -> bool:
    """An extract in progress writes into a randomly named folder beside ``extracted``."""
    if not normalize_dir.is_dir():
        return False
    return any(p.is_dir() and p.name != "extracted" and _any(p) for p in normalize_dir.iterdir())


@dataclass
class SyncProcess:
    """One ``spruce-sync`` process; its stdout and stderr go to files for the leak scan."""

    args: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    name: str = "sync"
    # Variables of the test's environment that the process must not inherit.
    unset: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def stdout_path(self) -> Path:
        return self.cwd / f"{self.name}.stdout.log"

    @property
    def stderr_path(self) -> Path:
        return self.cwd / f"{self.name}.stderr.log"

    def start(self) -> SyncProcess:
        inherited = {k: v for k, v in os.environ.items() if k not in self.unset}
        env = {**inherited, **self.env}
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [*CLI, *self.args], cwd=self.cwd, env=env, stdout=out, stderr=err
            )
        return self

    def wait(self, timeout: float = 120) -> int:
        """The exit code; kills the process if it outlives ``timeout`` (then fails)."""
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.name} did not finish in {timeout} s:\n{self.output()}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60) -> bool:
        """Poll ``condition`` while the process runs; False if it ended first."""
        deadline = time.monotonic() + timeout
        while self.running() and time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(POLL_SECONDS)
        return False

    def output(self) -> str:
        """Everything the process wrote, stdout then stderr."""
        texts = [p.read_text(errors="replace") for p in (self.stdout_path, self.stderr_path)]
        return "\n".join(texts)


def run_cli(args: Sequence[str], env: Mapping[str, str], cwd: Path, name: str) -> tuple[int, str]:
    """Run the CLI to the end; returns its exit code and its output."""
    process = SyncProcess(args, env, cwd, name).start()
    return process.wait(), process.output()
