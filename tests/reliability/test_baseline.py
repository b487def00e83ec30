"""The baseline every row is measured against: a fault-free run equals the ground truth."""

from __future__ import annotations

import pytest

from tests.fixtures.destinations import DESTINATIONS
from tests.reliability.conftest import SyncHarness


@pytest.mark.parametrize("destination", DESTINATIONS, indirect=True)
def test_a_fault_free_run_equals_the_ground_truth(harness: SyncHarness) -> None:
    summary = harness.run()

    assert harness.differences() == []
    assert summary.retries == 0
    assert harness.load_ids() == summary.load_ids


def test_the_comparison_sees_a_missing_row(harness: SyncHarness) -> None:
    """The yardstick itself: a change the warehouse has not seen is a difference."""
    harness.run()
    harness.simulator.advance({"new_conversations": 1})

    assert any("missing" in line for line in harness.differences())
