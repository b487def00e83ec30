"""The fleet's Dagster code location: ``dagster dev -m pipelines.fleet.definitions``.

Its fleet file is ``config/fleet.yaml`` of the working directory, or the one the
``SPRUCE_SYNC_FLEET`` variable names; see `pipelines.fleet.code_location`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.fleet.code_location import fleet_definitions
from pipelines.fleet.fleet_file import load_fleet
from pipelines.settings import FLEET_FILE_VARIABLE


def _fleet_path() -> Path | None:
    configured = os.environ.get(FLEET_FILE_VARIABLE)
    return Path(configured) if configured else None


defs = fleet_definitions(load_fleet(_fleet_path()))
