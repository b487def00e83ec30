"""The scenarios of issues 6, 14, 15 and 16, one module each; ``ALL`` lists them in the report's order.

To add a scenario: a module here with a frozen dataclass that has ``name`` (what
``scripts/bench.py --only`` takes), ``title`` (the table's first column) and
``run(context) -> ScenarioReport`` (see `base.Scenario`), and one instance of it in
``ALL``. The command line, the results file and the table take it from there.
"""

from __future__ import annotations

from benchmarks.scenarios.base import Scenario
from benchmarks.scenarios.consecutive import ConsecutiveSyncs
from benchmarks.scenarios.cpu import CpuBoundSync
from benchmarks.scenarios.fleet import FleetSync
from benchmarks.scenarios.incremental import IncrementalSyncs
from benchmarks.scenarios.latency import LatencyBoundSync
from benchmarks.scenarios.postgres_load import PostgresLoad
from benchmarks.scenarios.rate_limited import RateLimitedSync
from benchmarks.scenarios.short_window import ShortWindowSync
from benchmarks.scenarios.webhooks import WebhookReceiver
from benchmarks.settings import NEIGHBOUR_SHARE

ALL: tuple[Scenario, ...] = (
    RateLimitedSync("rate_limited", "1. Rate-limited full sync", neighbour_share=0.0),
    RateLimitedSync("noisy_neighbour", "2. Noisy neighbour", neighbour_share=NEIGHBOUR_SHARE),
    LatencyBoundSync(),
    CpuBoundSync(),
    IncrementalSyncs(),
    ConsecutiveSyncs(),
    ShortWindowSync(),
    PostgresLoad(),
    WebhookReceiver(),
    FleetSync(),
)
SCENARIO_NAMES: tuple[str, ...] = tuple(scenario.name for scenario in ALL)
