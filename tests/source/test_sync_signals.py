"""A signal that lands outside dlt's steps still stops the sync, at a safe point.

CI saw a fleet worker's SIGTERM land in a finalizer (dlt's DuckDB credentials' ``__del__``)
while the run was building its pipeline: Python prints an exception raised there and drops
it, so the interrupt was lost. The runner now defers both signals for the whole sync.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator

import dlt
import pytest

from pipelines.configuration.options import SyncOptions
from pipelines.runner.interruptions import interrupt_on_sigterm
from pipelines.runner.pipeline import check_destination
from pipelines.runner.run import run_sync
from simulator import Simulator
from tests.fixtures.simulator import TEST_TOKEN
from tests.source.warehouse_reader import WarehouseReader


class SignalledWhileFinalized:
    """An object whose finalizer is running when a signal arrives."""

    def __init__(self, signum: signal.Signals) -> None:
        self.signum = signum

    def __del__(self) -> None:
        signal.raise_signal(self.signum)  # Python runs the handler here, inside __del__


@pytest.fixture
def sigterm_as_the_cli_handles_it() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, as in the CLI and the fleet's workers."""
    previous = signal.getsignal(signal.SIGTERM)
    interrupt_on_sigterm()
    yield
    signal.signal(signal.SIGTERM, previous)


def signal_after(
    step: Callable[[dlt.Pipeline], None], signum: signal.Signals
) -> Callable[[dlt.Pipeline], None]:
    """``step``, then a signal that lands while a dropped object is finalized."""

    def step_then_signal(pipeline: dlt.Pipeline) -> None:
        step(pipeline)
        SignalledWhileFinalized(signum)  # dropped at once: its __del__ runs on this line

    return step_then_signal


@pytest.mark.usefixtures("sigterm_as_the_cli_handles_it")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_landing_in_a_finalizer_before_the_first_window_stops_the_sync(
    simulator: Simulator,
    duckdb_options: SyncOptions,
    duckdb_warehouse: WarehouseReader,
    monkeypatch: pytest.MonkeyPatch,
    signum: signal.Signals,
) -> None:
    check_then_signal = signal_after(check_destination, signum)
    monkeypatch.setattr("pipelines.runner.run.check_destination", check_then_signal)

    with pytest.raises(KeyboardInterrupt):
        run_sync(duckdb_options, api_token=TEST_TOKEN, base_url=simulator.base_url)

    assert simulator.counters().total_requests <= 1  # extract stopped at its first item
    assert duckdb_warehouse.table_counts() == {}
