"""What every scenario offers the command line: a name, and a run that reports figures."""

from __future__ import annotations

from typing import Protocol

from benchmarks.figures import ScenarioReport
from benchmarks.rounds import BenchContext


class Scenario(Protocol):
    name: str

    def run(self, context: BenchContext) -> ScenarioReport:
        """Start a simulator, measure the runs, return the figures."""
        ...
