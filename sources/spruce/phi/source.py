"""Attach a PHI policy to every resource of a dlt source (the extract step's map)."""

from __future__ import annotations

import dlt
from dlt.extract.source import DltSource

from sources.spruce.phi.policy import PhiPolicy
from sources.spruce.phi.records import RecordProtector
from sources.spruce.phi.settings import HASH_KEY_SECRET


def resolve_hash_key() -> str | None:
    """The HMAC key from dlt's secrets: ``SOURCES__SPRUCE__PHI_HASH_KEY`` or secrets.toml."""
    key: object = dlt.secrets.get(HASH_KEY_SECRET)
    return str(key) if key else None


def protect_source(source: DltSource, policy: PhiPolicy, hash_key: str | None = None) -> DltSource:
    """Add the policy as the last map step of each resource, before anything is written.

    ``hash_key`` defaults to the dlt secret; raises ``PhiPolicyError`` when the policy
    hashes and no usable key is configured. Returns ``source`` for chaining.
    """
    key = hash_key if hash_key is not None else resolve_hash_key()
    for name, resource in source.resources.items():
        resource.add_map(RecordProtector(policy, name, key))
    return source
