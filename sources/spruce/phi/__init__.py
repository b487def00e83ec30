"""PHI policy: keep, drop, hash, redact or generalize columns before they reach disk.

``parse_phi_policy`` reads the YAML form, ``protect_source`` applies it to a source's
resources in the extract step, ``RecordProtector`` does it for one resource's records.
"""

from __future__ import annotations

from sources.spruce.phi.changes import PolicyChange
from sources.spruce.phi.policy import PhiPolicy, PhiPolicyError, parse_phi_policy
from sources.spruce.phi.records import RecordProtector
from sources.spruce.phi.settings import ACTIONS, PRESETS, Action
from sources.spruce.phi.source import protect_resources, protect_source, resolve_hash_key

__all__ = [
    "ACTIONS",
    "PRESETS",
    "Action",
    "PhiPolicy",
    "PhiPolicyError",
    "PolicyChange",
    "RecordProtector",
    "parse_phi_policy",
    "protect_resources",
    "protect_source",
    "resolve_hash_key",
]
