"""Run ``spruce-sync`` as a user would, and look at everything it printed."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

# A token no test ever expects to see printed; any output containing it is a leak.
SECRET_TOKEN = "sk-live-0123456789abcdef-never-print-me"
# A command that takes longer than this has hung (a small sync takes seconds).
COMMAND_TIMEOUT_S = 120
# The profiles the project ships.
SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "config"


@dataclass(frozen=True)
class CliResult:
    """What one command did: its exit code and its two streams."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


SpruceSync = Callable[..., CliResult]


@pytest.fixture
def spruce_sync(monkeypatch: pytest.MonkeyPatch) -> SpruceSync:
    """``spruce_sync("run", "--profile", "x", env={...})`` runs the CLI in this process."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> CliResult:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        with _logging_restored():
            result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@contextmanager
def _logging_restored() -> Iterator[None]:
    # The CLI points the root logger at the runner's stderr, which closes afterwards.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
def spruce_sync_process(tmp_path: Path) -> SpruceSync:
    """The CLI in its own process (``python -m pipelines.cli``), as a scheduler runs it.

    Used wherever dlt runs: dlt binds its log handler to the stderr of the first caller,
    which an in-process runner replaces between invocations.
    """

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> CliResult:
        completed = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", *args],
            env={**os.environ, **(env or {})}, cwd=cwd or tmp_path,
            capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False,
        )  # fmt: skip
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML into ``config/spruce-sync.yaml`` of the test's project folder."""

    def write(text: str) -> Path:
        path = tmp_path / "config" / "spruce-sync.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


# The default profile of the tests' project folder: the documented defaults.
DEFAULT_PROFILE = "profiles:\n  default:\n    duckdb_path: spruce_sync.duckdb\n"


@pytest.fixture
def project(write_config: Callable[[str], Path], tmp_path: Path) -> Path:
    """The test's project folder with a default profile."""
    write_config(DEFAULT_PROFILE)
    return tmp_path


def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_no_leak(result: CliResult, *secrets: str) -> None:
    """Neither stream contains a secret (default: the token), and no traceback either."""
    for secret in secrets or (SECRET_TOKEN,):
        assert secret not in result.output
    assert "Traceback" not in result.output


def json_lines(stdout: str) -> list[dict[str, object]]:
    """``--json`` output read as operators read it: one JSON document per line."""
    return [json.loads(line) for line in stdout.splitlines()]
