"""A local, spec-faithful Spruce Health API for tests, the demo and benchmarks.

    from simulator import Simulator, SimulatorSettings
    sim = Simulator(SimulatorSettings(seed=7, scale="small", tokens=("test-token",)))
    with sim.running() as base_url:  # "http://127.0.0.1:PORT/v1", uvicorn on a thread
        sim.advance({"new_items": 20})  # change the data (keys: simulator.data.changes)
        sim.ground_truth(); sim.counters(); sim.set_faults(...); sim.set_rate_limit(...)

The same switches from outside the process: the admin API under ``/_sim``
(``simulator.admin``) and ``spruce-sync simulator serve --help`` (``simulator.cli``).
Fault kinds are ``FAULT_KINDS``; which requests they apply to is in ``simulator.faults``.
Webhooks: endpoints created with ``POST /v1/webhooks/endpoints`` get every later change,
signed, on Spruce's retry schedule (``WebhookSettings``; ``simulator.webhook_delivery``).
Many organizations behind one base URL, the bearer token picking one:
``FleetSimulator(seeded_fleet(3))`` (``simulator.fleet``).
The source (``sources/``) must never import this package.

Rate limits: as at Spruce, every API response (any status but 403; never the admin API)
carries ``s-ratelimit-limit`` and ``s-ratelimit-remaining`` for the organization's
60-second window. With no rate limit configured the budget is ``DEFAULT_RATE_LIMIT``:
1,000,000 requests a minute and no daily window, more than a test, a benchmark or the
demo can spend, so that they run unthrottled and unpaced while the headers are real
(``simulator.settings`` says why that number). ``sim.set_rate_limit(RateLimitSettings(...))``
or ``serve --rate-limit N`` sets another; ``set_rate_limit(None)`` restores the default.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simulator.counters import Counters
from simulator.settings import (
    DEFAULT_RATE_LIMIT,
    DEFAULT_TOKEN,
    FAULT_KINDS,
    FaultKind,
    FaultSchedule,
    FaultSettings,
    RateLimitSettings,
    SimulatorSettings,
    WebhookSettings,
)

if TYPE_CHECKING:
    from simulator.fleet import FleetOrganization, FleetSimulator, seeded_fleet
    from simulator.server import Simulator

# Loaded on first use: they bring uvicorn, which the CLI's --help must not load.
_LAZY = {"Simulator": "simulator.server", "FleetSimulator": "simulator.fleet",
         "FleetOrganization": "simulator.fleet", "seeded_fleet": "simulator.fleet"}  # fmt: skip


def __getattr__(name: str) -> Any:
    """`Simulator` and the fleet (``simulator.fleet``) on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")


__all__ = [
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TOKEN",
    "FAULT_KINDS",
    "Counters",
    "FaultKind",
    "FaultSchedule",
    "FaultSettings",
    "FleetOrganization",
    "FleetSimulator",
    "RateLimitSettings",
    "Simulator",
    "SimulatorSettings",
    "WebhookSettings",
    "seeded_fleet",
]
