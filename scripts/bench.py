"""Benchmarks of issues 6 and 14: ours vs dlt's rest_api vs a raw bound, against the simulator.

Run from anywhere: ``.venv/bin/python scripts/bench.py [--quick] [--only NAME]``;
``--help`` lists the options. The harness lives in the ``benchmarks`` package.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The benchmarks package sits at the repository root, which is not on the path when this
# file is run as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cli import main

if __name__ == "__main__":
    sys.exit(main())
