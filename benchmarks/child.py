"""Entry point of one measured run: ``python -m benchmarks.child '<RunSpec JSON>'``.

The API token arrives in the environment (``settings.TOKEN_ENV``), never on the command
line. A failure exits non-zero with the exception's type and message on stderr, which
the parent keeps in the results.
"""

from __future__ import annotations

import logging
import os
import sys

from benchmarks.run_spec import RunSpec
from benchmarks.runners import RUNNERS
from benchmarks.settings import TOKEN_ENV


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    spec = RunSpec.from_json(argv[1])
    RUNNERS[spec.pipeline](spec, os.environ[TOKEN_ENV])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
