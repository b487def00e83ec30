"""A local, spec-faithful Spruce Health API for tests, the demo and benchmarks.

    from simulator import Simulator, SimulatorSettings
    with Simulator(SimulatorSettings(seed=7, scale="small")).running() as base_url:
        ...  # base_url == "http://127.0.0.1:PORT/v1"

The source (``sources/``) must never import this package.
"""

from __future__ import annotations

from simulator.counters import Counters
from simulator.server import Simulator
from simulator.settings import (
    DEFAULT_TOKEN,
    FAULT_KINDS,
    FaultKind,
    FaultSchedule,
    FaultSettings,
    RateLimitSettings,
    SimulatorSettings,
)

__all__ = [
    "DEFAULT_TOKEN",
    "FAULT_KINDS",
    "Counters",
    "FaultKind",
    "FaultSchedule",
    "FaultSettings",
    "RateLimitSettings",
    "Simulator",
    "SimulatorSettings",
]
