"""Regenerate docs/tables.md and docs/tables.json from Spruce's OpenAPI document.

    python scripts/gen_dictionary.py [path/to/openapi.json]

Writes into this checkout's docs/. It reads the models' descriptions (transform/) through
the package, as spruce-sync does: run it with the checkout installed in editable mode
(``pip install -e .``, what scripts/test.sh sets up in .venv).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.analytics.dictionary import write_dictionary
from pipelines.settings import OPENAPI_PATH


def main(arguments: list[str]) -> int:
    source = Path(arguments[0]) if arguments else OPENAPI_PATH
    if not source.is_file():
        sys.stderr.write(f"OpenAPI document not found at {source}: pass its path as the "
                         f"first argument\n")
        return 2
    for written in write_dictionary(source):
        sys.stdout.write(f"wrote {written}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
