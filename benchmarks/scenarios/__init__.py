"""The scenarios of issue 6, one module each; ``ALL`` lists them in the report's order."""

from __future__ import annotations

from benchmarks.scenarios.base import Scenario
from benchmarks.scenarios.cpu import CpuBoundSync
from benchmarks.scenarios.incremental import IncrementalSyncs
from benchmarks.scenarios.latency import LatencyBoundSync
from benchmarks.scenarios.rate_limited import RateLimitedSync
from benchmarks.settings import NEIGHBOUR_SHARE

ALL: tuple[Scenario, ...] = (
    RateLimitedSync("rate_limited", "1. Rate-limited full sync", neighbour_share=0.0),
    RateLimitedSync("noisy_neighbour", "2. Noisy neighbour", neighbour_share=NEIGHBOUR_SHARE),
    LatencyBoundSync(),
    CpuBoundSync(),
    IncrementalSyncs(),
)
SCENARIO_NAMES: tuple[str, ...] = tuple(scenario.name for scenario in ALL)
