"""The processes of the webhook scenario: ``spruce-sync webhooks serve`` and ``spruce-sync
run`` as a user runs them, in a project folder, into a PostgreSQL database made for them.

Each command runs in its own process (``python -m pipelines.cli``, the console script's
entry point), so that neither the sender's threads nor the bench share its GIL.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from typing_extensions import Self

from benchmarks.harness import REPO_ROOT, RunResult, counter_delta
from benchmarks.measure import measure_process
from benchmarks.simulator_process import SimulatorProcess

CLI = (sys.executable, "-m", "pipelines.cli")
# The server of the tests, as scenario 6 (postgres_load) reads it.
ADMIN_DSN = os.environ.get(
    "SPRUCE_SYNC_BENCH_PG_ADMIN_DSN", "postgresql://postgres:unused@127.0.0.1:5432/postgres"
)
# A hang guard: the receiver imports the PHI layer (and, applying, dlt) before it listens.
START_TIMEOUT_SECONDS = 120.0
# uvicorn's graceful stop waits up to 5 s for deliveries; an apply under way may add a load.
STOP_TIMEOUT_SECONDS = 60.0


def project_env(project: Path, **settings: str) -> dict[str, str]:
    """The bench's environment for a command run in ``project``: its own dlt folders,
    telemetry off, ``settings`` (dlt's variables) over the rest."""
    (project / ".dlt").mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "DLT_PROJECT_DIR": str(project), "PYTHONPATH": path,
            "DLT_DATA_DIR": str(project / "dlt-data"), "RUNTIME__DLTHUB_TELEMETRY": "false",
            **settings}  # fmt: skip


def free_port() -> int:
    """A loopback port free now: the receiver's URL must be known before it starts (the
    simulator's endpoint is created with it, and its answer holds the signing secret)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ReceiverProcess:
    """``spruce-sync webhooks serve --json ARGS`` in ``project``; use as a context manager.
    ``endpoints`` and ``inbox`` are what it announced; stdout and stderr go to files there."""

    def __init__(self, project: Path, env: dict[str, str], *args: str) -> None:
        self.project, self.env, self.args = project, env, args
        self.endpoints: dict[str, str] = {}
        self.inbox = Path()
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        stdout = self.project / "receiver.stdout"
        with stdout.open("wb") as out, (self.project / "receiver.stderr").open("wb") as err:
            self._process = subprocess.Popen([*CLI, "webhooks", "serve", "--json", *self.args],
                                             cwd=self.project, env=self.env, stdout=out, stderr=err)
        announced = self._announcement(stdout, self._process)
        self.endpoints, self.inbox = announced["endpoints"], Path(announced["inbox"])
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # fmt: skip
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(STOP_TIMEOUT_SECONDS)

    @property
    def url(self) -> str:
        """The one organization's delivery URL."""
        return next(iter(self.endpoints.values()))

    def _announcement(self, stdout: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
        """The first line it prints, once it listens; RuntimeError with its stderr if it
        exits or hangs first."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            if (text := stdout.read_text(encoding="utf-8")).endswith("\n"):
                announced: dict[str, Any] = json.loads(text.splitlines()[0])
                return announced
            time.sleep(0.05)
        process.kill()
        error = (self.project / "receiver.stderr").read_text(encoding="utf-8")[-2000:]
        raise RuntimeError(f"webhooks serve did not start (exit {process.wait()}): {error}")


@contextmanager
def fresh_database() -> Iterator[str]:
    """The DSN of a new, empty PostgreSQL database, dropped afterwards."""
    import psycopg2

    name = f"spruce_bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@dataclass(frozen=True)
class SyncCommand:
    """``spruce-sync run --destination postgres`` against the simulator, in the project
    that ``env`` names (`project_env`)."""

    env: dict[str, str]
    timeout_seconds: float

    def measured(self, simulator: SimulatorProcess, label: str) -> RunResult:
        """One run, timed in its own process; its requests from the simulator's counters."""
        argv: Sequence[str] = [*CLI, "run", "--destination", "postgres", "--json",
                               "--base-url", simulator.base_url]
        before = simulator.counters()
        measured = measure_process(argv, self.env, self.timeout_seconds)
        return RunResult(
            pipeline="ours", label=label, ok=measured.returncode == 0,
            wall_seconds=measured.wall_seconds, cpu_seconds=measured.cpu_seconds,
            peak_rss_mb=measured.peak_rss_mb, rows={}, records=0, duckdb_path="",
            error=measured.stderr_tail, **counter_delta(before, simulator.counters()),
        )  # fmt: skip
