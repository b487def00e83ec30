"""The wheel as a user installs it (``pip install '.[dbt]'``): the demo and the transform.

The wheel is built from a copy of the checkout: setuptools reuses the ``build/`` and
``*.egg-info`` folders of the source folder, so a build in place could ship files that
the configuration no longer names (and would write into the shared working tree). It
is installed, with the dbt extra and not editable, into a fresh venv, whose own
``spruce-sync`` runs in an empty folder with no PYTHONPATH: nothing can come from the
checkout. pip's cache makes the dependencies quick; the first run downloads them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.analytics.questions import ANALYST_QUESTIONS
from pipelines.settings import ANALYTICS_SCHEMA, DEMO_DATASET, DEMO_DUCKDB_FILE, DEMO_PIPELINE
from tests.fleet.conftest import PARTITION_KEYS_SCRIPT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
# What a build does not read: git, venvs, caches, build output, local warehouses and
# demo folders (.* also keeps .dlt/secrets.toml out of the copy).
NOT_SOURCES = shutil.ignore_patterns(
    ".*", "build", "dist", "*.egg-info", "__pycache__", "spruce-demo", "var",
    "bench-results", "*.duckdb", "*.duckdb.wal",
)
MODELS = ("messages", "conversations_enriched", "response_times", "daily_activity",
          "contacts_current")
# Variables that would point the installed package at the checkout or at a developer's
# configuration (the checkout's test environment sets some of them).
LEAKY = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DLT_PROJECT_DIR", "DLT_DATA_DIR")
LEAKY_PREFIXES = ("SOURCES__", "DESTINATION__", "SPRUCE_SYNC_", "PIPELINES__")
INSTALL_TIMEOUT_S = 900
COMMAND_TIMEOUT_S = 300
# Where `spruce-sync demo` puts its file and dlt's folder (its --folder default).
DEMO_FOLDER = "spruce-demo"


@dataclass(frozen=True)
class Installed:
    """A fresh venv with the wheel installed, and a home folder of its own."""

    venv: Path
    wheel: Path
    home: Path

    def run(self, program: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """``program`` of the venv's bin/, in ``cwd``; HOME is the test's, so that the
        developer's ``~/.dlt`` and ``~/.dbt`` stay out too."""
        return subprocess.run([str(self.venv / "bin" / program), *args], cwd=cwd,
                              env=_environment(HOME=str(self.home)), capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT_S, check=False)

    def files(self, package: str) -> set[str]:
        """The files installed under ``package``, as the wheel names them."""
        (site,) = self.venv.glob("lib/python*/site-packages")
        return {str(path.relative_to(site)) for path in (site / package).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts}


def _environment(**settings: str) -> dict[str, str]:
    """This process's environment without what points at the checkout, plus ``settings``."""
    kept = {name: value for name, value in os.environ.items()
            if name not in LEAKY and not name.startswith(LEAKY_PREFIXES)}
    return {**kept, "RUNTIME__DLTHUB_TELEMETRY": "false", **settings}


def _check(command: list[str], timeout: float) -> None:
    """Run a build or install step; on failure, show what it printed."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          check=False, env=_environment())
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"


def _wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def build_wheel(work: Path) -> Path:
    """The wheel pip builds from a clean copy of the checkout."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    _check([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir",
            str(work / "dist"), str(source)], timeout=INSTALL_TIMEOUT_S)
    (wheel,) = (work / "dist").glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once for this module."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def install(wheel: Path, requirement: str, work: Path) -> Installed:
    """``requirement`` (the wheel, with or without extras) in a new venv under ``work``."""
    venv = work / "venv"
    _check([sys.executable, "-m", "venv", str(venv)], timeout=120)
    _check([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement],
           timeout=INSTALL_TIMEOUT_S)
    (work / "home").mkdir()
    return Installed(venv, wheel, work / "home")


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """``pip install '.[dbt]'``: the README's path to the analysts' models."""
    return install(wheel, f"{wheel}[dbt]", tmp_path_factory.mktemp("with-dbt"))


@pytest.fixture(scope="module")
def installed_without_dbt(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """``pip install .``: the README's plain install, without the dbt extra."""
    return install(wheel, str(wheel), tmp_path_factory.mktemp("without-dbt"))


@pytest.fixture(scope="module")
def demo(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the installed ``spruce-sync demo`` made, run once in an empty folder."""
    folder = tmp_path_factory.mktemp("empty")
    result = installed.run("spruce-sync", "demo", "--json", "--scale", "tiny", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "succeeded"
    return folder / DEMO_FOLDER


def _row_counts(database: Path) -> dict[str, int]:
    """Rows of each table of the analytics schema."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute("select table_name from information_schema.tables "
                                    "where table_schema = ?", [ANALYTICS_SCHEMA]).fetchall()
        counts = {}
        for (name,) in tables:
            row = connection.execute(f'select count(*) from {ANALYTICS_SCHEMA}."{name}"'
                                     ).fetchone()
            counts[name] = row[0] if row else 0
        return counts


def test_the_wheel_ships_the_dbt_project_and_the_dictionary_inside_the_package(
    installed: Installed,
) -> None:
    names = _wheel_names(installed.wheel)
    for shipped in ("dbt_project/dbt_project.yml", "dbt_project/profiles.yml",
                    "dbt_project/models/marts/schema.yml", "dbt_project/questions/raw",
                    "dbt_project/macros/raw_tables.sql", "docs/tables.json"):
        assert any(name.startswith(f"pipelines/analytics/{shipped}") for name in names), shipped
    # nothing lands beside the packages (the bug was a site-packages/docs/ that never came)
    top_level = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top_level == {"pipelines", "sources", "simulator"}


def test_the_installed_package_comes_from_the_venv_not_the_checkout(
    installed: Installed, tmp_path: Path,
) -> None:
    probe = ("import importlib.resources, pipelines; print(pipelines.__file__); "
             "print(importlib.resources.files('pipelines.analytics.dbt_project'))")
    result = installed.run("python", "-c", probe, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for location in result.stdout.split():
        assert Path(location).is_relative_to(installed.venv), location


def test_the_installed_demo_builds_the_analysts_models(demo: Path) -> None:
    counts = _row_counts(demo / DEMO_DUCKDB_FILE)
    assert set(counts) >= set(MODELS), counts
    assert all(counts.values()), counts  # the tiny practice has data for each of them


def test_the_installed_transform_rebuilds_the_models_of_the_demo(
    installed: Installed, demo: Path, tmp_path: Path,
) -> None:
    config = tmp_path / "spruce-sync.yaml"
    config.write_text(f"profiles:\n  default:\n    pipeline_name: {DEMO_PIPELINE}\n"
                      f"    pipelines_dir: {demo / 'pipelines'}\n", encoding="utf-8")
    result = installed.run(
        "spruce-sync", "transform", "--json", "--config", str(config), "--dataset", DEMO_DATASET,
        "--duckdb-path", str(demo / DEMO_DUCKDB_FILE), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["models"] == len(MODELS)
    # dbt wrote its target/ and logs/ under the pipeline's folder, nothing into the package
    # (a system-wide site-packages is read-only)
    project = "pipelines/analytics/dbt_project"
    shipped = {name for name in _wheel_names(installed.wheel) if name.startswith(project)}
    assert installed.files(project) == shipped


def test_without_dbt_the_demo_answers_from_the_loaded_tables(
    installed_without_dbt: Installed, tmp_path: Path,
) -> None:
    result = installed_without_dbt.run("spruce-sync", "demo", "--json", "--scale", "tiny",
                                       cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    answers = [answer["question"] for answer in json.loads(result.stdout)["answers"]]
    assert answers == [question.question for question in ANALYST_QUESTIONS]


def test_without_dbt_the_transform_says_which_extra_to_install(
    installed_without_dbt: Installed, tmp_path: Path,
) -> None:
    result = installed_without_dbt.run("spruce-sync", "transform", "--json", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install '.[dbt]'" in json.loads(result.stdout)["error"]


@pytest.fixture(scope="module")
def installed_with_dagster(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """``pip install '.[dagster]'``: the README's path to the fleet."""
    return install(wheel, f"{wheel}[dagster]", tmp_path_factory.mktemp("with-dagster"))


def test_the_installed_fleet_demo_loads_each_organization_equal_to_its_ground_truth(
    installed_with_dagster: Installed, tmp_path: Path,
) -> None:
    result = installed_with_dagster.run("spruce-sync", "fleet", "demo", "--organizations", "2",
                                        "--json", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["status"], line["ground_truth"]) for line in lines] == [
        ("succeeded", {"equal": True})] * 2


def test_the_installed_code_location_loads_one_partition_per_organization_of_the_file(
    installed_with_dagster: Installed, tmp_path: Path,
) -> None:
    """The README's ``dagster ... -m pipelines.fleet.definitions`` from the installed wheel,
    in a project folder holding only its fleet file (the default ``config/fleet.yaml``)."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "fleet.yaml").write_text(
        "organizations:\n  - slug: clinic-north\n  - slug: clinic-south\n")
    validated = installed_with_dagster.run(
        "dagster", "definitions", "validate", "-m", "pipelines.fleet.definitions", cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr[-2000:]
    keys = installed_with_dagster.run("python", "-c", PARTITION_KEYS_SCRIPT, cwd=tmp_path)
    assert keys.stdout.strip() == "clinic-north,clinic-south", keys.stderr[-2000:]


def test_without_dagster_the_fleet_says_which_extra_to_install(
    installed_without_dbt: Installed, tmp_path: Path,
) -> None:
    result = installed_without_dbt.run("spruce-sync", "fleet", "run", "--json", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install '.[dagster]'" in json.loads(result.stdout)["error"]
