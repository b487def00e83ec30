"""Profiles in YAML become SyncOptions: inheritance, defaults, durations, flags."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from pipelines.commands.values import parse_instant
from pipelines.configuration.errors import ConfigError
from pipelines.configuration.options import SyncOptions
from pipelines.configuration.profiles import load_options, with_overrides
from pipelines.runner.destinations import build_target
from sources.spruce.options import parse_duration
from sources.spruce.phi import parse_phi_policy
from tests.cli.conftest import SHIPPED_CONFIG

# Every profile of every shipped file, read from the YAML itself.
SHIPPED_PROFILES = sorted(
    name
    for path in SHIPPED_CONFIG.glob("*.yaml")
    for name in yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]
)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("default", {"destination": "duckdb", "concurrency": 8, "reserve_share": 0.2,
                     "duckdb_path": Path("spruce_sync.duckdb")}),
        ("backfill", {"destination": "duckdb", "concurrency": 4, "reserve_share": 0.5,
                      "lookback": timedelta(minutes=10)}),
        ("postgres", {"destination": "postgres", "dataset_name": "spruce", "concurrency": 8}),
    ],
)
def test_the_shipped_profiles_load(profile: str, expected: dict[str, object]) -> None:
    options = load_options(SHIPPED_CONFIG, profile)
    for name, value in expected.items():
        assert getattr(options, name) == value


def test_no_configuration_at_all_gives_the_documented_defaults() -> None:
    assert load_options(None, "default") == SyncOptions()


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_profile_inherits_along_extends_and_overrides_what_it_names(tmp_path: Path) -> None:
    folder = _write(tmp_path / "conf", "a.yaml", (
        "profiles:\n"
        "  default: {lookback: 30m, concurrency: 2}\n"
        "  shared: {destination: postgres, dataset: clinic}\n"
        "  nightly: {extends: shared, concurrency: 6, schema_contracts: {contacts: freeze}}\n"
    ))
    options = load_options(folder, "nightly")
    assert (options.destination, options.dataset_name, options.concurrency) == (
        "postgres", "clinic", 6)
    assert options.lookback == timedelta(minutes=30)  # nightly -> shared -> default
    assert options.schema_contracts == {"contacts": "freeze"}


def test_every_yaml_file_of_the_folder_contributes_profiles(tmp_path: Path) -> None:
    folder = _write(tmp_path / "conf", "a.yaml", "profiles:\n  default: {concurrency: 3}\n")
    _write(folder, "b.yaml", "profiles:\n  deidentified: {dataset: spruce_deid}\n")
    options = load_options(folder, "deidentified")
    assert (options.concurrency, options.dataset_name) == (3, "spruce_deid")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.yaml": "profiles:\n  x: {}\n", "b.yaml": "profiles:\n  x: {}\n"},
         "b.yaml: profiles.x: already defined in"),
        ({"a.yaml": "profiles:\n  x: {extends: y}\n  y: {extends: x}\n"},
         "a cycle of profiles"),
        ({"a.yaml": "profiles:\n  x: {extends: nope}\n"},
         "no profile `nope` (extended by profile `x`)"),
        ({"a.yaml": "- just\n- a list\n"}, "the top level must be a mapping"),
        ({"a.yaml": "profiles:\n  x: {page_sizes: {ListConversations: 500}}\n"},
         "ListConversations allows at most 200"),
        ({"a.yaml": "profiles:\n  x: {reserve_share: 1.5}\n"},
         "profiles.x.reserve_share: Input should be less than 1"),
        ({"a.yaml": "profiles:\n  x: {phi_policy: anonymous}\n"},
         "profiles.x.phi_policy: phi_policy: unknown preset 'anonymous'; allowed: deidentified"),
        ({"a.yaml": "profiles:\n  x: {phi_policy: {columns: {contacts: {given_name: encrypt}}}}\n"},
         "phi_policy.columns.contacts.given_name: unknown action 'encrypt'"),
        ({"a.yaml": "profiles:\n  x:\n    credentials: postgresql://u:hunter2@db/x\n"},
         "profiles.x.credentials: secrets never go in YAML"),
    ],
)
def test_a_bad_configuration_names_the_file_the_key_and_what_is_allowed(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    folder = tmp_path / "conf"
    for name, text in files.items():
        _write(folder, name, text)
    with pytest.raises(ConfigError) as raised:
        load_options(folder, "x")
    assert expected in str(raised.value)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90s", timedelta(seconds=90)), ("10m", timedelta(minutes=10)), ("2h", timedelta(hours=2)),
     ("1.5d", timedelta(hours=36)), (45, timedelta(seconds=45))],
)
def test_durations_are_written_with_a_unit(text: str | int, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-31", datetime(2025, 1, 31, tzinfo=timezone.utc)),
        ("2025-01-31T08:30:00Z", datetime(2025, 1, 31, 8, 30, tzinfo=timezone.utc)),
        ("2025-01-31T08:30:00+02:00", datetime(2025, 1, 31, 6, 30, tzinfo=timezone.utc)),
        ("2025-01-31 08:30", datetime(2025, 1, 31, 8, 30, tzinfo=timezone.utc)),
    ],
)
def test_instants_without_a_zone_are_utc(text: str, expected: datetime) -> None:
    assert parse_instant(text) == expected


def test_flags_win_over_the_profile_and_absent_flags_change_nothing() -> None:
    base = SyncOptions(concurrency=3, resources=("contacts",))
    options = with_overrides(base, destination="postgres", resources=(), dataset_name=None)
    assert (options.destination, options.resources, options.concurrency) == (
        "postgres", ("contacts",), 3)


def test_a_phi_policy_in_a_profile_reaches_the_options_parsed_and_is_inherited(
    tmp_path: Path,
) -> None:
    folder = _write(tmp_path / "conf", "a.yaml", (
        "profiles:\n"
        "  x: {phi_policy: deidentified}\n"
        "  y: {extends: x, dataset: clinic_deid}\n"
    ))
    policy = parse_phi_policy("deidentified")
    assert load_options(folder, "x").phi_policy == policy
    assert load_options(folder, "y").phi_policy == policy  # never dropped along `extends`
    assert load_options(folder, "default").phi_policy is None


def test_the_shipped_config_defines_the_profiles_the_docs_name() -> None:
    assert {"default", "backfill", "postgres", "deidentified"} <= set(SHIPPED_PROFILES)


@pytest.mark.parametrize("profile", SHIPPED_PROFILES)
def test_every_shipped_profile_has_a_usable_destination(profile: str) -> None:
    options = load_options(SHIPPED_CONFIG, profile)
    target = build_target(options)  # refuses a DuckDB file named like its dataset
    assert target.destination.destination_name == options.destination
    assert options.dataset_name
    if options.destination == "duckdb":
        assert options.duckdb_path is not None, "a DuckDB profile names its file"
        assert target.location == str(options.duckdb_path.resolve())
        assert Path(target.location).stem != options.dataset_name
    else:
        assert options.destination == "postgres"
