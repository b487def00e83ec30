"""The README's crontab line, run as written in a fresh checkout of the project.

Two substitutions, both outside the command text: the project folder is the test's
(``cd /opt/spruce-sync`` names it), and its ``.venv/bin/spruce-sync`` is a link to the
``spruce-sync`` of the virtualenv running the tests. The shell gets a cron-like
environment: a short PATH, a HOME of its own, and only the token, the base URL and dlt's
data folder (kept inside the test's folder) besides.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import (
    COMMAND_TIMEOUT_S,
    SECRET_TOKEN,
    SHIPPED_CONFIG,
    CliResult,
    assert_no_leak,
)
from tests.fixtures.simulator import SimulatorFactory

pytestmark = pytest.mark.slow

REPOSITORY = SHIPPED_CONFIG.parent
README = REPOSITORY / "README.md"
# Where the README's recipe expects the project.
README_FOLDER = "/opt/spruce-sync"
# A checkout holds these besides the code (``.dlt/secrets.toml`` is git-ignored).
CHECKED_IN = ("config", ".dlt/config.toml", ".dlt/secrets.toml.example")
# The venv's own console script: beside the interpreter, not resolved through its links.
VENV_SPRUCE_SYNC = Path(sys.executable).parent / "spruce-sync"
# What cron gives a job (crontab(5)), besides the variables a crontab sets.
CRON_PATH = "/usr/bin:/bin"
RUNS = 2


def crontab_command() -> str:
    """The command part of the README's crontab line (its five time fields dropped)."""
    scheduling = README.read_text(encoding="utf-8").split("\n## Scheduling\n", 1)[1]
    scheduling = scheduling.split("\n## ", 1)[0]  # the section alone
    lines = re.findall(r"^\s*(\S+ \S+ \S+ \S+ \S+) (cd .+)$", scheduling, re.MULTILINE)
    assert len(lines) == 1, f"expected one crontab line in Scheduling, found {lines}"
    return str(lines[0][1])


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """The project's checked-in configuration in a new folder, ``.venv/bin/spruce-sync``
    linked to this virtualenv's; nothing else (no ``var/``, no warehouse, no state)."""
    checkout = tmp_path / "checkout"
    for name in CHECKED_IN:
        source, target = REPOSITORY / name, checkout / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin" / "spruce-sync").symlink_to(VENV_SPRUCE_SYNC)
    return checkout


@pytest.mark.parametrize("shell", ["bash", "sh"])  # the brief's, and cron's own /bin/sh
def test_the_readme_crontab_line_appends_one_succeeded_document_per_run(
    fresh_checkout: Path, simulator_factory: SimulatorFactory, tmp_path: Path, shell: str
) -> None:
    simulator = simulator_factory(tokens=(SECRET_TOKEN,))
    command = crontab_command()
    assert command.startswith(f"cd {README_FOLDER} && "), command
    command = command.replace(README_FOLDER, shlex.quote(str(fresh_checkout)), 1)
    env = {"PATH": CRON_PATH, "HOME": str(tmp_path / "home"), "SHELL": "/bin/sh",
           "SOURCES__SPRUCE__API_TOKEN": SECRET_TOKEN,
           "SOURCES__SPRUCE__BASE_URL": simulator.base_url,
           "DLT_DATA_DIR": str(tmp_path / "dlt-data"), "RUNTIME__DLTHUB_TELEMETRY": "false"}  # fmt: skip

    for _ in range(RUNS):
        job = subprocess.run([shell, "-c", command], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=COMMAND_TIMEOUT_S, check=False)  # fmt: skip
        assert job.returncode == 0, f"{job.stdout}{job.stderr}{read(fresh_checkout, 'var/log')}"

    lines = (fresh_checkout / "var" / "log" / "runs.jsonl").read_text(encoding="utf-8")
    documents = [json.loads(line) for line in lines.splitlines()]
    assert [document["status"] for document in documents] == ["succeeded"] * RUNS, lines
    assert {document["location"] for document in documents} == {
        str(fresh_checkout / "spruce_sync.duckdb")}  # fmt: skip
    log = (fresh_checkout / "var" / "log" / "spruce-sync.log").read_text(encoding="utf-8")
    assert_no_leak(CliResult(0, lines, log))


def read(checkout: Path, folder: str) -> str:
    """Every file of ``folder`` in the checkout, for a failure's message."""
    files = sorted((checkout / folder).glob("*")) if (checkout / folder).is_dir() else []
    return "".join(f"\n--- {path.name}:\n{path.read_text(errors='replace')}" for path in files)
