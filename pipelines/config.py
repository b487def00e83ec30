"""Load the profiles of ``config/*.yaml`` and turn one of them into ``SyncOptions``.

The YAML files hold what is not a secret and may be committed::

    profiles:
      default:                # every other profile extends this one
        destination: duckdb
        lookback: 10m
      backfill:
        concurrency: 4        # a key left out is inherited
      shared:
        extends: postgres     # extend another profile instead of `default`

A key left out of every profile keeps the documented default of ``SyncOptions``.
Precedence, lowest first: those defaults, the profile chain, the command-line flags.

Every problem is a ``ConfigError`` whose message names the file, the key path and what
is allowed. A key that looks like a secret is refused whatever its value: the API token
and database credentials belong in ``.dlt/secrets.toml`` or the environment, and no value
found under such a key is ever repeated in a message.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml  # type: ignore[import-untyped]
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
)

from pipelines.options import SyncOptions
from sources.spruce import RESOURCE_NAMES
from sources.spruce.phi import parse_phi_policy
from sources.spruce.settings import MAX_PAGE_SIZES

DEFAULT_CONFIG_DIR = Path("config")
DEFAULT_PROFILE = "default"
CONFIG_ENV = "SPRUCE_SYNC_CONFIG"
PROFILE_ENV = "SPRUCE_SYNC_PROFILE"

# Keys that hold secrets; refused in YAML wherever they appear in a profile.
SECRET_KEYS = frozenset(
    {"api_token", "token", "password", "passwd", "secret", "credentials", "dsn", "hmac_key"}
)

SECRETS_HINT = (
    "secrets never go in YAML files (they are meant for git): put the API token in "
    ".dlt/secrets.toml as [sources.spruce] api_token or in SOURCES__SPRUCE__API_TOKEN, "
    "and Postgres credentials as [destination.postgres] credentials or in "
    "DESTINATION__POSTGRES__CREDENTIALS"
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ConfigError(Exception):
    """A configuration or usage problem the user must fix; the CLI exits with code 2."""


def parse_duration(value: object) -> object:
    """``90s``, ``10m``, ``2h``, ``30d`` (or a number of seconds) to a ``timedelta``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value  # pydantic reports the wrong type
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    match = _DURATION.match(value)
    if match is None:
        raise ValueError("a duration such as 90s, 10m, 2h or 30d is expected")
    return timedelta(**{_DURATION_UNITS[match.group(2)]: float(match.group(1))})


Duration = Annotated[timedelta, BeforeValidator(parse_duration), Field(ge=timedelta(0))]
ResourceName = Literal[RESOURCE_NAMES]  # type: ignore[valid-type]
PagedOperation = Literal[tuple(MAX_PAGE_SIZES)]  # type: ignore[valid-type]
Identifier = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")]


class Profile(BaseModel):
    """One profile as written in YAML. A key left out is inherited from ``extends``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    extends: str | None = Field(None, description="profile to inherit from (default: `default`)")
    destination: Literal["duckdb", "postgres"] | None = Field(
        None, description="where the data lands: `duckdb` (one file) or `postgres`"
    )
    dataset: Identifier | None = Field(
        None, description="schema (Postgres) or dataset (DuckDB) that holds the tables"
    )
    pipeline_name: Identifier | None = Field(
        None, description="dlt pipeline name: its state and working folder"
    )
    duckdb_path: Path | None = Field(
        None, description="the DuckDB file, relative to the working directory"
    )
    pipelines_dir: Path | None = Field(
        None, description="dlt's working folder (load packages, local state)"
    )
    resources: tuple[ResourceName, ...] | None = Field(
        None, description="resources to sync; empty or left out = all"
    )
    concurrency: Annotated[int, Strict(), Field(ge=1, le=64)] | None = Field(
        None, description="requests in flight at once, all through one rate limiter"
    )
    lookback: Duration | None = Field(
        None, description="re-read this far behind the conversation cursor"
    )
    settle: Duration | None = Field(
        None, description="the cursor never passes run start minus this"
    )
    window_conversations: Annotated[int, Strict(), Field(ge=1)] | None = Field(
        None, description="a long sync commits a window after this many conversations"
    )
    window_duration: Duration | None = Field(
        None, description="...or after this much time, whichever comes first"
    )
    reserve_share: Annotated[float, Field(ge=0, lt=1)] | None = Field(
        None, description="share of the rate budget left to the practice's other integrations"
    )
    rate_window: Duration | None = Field(
        None, description="length of the per-minute rate window (only a simulator changes it)"
    )
    daily_rate_window: Duration | None = Field(
        None, description="length of the daily rate window (only a simulator changes it)"
    )
    page_sizes: dict[PagedOperation, Annotated[int, Strict(), Field(ge=1)]] | None = Field(  # type: ignore[valid-type]
        None, description="pageSize per operationId; default: the largest allowed"
    )
    schema_contracts: (
        dict[Identifier, Literal["evolve", "freeze", "discard_row", "discard_value"]] | None
    ) = Field(None, description="dlt schema contract per table; tables not named evolve")
    webhook_endpoint_id: str | None = Field(
        None, description="sync this webhook endpoint's event log and apply its changes"
    )
    @field_validator("page_sizes")
    @classmethod
    def _within_limits(cls, sizes: dict[str, int] | None) -> dict[str, int] | None:
        for operation, size in (sizes or {}).items():
            if size > MAX_PAGE_SIZES[operation]:
                raise ValueError(f"{operation} allows at most {MAX_PAGE_SIZES[operation]}")
        return sizes

    phi_policy: str | dict[str, Any] | None = Field(
        None, description="what happens to each PHI column before it reaches disk: a preset "
        "(`deidentified`) or {preset, signed_urls, columns: {table: {column: action}}}"
    )

    @field_validator("phi_policy")
    @classmethod
    def _valid_phi_policy(cls, policy: str | dict[str, Any] | None) -> object:
        if policy is not None:
            parse_phi_policy(policy)  # its PhiPolicyError names the key and what is allowed
        return policy


class ConfigFileModel(BaseModel):
    """The top level of a ``config/*.yaml`` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profiles: dict[str, Profile] = Field(default_factory=dict)


@dataclass(frozen=True)
class LoadedProfile:
    """A validated profile and the file it came from (for messages)."""

    profile: Profile
    path: Path


# --- finding and reading the files ------------------------------------------------------


def config_files(location: Path) -> list[Path]:
    """The YAML files at ``location``: the file itself, or every ``*.yaml`` of a folder."""
    if location.is_dir():
        return sorted([*location.glob("*.yaml"), *location.glob("*.yml")])
    if location.is_file():
        return [location]
    raise ConfigError(f"{location}: no such configuration file or folder")


def read_yaml(path: Path) -> Mapping[str, Any]:
    """The parsed top-level mapping of one file; an empty file is an empty mapping."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML{_yaml_position(error)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error.__class__.__name__})") from None
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: the top level must be a mapping with a `profiles` key")
    return document


def _yaml_position(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or "syntax error"
    return f" at line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else ""


# --- validation ---------------------------------------------------------------------------


def refuse_secrets(path: Path, document: Mapping[str, Any]) -> None:
    """Raise when a top-level or profile-level key looks like a secret (value unread)."""
    for key in document:
        _refuse_secret_key(path, str(key))
    profiles = document.get("profiles")
    if isinstance(profiles, Mapping):
        for name, profile in profiles.items():
            for key in profile if isinstance(profile, Mapping) else ():
                _refuse_secret_key(path, f"profiles.{name}.{key}")


def _refuse_secret_key(path: Path, key_path: str) -> None:
    if key_path.rsplit(".", 1)[-1].lower() in SECRET_KEYS:
        raise ConfigError(f"{path}: {key_path}: {SECRETS_HINT}")


def validate_file(path: Path, document: Mapping[str, Any]) -> ConfigFileModel:
    """The validated file; every problem in it is listed in one ``ConfigError``."""
    refuse_secrets(path, document)
    try:
        return ConfigFileModel.model_validate(document)
    except ValidationError as error:
        problems = [_describe(problem) for problem in error.errors(include_url=False)]
        raise ConfigError(f"{path}: " + f"\n{path}: ".join(problems)) from None


def _describe(problem: Mapping[str, Any]) -> str:
    location = tuple(str(part) for part in problem["loc"] if part != "[key]")
    key_path = ".".join(location)
    if problem["type"] == "extra_forbidden":
        return f"{key_path}: unknown key; {_allowed_keys(location)}"
    message = str(problem["msg"]).removeprefix("Value error, ")
    if "[key]" in problem["loc"]:
        return f"{key_path}: unknown key; {message.replace('Input', 'the key')}"
    return f"{key_path}: {message} (got {_short(problem.get('input'))})"


def _allowed_keys(location: tuple[str, ...]) -> str:
    allowed = _model_at(location[:-1]).model_fields
    close = difflib.get_close_matches(location[-1], allowed, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"{hint}allowed keys: {', '.join(allowed)}"


def _model_at(parent: tuple[str, ...]) -> type[BaseModel]:
    # Unknown keys can only occur at the top level or directly inside a profile.
    return Profile if len(parent) >= 2 and parent[0] == "profiles" else ConfigFileModel


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- profiles to options ------------------------------------------------------------------


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


def profile_chain(profiles: Mapping[str, LoadedProfile], name: str) -> list[Profile]:
    """The profile and its ancestors, the root first; ``default`` needs no definition."""
    chain: list[Profile] = []
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


def _parent_name(name: str, profile: Profile) -> str | None:
    if profile.extends is not None:
        return profile.extends
    return None if name == DEFAULT_PROFILE else DEFAULT_PROFILE


def _unknown_profile(profiles: Mapping[str, LoadedProfile], wanted: str, missing: str) -> str:
    known = ", ".join(sorted({DEFAULT_PROFILE, *profiles})) or DEFAULT_PROFILE
    where = "" if wanted == missing else f" (extended by profile `{wanted}`)"
    return f"no profile `{missing}`{where}; the profiles are: {known}"


# Profile keys whose SyncOptions field has another name.
_OPTION_NAMES = {"dataset": "dataset_name"}
def options_from_chain(chain: Iterable[Profile]) -> SyncOptions:
    """Apply each profile's keys over ``SyncOptions``' defaults, root first."""
    values: dict[str, Any] = {}
    for profile in chain:
        values.update(profile.model_dump(exclude_unset=True, exclude={"extends"}))
    if values.get("phi_policy") is not None:
        values["phi_policy"] = phi_policy_option(values["phi_policy"])
    renamed = {_OPTION_NAMES.get(key, key): value for key, value in values.items()}
    return SyncOptions(**renamed)


def phi_policy_option(spec: str | Mapping[str, Any]) -> Any:
    """The parsed policy, if this build's pipeline can apply one.

    Refused otherwise: running without the policy would copy the PHI it meant to drop.
    """
    if "phi_policy" not in {option.name for option in dataclasses.fields(SyncOptions)}:
        raise ConfigError(
            "phi_policy is set but this version of the pipeline cannot apply a PHI policy "
            "yet; remove the key (nothing would be protected)"
        )
    return parse_phi_policy(spec)


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
    return dataclasses.replace(options, **given)


# --- command-line values ------------------------------------------------------------------


def parse_instant(text: str) -> datetime:
    """``2025-01-31`` (midnight UTC) or an RFC 3339 time; a time without zone is UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date: use YYYY-MM-DD or an RFC 3339 time "
            "such as 2025-01-31T08:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def check_window(since: datetime, until: datetime | None) -> None:
    """A backfill window must start in the past and end after it starts."""
    if since >= datetime.now(timezone.utc):
        raise ConfigError(f"--since {since.isoformat()} is in the future; nothing to backfill")
    if until is not None and until <= since:
        raise ConfigError(
            f"--until {until.isoformat()} is not after --since {since.isoformat()}"
        )


def parse_resources(values: Iterable[str]) -> tuple[str, ...]:
    """Resource names from flags (repeated or comma-separated), checked against the source."""
    names = tuple(name.strip() for value in values for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in RESOURCE_NAMES]
    if unknown:
        raise ConfigError(
            f"unknown resource {', '.join(unknown)}; the resources are: {', '.join(RESOURCE_NAMES)}"
        )
    return names
