"""The fleet file: organizations with their own pipeline, dataset and DuckDB file; every
bad file a `ConfigError` naming the file and the key; tokens from dlt, never from YAML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.configuration.errors import ConfigError
from pipelines.configuration.profiles import load_options
from pipelines.fleet.fleet_file import (
    Fleet,
    load_fleet,
    missing_tokens,
    organization_token,
    token_variable,
)

PROFILES = """\
profiles:
  default: {destination: duckdb, duckdb_path: shared.duckdb, pipeline_name: shared}
  nightly: {destination: postgres, concurrency: 2}
"""
FLEET = """\
concurrency: 3
schedule: "0 * * * *"
organizations:
  - slug: clinic-north
  - slug: clinic_south
    profile: nightly
  - slug: east7
"""
SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "config"
NORTH_TOKEN = "north-token-0123456789"
SOUTH_TOKEN = "south-token-0123456789"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The test's folder (the project dlt and spruce-sync look in) with a profiles folder."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "profiles.yaml").write_text(PROFILES, encoding="utf-8")
    return tmp_path


def _fleet_file(project: Path, text: str) -> Path:
    path = project / "config" / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def dlt_secrets(project: Path) -> Iterator[Path]:
    """``.dlt/secrets.toml`` of the project, read by dlt: it caches its providers for the
    process, so they are reloaded for the test, and after it without the file (the run
    folder dlt had may be this very project)."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    secrets = project / ".dlt" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        f'[sources.spruce]\napi_token = "top-level-token-0123"\n\n'
        f'[sources.spruce.organizations.clinic-north]\napi_token = "{NORTH_TOKEN}"\n',
        encoding="utf-8",
    )
    context = Container()[PluggableRunContext]
    previous = context.context.run_dir
    context.reload(str(project))
    yield secrets
    secrets.unlink()
    context.reload(previous)


def test_each_organization_gets_its_own_pipeline_dataset_and_duckdb_file(project: Path) -> None:
    fleet = load_fleet(_fleet_file(project, FLEET))
    assert (fleet.concurrency, fleet.schedule) == (3, "0 * * * *")
    assert [(item.slug, item.profile) for item in fleet.organizations] == [
        ("clinic-north", "default"), ("clinic_south", "nightly"), ("east7", "default")]
    options = [item.options for item in fleet.organizations]
    assert [o.pipeline_name for o in options] == ["spruce_clinic_north", "spruce_clinic_south",
                                                  "spruce_east7"]
    assert [o.dataset_name for o in options] == [o.pipeline_name for o in options]
    assert [o.duckdb_path for o in options] == [
        Path("var/fleet/clinic-north.duckdb"), Path("var/fleet/clinic_south.duckdb"),
        Path("var/fleet/east7.duckdb")]
    assert [(o.destination, o.concurrency) for o in options] == [
        ("duckdb", 8), ("postgres", 2), ("duckdb", 8)]  # the rest is the profile's


def test_the_defaults_are_the_projects_fleet_file_and_profiles(project: Path) -> None:
    _fleet_file(project, "profile: nightly\norganizations:\n  - slug: solo\n")
    fleet = load_fleet()
    assert fleet.path == project / "config" / "fleet.yaml"
    assert (fleet.concurrency, fleet.schedule) == (4, "*/15 * * * *")
    assert fleet.organizations[0].options.destination == "postgres"


def test_the_shipped_example_loads_with_the_shipped_profiles() -> None:
    fleet = load_fleet(SHIPPED_CONFIG / "fleet.yaml.example", SHIPPED_CONFIG)
    assert [item.slug for item in fleet.organizations] == ["clinic-north", "clinic-south"]


def test_the_fleet_file_is_no_profile_file_of_its_folder(project: Path) -> None:
    _fleet_file(project, FLEET)
    assert load_options(project / "config", "nightly").destination == "postgres"


@pytest.mark.parametrize(
    ("text", "key_path"),
    [
        ("colour: blue\norganizations:\n  - slug: a\n", "colour: unknown key"),
        ("organizations:\n  - slug: a\n  - slug: b\n    profil: nightly\n",
         "organizations[1].profil: unknown key; did you mean `profile`?"),
        ("organizations:\n  - slug: a\n  - slug: b\n  - slug: a\n",
         "organizations[2].slug: `a` is already the slug of organizations[0]"),
        ("organizations:\n  - slug: clinic-a\n  - slug: clinic_a\n",
         "organizations[1].slug: `clinic_a` and `clinic-a` of organizations[0] would share"),
        ("organizations:\n  - slug: a\n  - slug: Clinic North\n", "organizations[1].slug: a slug is"),
        ("organizations:\n  - slug: default\n", "organizations[0].slug: a slug is"),
        (f"organizations:\n  - slug: {'a' * 57}\n", "organizations[0].slug: a slug is 1 to 56"),
        ("organizations:\n  - slug: 7\n", "organizations[0].slug: Input should be a valid string"),
        ("organizations: []\n", "organizations: list at least one organization"),
        ("organizations:\n", "organizations: list at least one organization"),
        ("concurrency: 2\n", "organizations: list at least one organization"),
        ("organizations:\n  - clinic-north\n", "organizations[0]: each organization is a mapping"),
        ("concurrency: 0\norganizations:\n  - slug: a\n", "concurrency: Input should be greater"),
        ("schedule: every hour\norganizations:\n  - slug: a\n",
         "schedule: a cron expression of five fields"),
        ("organizations:\n  - slug: a\n  - slug: b\n    profile: nighty\n",
         "organizations[1].profile: no profile `nighty`; the profiles are: default, nightly"),
        ("profile: nighty\norganizations:\n  - slug: a\n    profile: nightly\n",
         "profile: no profile `nighty`"),
        ("organizations:\n  - slug: a\n   profile: [\n", "not valid YAML at line 3"),
        ("- slug: a\n", "the top level must be a mapping with the key `organizations`"),
        ("organizations:\n  - slug: a\n    api_token: do-not-echo-me\n",
         "organizations[0].api_token: tokens never go in YAML files"),
    ],
    ids=["unknown top-level key", "unknown organization key", "duplicate slug",
         "slugs that share a name", "bad slug", "reserved slug", "long slug", "slug not text",
         "empty list", "organizations: null", "no organizations", "organization not a mapping",
         "concurrency 0", "bad schedule", "unknown profile", "unknown default profile", "YAML syntax error",
         "not a mapping", "token in YAML"],
)  # fmt: skip
def test_a_bad_fleet_file_names_the_file_and_the_key(
    project: Path, text: str, key_path: str
) -> None:
    path = _fleet_file(project, text)
    with pytest.raises(ConfigError) as raised:
        load_fleet(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert key_path in message
    assert "do-not-echo-me" not in message


def test_a_missing_fleet_file_says_where_to_start(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"fleet\.yaml: no such fleet file; copy config/fleet"):
        load_fleet()


def test_a_selection_keeps_the_fleets_order_and_names_unknown_slugs(project: Path) -> None:
    fleet = load_fleet(_fleet_file(project, FLEET))
    chosen = fleet.selected(["east7", "clinic-north"])
    assert [item.slug for item in chosen.organizations] == ["clinic-north", "east7"]
    assert fleet.organization("east7") == fleet.organizations[2]
    with pytest.raises(ConfigError) as raised:
        fleet.selected(["east7", "west", "clinic-nort"])
    assert "fleet.yaml: no organization clinic-nort, west in this fleet" in str(raised.value)
    assert "its organizations are: clinic-north, clinic_south, east7" in str(raised.value)


def test_the_variable_is_the_one_dlt_reads_with_a_dash_kept() -> None:
    from dlt.common.configuration.providers.environ import EnvironProvider

    assert token_variable("clinic-north") == "SOURCES__SPRUCE__ORGANIZATIONS__CLINIC-NORTH__API_TOKEN"
    sections = ("sources", "spruce", "organizations", "clinic-north")
    assert token_variable("clinic-north") == EnvironProvider.get_key_name("api_token", *sections)


def test_a_token_comes_from_the_secrets_file_or_the_variable(
    project: Path, dlt_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__SPRUCE__ORGANIZATIONS__CLINIC_SOUTH__API_TOKEN", SOUTH_TOKEN)
    monkeypatch.setenv("SOURCES__SPRUCE__ORGANIZATIONS__EAST7__API_TOKEN", " ")  # blank: none
    assert organization_token("clinic-north") == NORTH_TOKEN
    assert organization_token("clinic_south") == SOUTH_TOKEN
    assert missing_tokens(load_fleet(_fleet_file(project, FLEET))) == ["east7"]
    monkeypatch.setenv("SOURCES__SPRUCE__ORGANIZATIONS__EAST7__API_TOKEN", "east-token-0123")
    assert missing_tokens(load_fleet(project / "config" / "fleet.yaml")) == []


def test_a_dashed_slugs_variable_keeps_the_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__SPRUCE__ORGANIZATIONS__CLINIC-WEST__API_TOKEN", "west-0123456")
    assert organization_token("clinic-west") == "west-0123456"
    monkeypatch.setenv("SOURCES__SPRUCE__ORGANIZATIONS__CLINIC_EAST__API_TOKEN", "east-0123456")
    with pytest.raises(ConfigError):  # '_' for '-' is another organization's variable
        organization_token("clinic-east")


def test_a_missing_token_names_where_it_goes_and_no_token(
    project: Path, dlt_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__SPRUCE__API_TOKEN", "top-level-env-token-0123")
    with pytest.raises(ConfigError) as raised:  # never another organization's token
        organization_token("clinic-south")
    message = str(raised.value)
    for where in ("[sources.spruce.organizations.clinic-south] api_token",
                  "SOURCES__SPRUCE__ORGANIZATIONS__CLINIC-SOUTH__API_TOKEN",
                  ".dlt/secrets.toml.example"):
        assert where in message
    for token in (NORTH_TOKEN, "top-level-token-0123", "top-level-env-token-0123"):
        assert token not in message


def test_missing_tokens_lists_every_organization_without_one(project: Path) -> None:
    fleet: Fleet = load_fleet(_fleet_file(project, FLEET))
    assert missing_tokens(fleet) == ["clinic-north", "clinic_south", "east7"]
