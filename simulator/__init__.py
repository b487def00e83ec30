"""A local, spec-faithful Spruce Health API for tests, the demo and benchmarks.

    from simulator import Simulator, SimulatorSettings
    sim = Simulator(SimulatorSettings(seed=7, scale="small", tokens=("test-token",)))
    with sim.running() as base_url:  # "http://127.0.0.1:PORT/v1", uvicorn on a thread
        sim.advance({"new_items": 20})  # change the data (keys: simulator.data.changes)
        sim.ground_truth(); sim.counters(); sim.set_faults(...); sim.set_rate_limit(...)

The same switches from outside the process: the admin API under ``/_sim``
(``simulator.admin``) and ``spruce-sync simulator serve --help`` (``simulator.cli``).
Fault kinds are ``FAULT_KINDS``; which requests they apply to is in ``simulator.faults``.
The source (``sources/``) must never import this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.counters import Counters
from simulator.settings import (
    DEFAULT_TOKEN,
    FAULT_KINDS,
    FaultKind,
    FaultSchedule,
    FaultSettings,
    RateLimitSettings,
    SimulatorSettings,
)

if TYPE_CHECKING:
    from simulator.server import Simulator


def __getattr__(name: str) -> Any:
    """`Simulator` on first use: it brings uvicorn, which the CLI's --help must not load."""
    if name == "Simulator":
        from simulator.server import Simulator

        return Simulator
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")


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
