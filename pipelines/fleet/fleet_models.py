"""The keys of the fleet file, validated with pydantic, and the checks that need the whole
file: a secret-looking key refused (its value unread), two slugs that would share a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

from pipelines.configuration.errors import ConfigError
from pipelines.settings import (
    DEFAULT_FLEET_CONCURRENCY,
    DEFAULT_FLEET_FOLDER,
    DEFAULT_FLEET_SCHEDULE,
    DEFAULT_PROFILE,
    FLEET_NAME_PREFIX,
    FLEET_SCHEDULE_PATTERN,
    MAX_FLEET_SLUG_LENGTH,
    SECRET_KEYS,
)
from pipelines.webhooks.settings import DEFAULT_ORGANIZATION, SLUG_PATTERN

# `default` is the webhook receiver's name for the top-level organization: it refuses a
# [sources.spruce.organizations.default] section.
SLUG_RULE = (
    f"a slug is 1 to {MAX_FLEET_SLUG_LENGTH} lower-case letters, digits, '-' and '_', "
    f"starting with a letter or a digit, and not `{DEFAULT_ORGANIZATION}`"
)
TOKENS_HINT = (
    "tokens never go in YAML files (they are meant for git): put each organization's in "
    ".dlt/secrets.toml as [sources.spruce.organizations.<slug>] api_token = \"...\" or in "
    "SOURCES__SPRUCE__ORGANIZATIONS__<SLUG>__API_TOKEN (see .dlt/secrets.toml.example)"
)


def organization_name(slug: str) -> str:
    """The pipeline and dataset of an organization: ``spruce_<slug>``, '-' as '_'."""
    return FLEET_NAME_PREFIX + slug.replace("-", "_")


def _checked_slug(slug: str) -> str:
    plain = re.fullmatch(SLUG_PATTERN, slug) and len(slug) <= MAX_FLEET_SLUG_LENGTH
    if not plain or slug == DEFAULT_ORGANIZATION:
        raise ValueError(SLUG_RULE)
    return slug


def _checked_schedule(schedule: str) -> str:
    if not re.fullmatch(FLEET_SCHEDULE_PATTERN, schedule.strip()):
        raise ValueError("a cron expression of five fields, e.g. `*/15 * * * *`, or @hourly, "
                         "@daily, @weekly, @monthly")  # fmt: skip
    return schedule.strip()


def _at_least_one(organizations: list[OrganizationEntry]) -> list[OrganizationEntry]:
    if not organizations:
        raise ValueError("list at least one organization, e.g. `- slug: clinic-north`")
    return organizations


Slug = Annotated[str, Strict(), AfterValidator(_checked_slug)]


class OrganizationEntry(BaseModel):
    """One item of ``organizations``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug = Field(description="names the organization's pipeline, dataset, DuckDB file "
                                   "and token section")  # fmt: skip
    profile: str | None = Field(None, description="the profile it runs; default: the file's")

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            message = "each organization is a mapping, e.g. `- slug: clinic-north`"
            raise ValueError(message)  # noqa: TRY004  # pydantic reports ValueError, not TypeError
        return value


class FleetFile(BaseModel):
    """The top level of the fleet file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str = Field(DEFAULT_PROFILE, description="the profile an organization runs "
                                                      "unless it names one")  # fmt: skip
    concurrency: Annotated[int, Strict(), Field(ge=1)] = DEFAULT_FLEET_CONCURRENCY
    schedule: Annotated[str, Strict(), AfterValidator(_checked_schedule)] = DEFAULT_FLEET_SCHEDULE
    warehouse_folder: Path = Field(DEFAULT_FLEET_FOLDER, description="where each organization's "
                                   "DuckDB file goes, relative to the project")  # fmt: skip
    # `organizations:` with nothing under it is None: told to list one, like an empty list.
    organizations: Annotated[
        list[OrganizationEntry],
        BeforeValidator(lambda value: [] if value is None else value),
        AfterValidator(_at_least_one),
    ] = Field(default_factory=list, validate_default=True)


# The model that holds a key at each depth of the file: unknown keys are named against it.
MODELS_BY_DEPTH: Mapping[int, type[BaseModel]] = {0: FleetFile, 2: OrganizationEntry}


def refuse_tokens(path: Path, document: Mapping[str, Any]) -> None:
    """Raise when a top-level or organization key looks like a secret (its value unread)."""
    for key_path, key in _keys(document):
        if key.lower() in SECRET_KEYS:
            raise ConfigError(f"{path}: {key_path}: {TOKENS_HINT}")


def _keys(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield from ((str(key), str(key)) for key in document)
    entries = document.get("organizations")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        for key in entry if isinstance(entry, Mapping) else ():
            yield f"organizations[{index}].{key}", str(key)


def refuse_shared_names(path: Path, organizations: Sequence[OrganizationEntry]) -> None:
    """Raise when a slug repeats one before it, or differs from it only by '-' against
    '_': the two would share a pipeline (state, lock) and a dataset."""
    first: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(organizations):
        name = organization_name(entry.slug)
        if name in first:
            raise ConfigError(_shared_name(path, index, entry.slug, *first[name]))
        first[name] = (index, entry.slug)


def _shared_name(path: Path, index: int, slug: str, first_index: int, first_slug: str) -> str:
    where = f"{path}: organizations[{index}].slug: `{slug}`"
    if slug == first_slug:
        return (f"{where} is already the slug of organizations[{first_index}]; give each "
                "organization its own slug")  # fmt: skip
    return (f"{where} and `{first_slug}` of organizations[{first_index}] would share the "
            f"pipeline and dataset {organization_name(slug)}; rename one")  # fmt: skip
