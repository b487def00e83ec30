"""Run ``spruce-sync`` as a user would, and look at everything it printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

# A token no test ever expects to see printed; any output containing it is a leak.
SECRET_TOKEN = "sk-live-0123456789abcdef-never-print-me"


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
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML into ``config/spruce-sync.yaml`` of the test's project folder."""

    def write(text: str) -> Path:
        path = tmp_path / "config" / "spruce-sync.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def assert_no_leak(result: CliResult) -> None:
    """Neither stream contains the token, and no traceback reached the user."""
    assert SECRET_TOKEN not in result.output
    assert "Traceback" not in result.output
