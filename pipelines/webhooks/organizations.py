"""The organizations the receiver serves and their signing secrets, read through dlt.

One organization::

    [sources.spruce]                      # or SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET
    webhook_signing_secret = "whsec-..."  # a list, or "old,new", during a rotation

A fleet, one section an organization (its slug is the last segment of its path,
``/webhooks/spruce/<slug>``)::

    [sources.spruce.organizations.clinic-a]
    webhook_signing_secret = "whsec-..."

The slugs come from the TOML sections (the environment cannot list them); a variable such
as ``SOURCES__SPRUCE__ORGANIZATIONS__CLINIC_B__WEBHOOK_SIGNING_SECRET`` overrides the
secret of a section that exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pipelines.configuration.errors import ConfigError
from pipelines.webhooks.settings import (
    DEFAULT_ORGANIZATION,
    ORGANIZATIONS_KEY,
    SIGNING_SECRET_FIELD,
    SIGNING_SECRET_KEY,
    SLUG_PATTERN,
)

# slug -> the secrets any of which may sign its deliveries
SigningSecrets = Mapping[str, tuple[str, ...]]


def signing_secrets() -> dict[str, tuple[str, ...]]:
    """Every configured organization's secrets; ``DEFAULT_ORGANIZATION`` for the
    top-level one. Raises `ConfigError` when there is none, or one is malformed."""
    import dlt

    found = {DEFAULT_ORGANIZATION: _secrets(dlt.secrets.get(SIGNING_SECRET_KEY), SIGNING_SECRET_KEY)}
    for slug in _slugs(dlt.secrets.get(ORGANIZATIONS_KEY)):
        key = f"{ORGANIZATIONS_KEY}.{slug}.{SIGNING_SECRET_FIELD}"
        found[slug] = _secrets(dlt.secrets.get(key), key)
    configured = {slug: secrets for slug, secrets in found.items() if secrets}
    if not configured:
        raise ConfigError(_missing_message())
    return configured


def parse_secrets(value: object) -> tuple[str, ...]:
    """A list, a JSON list as text (an environment variable), or ``"a,b"``: the secrets,
    stripped, empty ones left out."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass  # not JSON after all: commas separate the secrets
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise ValueError("expected a string, a comma-separated string or a list of strings")
    return tuple(item.strip() for item in items if item.strip())


def _secrets(value: object, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    try:
        return parse_secrets(value)
    except ValueError as error:  # the message names the key, never the value
        raise ConfigError(f"{key}: {error}") from None


def _slugs(section: object) -> list[str]:
    if section is None:
        return []
    if not isinstance(section, Mapping):
        raise ConfigError(f"{ORGANIZATIONS_KEY}: expected one section per organization, "
                          f"[{ORGANIZATIONS_KEY}.<slug>]")
    for slug in section:
        if not re.match(SLUG_PATTERN, str(slug)) or slug == DEFAULT_ORGANIZATION:
            raise ConfigError(f"[{ORGANIZATIONS_KEY}.{slug}]: a slug is lower-case letters, "
                              f"digits, '-' and '_', and not {DEFAULT_ORGANIZATION!r}")
    return [str(slug) for slug in section]


def _missing_message() -> str:
    return (
        "no webhook signing secret: set SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET or put "
        "webhook_signing_secret under [sources.spruce] in .dlt/secrets.toml (the secret "
        "Spruce returned when the endpoint was created; comma-separated for a rotation)"
    )
