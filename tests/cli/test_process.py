"""The console entry point as a scheduler meets it: project discovery, SIGTERM, exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator import FaultSettings, Simulator
from tests.cli.conftest import COMMAND_TIMEOUT_S, DEFAULT_PROFILE, SpruceSync, assert_no_leak
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory

# Every request of the simulator takes this long, so that a run is still extracting
# when the signal arrives.
SLOW_REQUEST_S = 0.2


def test_the_cli_finds_the_projects_dlt_folder_from_a_subfolder(
    spruce_sync_process: SpruceSync, simulator_factory: SimulatorFactory, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    simulator = simulator_factory()
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt" / "secrets.toml").write_text(
        f'[sources.spruce]\napi_token = "{TEST_TOKEN}"\n', encoding="utf-8")
    (tmp_path / ".dlt" / "config.toml").write_text(
        f'[sources.spruce]\nbase_url = "{simulator.base_url}"\n', encoding="utf-8")
    (tmp_path / "reports").mkdir()
    monkeypatch.delenv("DLT_PROJECT_DIR")
    result = spruce_sync_process("check", cwd=tmp_path / "reports")
    assert result.exit_code == 0, result.output
    assert simulator.organization.organization_id in result.stdout
    assert_no_leak(result, TEST_TOKEN)


def test_sigterm_stops_a_run_with_exit_code_130(
    simulator_factory: SimulatorFactory, tmp_path: Path
) -> None:
    simulator = simulator_factory(faults=FaultSettings(latency_seconds=SLOW_REQUEST_S))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "spruce-sync.yaml").write_text(DEFAULT_PROFILE, encoding="utf-8")
    env = {**os.environ, "SOURCES__SPRUCE__API_TOKEN": TEST_TOKEN,
           "SOURCES__SPRUCE__BASE_URL": simulator.base_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for_requests(simulator, process, count=3)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT_S)
    assert process.returncode == 130, stdout + stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr and TEST_TOKEN not in stdout + stderr


def _wait_for_requests(simulator: Simulator, process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    while simulator.counters().total_requests < count:
        assert process.poll() is None, "the run ended before it was signalled"
        assert time.monotonic() < deadline, "the run never reached the simulator"
        time.sleep(0.05)
