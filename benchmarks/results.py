"""The results file of one bench run: machine, versions, settings and every figure."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.figures import ScenarioReport

_VERSIONED = ("dlt", "duckdb", "httpx", "pyarrow", "orjson", "starlette", "uvicorn", "spruce-sync")


def machine_details() -> dict[str, Any]:
    """What the figures depend on: CPU count and model, memory, Python, OS."""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def versions() -> dict[str, str]:
    found = {}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def git_commit(repo: Path) -> str:
    try:
        completed = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return completed.stdout.strip()


def results_document(
    reports: list[ScenarioReport],
    command: str,
    started: datetime,
    load_at_start: tuple[float, float, float],
    repo: Path,
) -> dict[str, Any]:
    """Everything about the run; the load averages say how shared the machine was."""
    return {
        "command": command,
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(repo),
        "machine": machine_details(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "versions": versions(),
        "scenarios": [report.to_dict() for report in reports],
    }


def write_results(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
