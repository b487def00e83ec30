"""`SyncOptions`: everything about a run that is not a secret, declared once.

It extends the source's `SourceOptions` with where the data lands and what the run
selects. The YAML profile is its all-optional form (`profiles.Profile`), the CLI's flags
override fields of it, and the runner reads nothing else. Secrets are not here: the API
token and Postgres credentials reach the source and the destination through dlt
(``.dlt/secrets.toml`` or variables such as ``SOURCES__SPRUCE__API_TOKEN``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from pydantic.dataclasses import dataclass
from pydantic.fields import FieldInfo

from pipelines import settings
from sources.spruce import RESOURCE_NAMES
from sources.spruce.options import OPTIONS_CONFIG, SourceOptions
from sources.spruce.phi import PhiPolicy, parse_phi_policy

Destination = Literal["duckdb", "postgres"]
SchemaContract = Literal["evolve", "freeze", "discard_row", "discard_value"]
ResourceName = Literal[RESOURCE_NAMES]  # type: ignore[valid-type]  # the source's own list
Identifier = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")]


def _as_phi_policy(value: object) -> object:
    """The YAML form (a preset name or a mapping) parsed; a parsed policy passes."""
    if value is None or isinstance(value, PhiPolicy):
        return value
    if isinstance(value, (str, Mapping)):
        return parse_phi_policy(value)  # its PhiPolicyError names the key and what is allowed
    raise ValueError("a preset name or a mapping {preset, signed_urls, columns} is expected")


@dataclass(frozen=True, config=OPTIONS_CONFIG)
class SyncOptions(SourceOptions):
    """A run's options. Defaults are the documented ones (`pipelines.settings`)."""

    destination: Destination = Field(
        default=settings.DEFAULT_DESTINATION,
        description="where the data lands: `duckdb` (one file) or `postgres`",
    )
    dataset_name: Identifier = Field(
        default=settings.DEFAULT_DATASET, description="schema (Postgres) or dataset (DuckDB) of the tables"
    )
    pipeline_name: Identifier | None = Field(
        default=None,
        description="dlt pipeline name: its state, lock and working folder; default: one per"
        " destination (spruce_sync for duckdb, spruce_sync_postgres for postgres)",
    )
    pipelines_dir: Path | None = Field(
        default=None, description="dlt's working folder (load packages, local state); default: dlt's"
    )
    duckdb_path: Path | None = Field(
        default=None, description="the DuckDB file, relative to the working directory"
    )
    resources: tuple[ResourceName, ...] = Field(
        default=(), description="resources to sync; empty or left out = all"
    )
    full_refresh: tuple[ResourceName, ...] = Field(
        default=(), description="resources whose tables and cursor are reset before this run"
    )
    schema_contracts: dict[Identifier, SchemaContract] = Field(
        default_factory=dict,
        description="dlt schema contract per table; tables not named evolve"
    )
    phi_policy: Annotated[PhiPolicy | None, BeforeValidator(_as_phi_policy)] = Field(
        default=None,
        description="what happens to each PHI column before it reaches disk: a preset "
        "(`deidentified`) or {preset, signed_urls, columns: {table: {column: action}}}",
    )


def option_fields() -> dict[str, FieldInfo]:
    """Every option of `SyncOptions` (the source's first) with its default and description."""
    fields: dict[str, FieldInfo] = getattr(SyncOptions, "__pydantic_fields__")  # noqa: B009  # pydantic's, not typed
    return fields


def pipeline_name_of(options: SyncOptions) -> str:
    """The options' pipeline name, or their destination's when none is set."""
    return options.pipeline_name or default_pipeline_name(options.destination)


def default_pipeline_name(destination: Destination) -> str:
    """The pipeline of a destination when none is named: profiles that land in different
    places never share a state or a lock (DuckDB keeps the name it always had)."""
    return settings.DEFAULT_PIPELINE_NAMES[destination]
