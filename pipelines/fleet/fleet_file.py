"""The fleet file (``config/fleet.yaml``): the organizations one machine syncs.

::

    profile: default          # the profile each organization runs unless it names one
    concurrency: 4            # organizations synced at once
    schedule: "*/15 * * * *"  # how often Dagster's schedule syncs every organization
    organizations:
      - slug: clinic-north    # lower-case letters, digits, '-' and '_'; one per organization
      - slug: clinic-south
        profile: nightly      # a profile of config/*.yaml

Each organization runs its profile's options made its own: the pipeline and the dataset
(a PostgreSQL schema) ``spruce_<slug>`` ('-' as '_'), the DuckDB file
``var/fleet/<slug>.duckdb``. Its token is never in YAML: dlt reads it from
``[sources.spruce.organizations.<slug>] api_token`` of ``.dlt/secrets.toml`` or from the
variable ``SOURCES__SPRUCE__ORGANIZATIONS__<SLUG>__API_TOKEN``, the slug upper-cased as
written: dlt keeps a '-', so ``clinic-north`` reads
``SOURCES__SPRUCE__ORGANIZATIONS__CLINIC-NORTH__API_TOKEN`` (``env`` or a service manager
can set such a name, a shell's ``export`` cannot). Every problem is a `ConfigError`
naming the file, the key path and what to do.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipelines.configuration.dlt_settings import in_project, project_dir
from pipelines.configuration.errors import ConfigError
from pipelines.configuration.options import SyncOptions
from pipelines.configuration.problems import validation_error
from pipelines.configuration.profiles import (
    LoadedProfile,
    load_profiles,
    options_from_chain,
    profile_chain,
    read_yaml,
)
from pipelines.fleet.fleet_models import (
    MODELS_BY_DEPTH,
    FleetFile,
    organization_name,
    refuse_shared_names,
    refuse_tokens,
)
from pipelines.settings import (
    CONFIG_ENV,
    DEFAULT_CONFIG_DIR,
    DEFAULT_FLEET_FILE,
    DEFAULT_FLEET_FOLDER,
    DEFAULT_FLEET_SCHEDULE,
    FLEET_TOKEN_FIELD,
)
from pipelines.webhooks.settings import ORGANIZATIONS_KEY


@dataclass(frozen=True)
class FleetOrganization:
    """One organization: its slug, the profile it runs, and that profile's options made
    its own (pipeline, dataset and DuckDB file)."""

    slug: str
    profile: str
    options: SyncOptions


@dataclass(frozen=True)
class Fleet:
    """The validated fleet file: never empty, each slug once."""

    path: Path
    concurrency: int
    organizations: tuple[FleetOrganization, ...]
    schedule: str = DEFAULT_FLEET_SCHEDULE  # cron: how often Dagster syncs every organization

    def organization(self, slug: str) -> FleetOrganization:
        """The organization of ``slug``; a `ConfigError` listing the fleet's otherwise."""
        return self.selected([slug]).organizations[0]

    def selected(self, slugs: Sequence[str]) -> Fleet:
        """The organizations named, in the fleet's order (blank names are ignored); an
        unknown slug is a `ConfigError` listing the fleet's."""
        wanted = {slug for slug in slugs if slug}
        known = [organization.slug for organization in self.organizations]
        unknown = sorted(wanted - set(known))
        if unknown or not wanted:
            named = f"no organization {', '.join(unknown)}" if unknown else "no organization named"
            raise ConfigError(f"{self.path}: {named} in this fleet; its organizations are: "
                              f"{', '.join(known)}")
        chosen = tuple(item for item in self.organizations if item.slug in wanted)
        return dataclasses.replace(self, organizations=chosen)


def load_fleet(path: Path | None = None, config_dir: Path | None = None) -> Fleet:
    """The fleet of ``path`` (default: ``config/fleet.yaml`` of the project), each
    organization's profile read from ``config_dir`` (default: ``SPRUCE_SYNC_CONFIG``, else
    ``config/`` of the project, else the built-in defaults)."""
    path = path or in_project(DEFAULT_FLEET_FILE)
    fleet_file = _validated(path)
    options = _options_by_profile(path, fleet_file, _profiles(config_dir))
    organizations = tuple(
        FleetOrganization(entry.slug, name,
                          own_options(options[name], entry.slug, fleet_file.warehouse_folder))
        for entry in fleet_file.organizations
        for name in [entry.profile or fleet_file.profile]
    )
    return Fleet(path, fleet_file.concurrency, organizations, fleet_file.schedule)


def own_options(
    options: SyncOptions, slug: str, warehouse_folder: Path = DEFAULT_FLEET_FOLDER
) -> SyncOptions:
    """A profile's options made one organization's: its pipeline (state, lock), its dataset
    (one PostgreSQL schema each) and its DuckDB file in ``warehouse_folder`` (DuckDB allows
    one writing process a file, so organizations load side by side)."""
    name = organization_name(slug)
    duckdb_path = warehouse_folder / f"{slug}.duckdb"
    return dataclasses.replace(options, pipeline_name=name, dataset_name=name,
                               duckdb_path=duckdb_path)  # fmt: skip


def _validated(path: Path) -> FleetFile:
    if not path.is_file():
        raise ConfigError(f"{path}: no such fleet file; copy config/fleet.yaml.example to "
                          "config/fleet.yaml and list the organizations, or name one with --fleet")
    document = read_yaml(path, top_key="organizations")
    refuse_tokens(path, document)
    try:
        fleet_file = FleetFile.model_validate(document)
    except ValidationError as error:
        raise validation_error(path, error, MODELS_BY_DEPTH) from None
    refuse_shared_names(path, fleet_file.organizations)
    return fleet_file


def _profiles(config_dir: Path | None) -> Mapping[str, LoadedProfile]:
    configured = os.environ.get(CONFIG_ENV)
    location = config_dir or (Path(configured) if configured else _project_config_dir())
    return load_profiles(location) if location is not None else {}


def _project_config_dir() -> Path | None:
    folder = project_dir() / DEFAULT_CONFIG_DIR
    return folder if folder.is_dir() else None  # none: `default` is the built-in defaults


def _options_by_profile(
    path: Path, fleet_file: FleetFile, profiles: Mapping[str, LoadedProfile]
) -> dict[str, SyncOptions]:
    """The options of every profile the file names, each checked once: an unknown one is
    reported at the first key that names it."""
    named = {"profile": fleet_file.profile} | {
        f"organizations[{index}].profile": entry.profile
        for index, entry in enumerate(fleet_file.organizations) if entry.profile
    }  # fmt: skip
    options: dict[str, SyncOptions] = {}
    for key, name in named.items():
        if name not in options:
            options[name] = _profile_options(path, key, profiles, name)
    return options


def _profile_options(
    path: Path, key: str, profiles: Mapping[str, LoadedProfile], name: str
) -> SyncOptions:
    try:
        return options_from_chain(profile_chain(profiles, name))
    except ConfigError as error:
        raise ConfigError(f"{path}: {key}: {error}") from None


def token_key(slug: str) -> str:
    """dlt's key of an organization's token: ``sources.spruce.organizations.<slug>.api_token``."""
    return f"{ORGANIZATIONS_KEY}.{slug}.{FLEET_TOKEN_FIELD}"


def token_variable(slug: str) -> str:
    """The environment variable dlt reads for `token_key`: the sections joined by ``__``,
    upper-cased, a '-' kept (dlt's ``EnvironProvider.get_key_name``)."""
    return token_key(slug).replace(".", "__").upper()


def organization_token(slug: str) -> str:
    """The organization's token from dlt's secrets; a `ConfigError` naming where to put
    it when there is none. Never the top-level ``[sources.spruce] api_token``."""
    token = _configured_token(slug)
    if token is None:
        raise ConfigError(
            f"no API token for organization `{slug}`: put it in .dlt/secrets.toml as "
            f"[{ORGANIZATIONS_KEY}.{slug}] {FLEET_TOKEN_FIELD} = \"...\" or set "
            f"{token_variable(slug)} (see .dlt/secrets.toml.example)"
        )
    return token


def missing_tokens(fleet: Fleet) -> list[str]:
    """The slugs of the organizations without a token, in the fleet's order: a command
    refuses the whole fleet up front rather than half-running it."""
    return [item.slug for item in fleet.organizations if _configured_token(item.slug) is None]


def _configured_token(slug: str) -> str | None:
    import dlt

    token: Any = dlt.secrets.get(token_key(slug))
    text = "" if token is None else str(token).strip()
    return text or None
