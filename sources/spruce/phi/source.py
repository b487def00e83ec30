"""Attach a PHI policy to every resource of a dlt source (the extract step's map)."""

from __future__ import annotations

import dlt
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from sources.spruce.phi.policy import PhiPolicy
from sources.spruce.phi.records import RecordProtector
from sources.spruce.phi.settings import HASH_KEY_SECRET


def resolve_hash_key() -> str | None:
    """The HMAC key from dlt's secrets: ``SOURCES__SPRUCE__PHI_HASH_KEY`` or secrets.toml."""
    key: object = dlt.secrets.get(HASH_KEY_SECRET)
    return str(key) if key else None


def protect_source(source: DltSource, policy: PhiPolicy, hash_key: str | None = None) -> DltSource:
    """Add the policy as a map step of each resource, before anything is written.

    ``hash_key`` defaults to the dlt secret; raises ``PhiPolicyError`` when the policy
    hashes and no usable key is configured. Returns ``source`` for chaining.
    """
    protect_resources(list(source.resources.values()), policy, hash_key)
    return source


def protect_resources(
    resources: list[DltResource], policy: PhiPolicy, hash_key: str | None = None
) -> list[DltResource]:
    """`protect_source` for resources not yet in a source (inside ``@dlt.source``)."""
    key = hash_key if hash_key is not None else resolve_hash_key()
    for resource in resources:
        resource.add_map(RecordProtector(policy, resource.name, key))
    return resources
