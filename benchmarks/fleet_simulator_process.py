"""The multi-organization simulator (`simulator.fleet`) in its own process, driven over a pipe.

As `benchmarks.simulator_process` does for one organization: the simulator's CPU and
memory stay out of the measured fleet's figures (whose process tree is sampled whole) and
off its GIL. The parent asks for every organization's counters and ground truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchmarks.simulator_process import ChildCommand, ChildServer
from simulator import Counters, FleetSimulator, SimulatorSettings

# slug -> table -> records
GroundTruths = dict[str, dict[str, list[dict[str, Any]]]]


def _counters(fleet: FleetSimulator) -> dict[str, Counters]:
    return {slug: fleet.organization(slug).counters() for slug in fleet.slugs}


def _ground_truths(fleet: FleetSimulator) -> GroundTruths:
    return {slug: fleet.organization(slug).ground_truth() for slug in fleet.slugs}


_COUNTERS = ChildCommand("counters", _counters)
_GROUND_TRUTHS = ChildCommand("ground_truths", _ground_truths)


class FleetSimulatorProcess(ChildServer):
    """A running `FleetSimulator` in a child process; use as a context manager."""

    def __init__(self, organizations: Mapping[str, SimulatorSettings]) -> None:
        self.organizations = dict(organizations)
        super().__init__(FleetSimulator, self.organizations, (_COUNTERS, _GROUND_TRUTHS),
                         f"the fleet simulator ({len(self.organizations)} organizations)")  # fmt: skip

    def counters(self) -> dict[str, Counters]:
        """Each organization's request counters."""
        return self._call(_COUNTERS)

    def ground_truths(self) -> GroundTruths:
        """Each organization's records as the simulator holds them."""
        return self._call(_GROUND_TRUTHS)
