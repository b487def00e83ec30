"""Errors of the pipeline runner, and the source's ones re-exported for the CLI.

::

    SpruceSyncError (sources.spruce.exceptions)
    ├── ... the source's tree (auth, API, rate budget, insecure URL, ...)
    ├── DestinationUnreachable   the warehouse cannot be opened or written (down, locked)
    ├── SchemaContractViolation  a record broke a table's frozen/discard_row contract
    └── PipelineBusy             another run of the same pipeline holds its lock
"""

from __future__ import annotations

from sources.spruce.exceptions import (
    ConfigurationError,
    FatalError,
    InsecureBaseUrl,
    PaginationLoopError,
    RateBudgetExhausted,
    RetriableError,
    SpruceApiError,
    SpruceAuthError,
    SpruceNotFound,
    SpruceSyncError,
    SpruceUnavailable,
)

__all__ = [
    "ConfigurationError",
    "DestinationUnreachable",
    "FatalError",
    "InsecureBaseUrl",
    "PaginationLoopError",
    "PipelineBusy",
    "RateBudgetExhausted",
    "RetriableError",
    "SchemaContractViolation",
    "SpruceApiError",
    "SpruceAuthError",
    "SpruceNotFound",
    "SpruceSyncError",
    "SpruceUnavailable",
    "first_line",
]


class DestinationUnreachable(SpruceSyncError):
    """The destination could not be reached or written; pending packages are kept."""


class PipelineBusy(SpruceSyncError):
    """Another run of the same pipeline is in progress (it holds the pipeline's lock)."""


class SchemaContractViolation(SpruceSyncError):
    """A record broke the schema contract configured for its table; nothing was loaded.

    Names the table, the column and the contract only: dlt's own error carries the record.
    """


def first_line(error: BaseException) -> str:
    """An error's first line: what a user message quotes of a driver's long text."""
    text = str(error).strip()
    return text.splitlines()[0] if text else ""
