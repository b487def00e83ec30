"""dlt's own settings drive spruce-sync as they drive any dlt pipeline.

One precedence, each layer proven by a run that sets it and every layer below it:
flag > environment > .dlt/config.toml > YAML profile > default. Relative paths in the
configuration resolve against the project folder; on the command line, against the
working directory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import Simulator
from tests.cli.conftest import SpruceSync
from tests.fixtures.simulator import TEST_TOKEN

LAYERS = ("profile", "toml", "env", "flag")


def _env(simulator: Simulator) -> dict[str, str]:
    return {"SOURCES__SPRUCE__API_TOKEN": TEST_TOKEN, "SOURCES__SPRUCE__BASE_URL": simulator.base_url}


def _set_layers(project: Path, layers: tuple[str, ...], option: str) -> tuple[dict[str, str], list[str]]:
    """Each layer names its own value; the environment and flags that do it."""
    profile = {"duckdb_path": "duckdb_path: from_profile.duckdb",
               "pipeline_name": "pipeline_name: from_profile"}[option]
    toml = {"duckdb_path": '[destination.duckdb]\ncredentials = "from_toml.duckdb"\n',
            "pipeline_name": 'pipeline_name = "from_toml"\n'}[option]
    (project / "config").mkdir(exist_ok=True)
    (project / "config" / "p.yaml").write_text(
        "profiles:\n  default:\n    " + (profile if "profile" in layers else "{}") + "\n")
    (project / ".dlt").mkdir(exist_ok=True)
    (project / ".dlt" / "config.toml").write_text(toml if "toml" in layers else "")
    env = {"duckdb_path": {"DESTINATION__DUCKDB__CREDENTIALS": "duckdb:///from_env.duckdb"},
           "pipeline_name": {"PIPELINE_NAME": "from_env"}}[option]
    flags = {"duckdb_path": ["--duckdb-path", "from_flag.duckdb"],
             "pipeline_name": []}[option]  # no flag names the pipeline
    return (env if "env" in layers else {}), (flags if "flag" in layers else [])


def _layered(highest: int) -> pytest.MarkDecorator:
    """Cases from the default alone up to the first ``highest`` layers set together."""
    return pytest.mark.parametrize("layers", [LAYERS[:count] for count in range(highest + 1)],
                                   ids=lambda layers: "+".join(layers) or "default")


@_layered(len(LAYERS))
def test_the_duckdb_file_comes_from_the_highest_layer_that_names_it(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path,
    layers: tuple[str, ...],
) -> None:  # fmt: skip
    env, flags = _set_layers(tmp_path, layers, "duckdb_path")
    result = spruce_sync_process("check", "--json", *flags, env={**_env(simulator), **env})
    assert result.exit_code == 0, result.output
    winner = layers[-1] if layers else "default"
    expected = "spruce_sync.duckdb" if winner == "default" else f"from_{winner}.duckdb"
    assert json.loads(result.stdout)["location"] == str(tmp_path / expected)
    assert (tmp_path / expected).is_file()


@_layered(len(LAYERS) - 1)  # no flag names the pipeline
def test_the_pipeline_name_comes_from_the_highest_layer_that_names_it(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path,
    layers: tuple[str, ...],
) -> None:  # fmt: skip
    env, _ = _set_layers(tmp_path, layers, "pipeline_name")
    result = spruce_sync_process("run", "--json", env={**_env(simulator), **env})
    assert result.exit_code == 0, result.output
    status = spruce_sync_process("status", "--json", env={**_env(simulator), **env})
    expected = f"from_{layers[-1]}" if layers else "spruce_sync"
    assert json.loads(status.stdout)["pipeline_name"] == expected
    assert (tmp_path / "dlt-data" / "pipelines" / expected).is_dir()


def test_only_dlt_variables_from_a_subfolder_put_the_data_in_that_file(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The issue's acceptance run: nothing but dlt's variables, started in a subfolder of
    the project: the data lands in that file, no warehouse appears anywhere else."""
    (tmp_path / ".dlt").mkdir()
    subfolder = tmp_path / "reports"
    subfolder.mkdir()
    warehouse = tmp_path / "elsewhere" / "practice.duckdb"
    monkeypatch.delenv("DLT_PROJECT_DIR")  # found from the working directory, as a user's
    env = {**_env(simulator), "DESTINATION__DUCKDB__CREDENTIALS": str(warehouse)}
    result = spruce_sync_process("run", "--json", env=env, cwd=subfolder)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_per_table"]["contacts"] > 0
    assert warehouse.is_file()
    assert sorted(p.name for p in tmp_path.rglob("*.duckdb")) == ["practice.duckdb"]


@pytest.mark.parametrize(("given_as", "lands_in"), [("profile", "project"), ("flag", "cwd")])
def test_a_relative_duckdb_path_resolves_as_its_layer_says(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, given_as: str, lands_in: str,
) -> None:  # fmt: skip
    (tmp_path / ".dlt").mkdir()
    (tmp_path / "config").mkdir()
    profile = "duckdb_path: data/w.duckdb" if given_as == "profile" else "{}"
    (tmp_path / "config" / "p.yaml").write_text(f"profiles:\n  default:\n    {profile}\n")
    flags = ["--duckdb-path", "data/w.duckdb"] if given_as == "flag" else []
    subfolder = tmp_path / "sub"
    subfolder.mkdir()
    monkeypatch.delenv("DLT_PROJECT_DIR")
    result = spruce_sync_process("check", "--json", *flags, env=_env(simulator), cwd=subfolder)
    assert result.exit_code == 0, result.output
    base = tmp_path if lands_in == "project" else subfolder
    assert json.loads(result.stdout)["location"] == str(base / "data" / "w.duckdb")


def test_dlt_s_own_cli_reads_what_spruce_sync_made(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path
) -> None:
    assert spruce_sync_process("run", env=_env(simulator)).exit_code == 0
    dlt = Path(sys.executable).with_name("dlt")
    for command in ("info", "trace"):
        shown = subprocess.run([str(dlt), "pipeline", "spruce_sync", command], cwd=tmp_path,
                               capture_output=True, text=True, timeout=120, check=False)
        assert shown.returncode == 0, shown.stderr
        assert "spruce_sync" in shown.stdout
