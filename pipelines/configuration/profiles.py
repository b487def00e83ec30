"""The profiles of ``config/*.yaml``, and one of them (with flags on top) as `SyncOptions`.

The YAML files hold what is not a secret and may be committed::

    profiles:
      default:                # every other profile extends this one
        destination: duckdb
        lookback: 10m
      backfill:
        concurrency: 4        # a key left out is inherited
      shared:
        extends: postgres     # extend another profile instead of `default`

`Profile` is `SyncOptions` with every key optional (and ``extends``), generated from it,
so an option is declared, described and validated in one place. Precedence, lowest
first: the defaults of `SyncOptions`, the profile chain, the command-line flags. Every
problem is a `ConfigError` naming the file, the key path and what is allowed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from pipelines.configuration.errors import ConfigError
from pipelines.configuration.options import SyncOptions, option_fields
from pipelines.configuration.problems import refuse_secrets, validation_error
from pipelines.settings import (
    DEFAULT_CONFIG_DIR,
    DEFAULT_FLEET_FILE,
    DEFAULT_PROFILE,
    PER_RUN_OPTIONS,
)

# Options whose YAML key is shorter than the field's name.
YAML_KEYS = {"dataset_name": "dataset"}


def _profile_model() -> type[BaseModel]:
    """`SyncOptions`' fields, each optional with its description, plus ``extends``."""
    hints = get_type_hints(SyncOptions, include_extras=True)
    fields: dict[str, Any] = {
        YAML_KEYS.get(name, name): (hints[name] | None, Field(None, description=info.description))
        for name, info in option_fields().items()
        if name not in PER_RUN_OPTIONS
    }
    extends = (str | None, Field(None, description="profile to inherit from (default: `default`)"))
    return create_model(
        "Profile", __config__=ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True),
        extends=extends, **fields,
    )


Profile = _profile_model()


class ConfigFile(BaseModel):
    """The top level of a ``config/*.yaml`` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profiles: dict[str, Profile] = Field(default_factory=dict)  # type: ignore[valid-type]  # generated


# The model that holds a key at each depth of a file: unknown keys are named against it.
_MODELS_BY_DEPTH: Mapping[int, type[BaseModel]] = {0: ConfigFile, 2: Profile}


@dataclass(frozen=True)
class LoadedProfile:
    """A validated profile and the file it came from (for messages)."""

    profile: BaseModel
    path: Path


def config_files(location: Path) -> list[Path]:
    """The YAML files at ``location``: the file itself, or every ``*.yaml`` of a folder but
    the fleet file (``fleet.yaml``, `pipelines.fleet.fleet_file`), which holds no profiles."""
    if location.is_dir():
        found = [*location.glob("*.yaml"), *location.glob("*.yml")]
        return sorted(path for path in found if path.stem != DEFAULT_FLEET_FILE.stem)
    if location.is_file():
        return [location]
    raise ConfigError(f"{location}: no such configuration file or folder")


def read_yaml(path: Path, top_key: str = "profiles") -> Mapping[str, Any]:
    """The parsed top-level mapping of one file; an empty file is an empty mapping.
    ``top_key`` is the key the message of a file that is no mapping asks for."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML{_yaml_position(error)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error.__class__.__name__})") from None
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: the top level must be a mapping with the key `{top_key}`")
    return document


def _yaml_position(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "syntax error"
    return f" at line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else ""


def validate_file(path: Path, document: Mapping[str, Any]) -> ConfigFile:
    """The validated file; every problem in it is listed in one `ConfigError`."""
    refuse_secrets(path, document)
    try:
        return ConfigFile.model_validate(document)
    except ValidationError as error:
        raise validation_error(path, error, _MODELS_BY_DEPTH) from None


def load_profiles(location: Path) -> dict[str, LoadedProfile]:
    """Every profile of the file or folder; a profile defined twice is an error."""
    profiles: dict[str, LoadedProfile] = {}
    for path in config_files(location):
        for name, profile in validate_file(path, read_yaml(path)).profiles.items():
            if name in profiles:
                raise ConfigError(
                    f"{path}: profiles.{name}: already defined in {profiles[name].path}; "
                    "rename one of them"
                )
            profiles[name] = LoadedProfile(profile, path)
    return profiles


def profile_chain(profiles: Mapping[str, LoadedProfile], name: str) -> list[BaseModel]:
    """The profile and its ancestors, the root first; ``default`` needs no definition."""
    chain: list[BaseModel] = []
    current: str | None = name
    while current is not None:
        if current not in profiles:
            if current == DEFAULT_PROFILE:
                break
            raise ConfigError(_unknown_profile(profiles, name, current))
        loaded = profiles[current]
        if loaded.profile in chain:
            raise ConfigError(f"{loaded.path}: profiles.{current}.extends: a cycle of profiles")
        chain.insert(0, loaded.profile)
        current = _parent_name(current, loaded.profile)
    return chain


def _parent_name(name: str, profile: BaseModel) -> str | None:
    extends: str | None = getattr(profile, "extends", None)
    if extends is not None:
        return extends
    return None if name == DEFAULT_PROFILE else DEFAULT_PROFILE


def _unknown_profile(profiles: Mapping[str, LoadedProfile], wanted: str, missing: str) -> str:
    known = ", ".join(sorted({DEFAULT_PROFILE, *profiles}))
    where = "" if wanted == missing else f" (extended by profile `{wanted}`)"
    return f"no profile `{missing}`{where}; the profiles are: {known}"


def options_from_chain(chain: Iterable[BaseModel]) -> SyncOptions:
    """Apply each profile's keys over `SyncOptions`' defaults, root first."""
    field_names = {YAML_KEYS.get(name, name): name for name in option_fields()}
    values: dict[str, Any] = {}
    for profile in chain:
        values.update({field_names[key]: getattr(profile, key)
                       for key in profile.model_fields_set if key != "extends"})
    return SyncOptions(**values)


def load_options(location: Path | None, profile_name: str) -> SyncOptions:
    """The options of one profile; with no configuration at all, the documented defaults.

    ``location`` None means ``config/`` in the working directory when it exists.
    """
    if location is None:
        if not DEFAULT_CONFIG_DIR.is_dir():
            return options_from_chain(profile_chain({}, profile_name))
        location = DEFAULT_CONFIG_DIR
    return options_from_chain(profile_chain(load_profiles(location), profile_name))


def with_overrides(options: SyncOptions, **overrides: Any) -> SyncOptions:
    """``options`` with the flags the user gave (a ``None`` flag was not given)."""
    given = {key: value for key, value in overrides.items() if value not in (None, ())}
    try:
        return dataclasses.replace(options, **given)
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        raise ConfigError(f"--{str(problem['loc'][0]).replace('_', '-')}: {problem['msg']}") from None
