"""Fixtures of the benchmark harness tests: a tiny simulator in its own process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.settings import BENCH_TOKEN, QUICK_SCALE, SEED
from benchmarks.simulator_process import SimulatorProcess
from simulator import SimulatorSettings


@pytest.fixture(scope="module")
def bench_simulator() -> Iterator[SimulatorProcess]:
    """The simulator the bench runs against, at the quick scale, shared by a module."""
    settings = SimulatorSettings(seed=SEED, scale=QUICK_SCALE, tokens=(BENCH_TOKEN,))
    with SimulatorProcess(settings) as simulator:
        yield simulator
