"""The consoles results and messages are printed on (looked up per call: tests swap streams)."""

from __future__ import annotations

import sys

from rich.console import Console


def stderr_console() -> Console:
    """A console on the current stderr (looked up per call: tests swap the streams)."""
    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
    """A console on the current stdout; wide when not a terminal so tables do not wrap."""
    return Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else 160)
