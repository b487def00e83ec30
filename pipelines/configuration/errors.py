"""`ConfigError`: a configuration or usage problem the user must fix (exit code 2).

Light on purpose: the CLI reports such an error before dlt and the source are imported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


class ConfigError(Exception):
    """What was wrong, where (file, key path or flag) and what is allowed."""


def did_you_mean(unknown: Iterable[str], allowed: Sequence[str], cutoff: float = 0.6) -> str:
    """``did you mean `contacts`? `` for the names a typo away from an allowed one (difflib's
    ``cutoff``), else nothing: the start of a message that goes on to list what is allowed."""
    close = [match for name in unknown
             for match in difflib.get_close_matches(name, allowed, n=1, cutoff=cutoff)]  # fmt: skip
    return f"did you mean {', '.join(f'`{name}`' for name in close)}? " if close else ""
