"""Fixtures of the organization data tests: one organization per scale, the OpenAPI spec."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from simulator.organization import SimulatedOrganization

SPEC_PATH = Path(__file__).resolve().parents[4] / "shared" / "spruce" / "openapi.json"
ANCHOR = datetime(2026, 11, 1, tzinfo=timezone.utc)
# A moment shortly after the anchor: every generated record is visible.
AFTER_ANCHOR = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """Spruce's OpenAPI document."""
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return spec


@pytest.fixture(scope="session")
def small_org() -> SimulatedOrganization:
    """A ``small`` organization, shared by read-only tests (never advance it)."""
    return SimulatedOrganization(7, "small")


@pytest.fixture
def tiny_org() -> SimulatedOrganization:
    """A fresh ``tiny`` organization that a test may change."""
    return SimulatedOrganization(11, "tiny")
