"""``scripts/bench.py``: run the scenarios, write the results JSON, print the table.

.venv/bin/python scripts/bench.py                      # every scenario
.venv/bin/python scripts/bench.py --only cpu_bound     # one scenario (repeatable)
.venv/bin/python scripts/bench.py --quick              # tiny scale, one round (CI)

``--only`` takes a scenario's ``name``; ``benchmarks/scenarios/__init__.py`` lists them.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.figures import ScenarioReport
from benchmarks.harness import REPO_ROOT
from benchmarks.results import results_document, write_results
from benchmarks.rounds import BenchContext
from benchmarks.scenarios import ALL, SCENARIO_NAMES
from benchmarks.settings import REPEATS
from benchmarks.table import markdown_table

logger = logging.getLogger("benchmarks")
DEFAULT_OUTPUT_DIR = REPO_ROOT / "docs" / "bench"


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIO_NAMES,
        default=[],
        help="run only this scenario (repeatable); default: all of them",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny scale and a single round: proves the harness runs, measures nothing",
    )
    parser.add_argument(
        "--scale",
        default=None,
        help="every scenario at this simulator scale (tiny, small, demo, midsize, medium, million, large)",
    )
    parser.add_argument(
        "--ours-window-conversations",
        type=int,
        default=None,
        help="what-if: ours' window_conversations (default: the project's own)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=REPEATS,
        help=f"rounds per scenario for runs under a minute (default {REPEATS})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="results JSON path (default: docs/bench/results-<UTC time>.json)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep the DuckDB files and dlt folders here instead of a temp folder",
    )
    return parser.parse_args(argv)


def run_scenarios(names: list[str], context: BenchContext) -> list[ScenarioReport]:
    reports = []
    for scenario in ALL:
        if names and scenario.name not in names:
            continue
        logger.info("scenario %s: starting", scenario.name)
        reports.append(scenario.run(context))
        logger.info("scenario %s: done", scenario.name)
        if context.quick and not all(run.ok for run in reports[-1].runs):
            logger.error("a run failed in the quick bench: stopping (see the table)")
            break
    return reports


def main(argv: list[str] | None = None) -> int:
    """Run, write, print; exits 1 when a run failed (the table still shows the rest)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    started, load_at_start = datetime.now(timezone.utc), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="spruce-bench-") as temporary:
        context = _context(arguments, arguments.keep or Path(temporary))
        reports = run_scenarios(arguments.only, context)
    output = arguments.output or DEFAULT_OUTPUT_DIR / f"results-{started:%Y%m%dT%H%M%SZ}.json"
    command = shlex.join(["scripts/bench.py", *argv])
    write_results(results_document(reports, command, started, load_at_start, REPO_ROOT), output)
    print(markdown_table(reports))
    print(f"\nresults: {output}")
    return 0 if all(run.ok for report in reports for run in report.runs) else 1


def _context(arguments: argparse.Namespace, root: Path) -> BenchContext:
    repeats = 1 if arguments.quick else max(1, arguments.repeats)
    return BenchContext(
        root, repeats, arguments.quick, arguments.scale, arguments.ours_window_conversations
    )
