"""The exit codes of ``spruce-sync``: one table, for schedulers to act on.

| code | meaning                                                               | what to do |
|------|-----------------------------------------------------------------------|------------|
| 0    | success                                                               | nothing |
| 1    | other failure (a bug, an API error that is not retried)               | read the message, rerun |
| 2    | configuration or usage error (YAML, flag, date, missing token)        | fix the input |
| 3    | authentication error (Spruce answered 403)                            | check the token |
| 4    | destination unreachable, or the DuckDB file locked by another process | retry later |
| 5    | rate budget exhausted; progress is saved                              | rerun after the time given |
| 6    | another run of the same pipeline is in progress                       | let it finish |
| 130  | interrupted (Ctrl-C or SIGTERM); nothing half-applied                 | rerun |

The README's exit-code table is this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum
from functools import cache

from pipelines.config import ConfigError


class ExitCode(IntEnum):
    """What ``spruce-sync`` returns to the shell."""

    SUCCESS = 0
    FAILURE = 1
    CONFIG = 2
    AUTH = 3
    DESTINATION = 4
    RATE_BUDGET = 5
    BUSY = 6
    INTERRUPTED = 130


@cache
def error_exit_codes() -> tuple[tuple[type[BaseException], ExitCode], ...]:
    """Exception classes and their codes, the most specific first.

    Imported on first use so that a configuration error is reported without loading
    dlt and the source (half a second of imports).
    """
    from dlt.common.configuration.exceptions import ConfigFieldMissingException

    from pipelines.errors import DestinationUnreachable, PipelineBusy
    from sources.spruce.exceptions import (
        ConfigurationError,
        InsecureBaseUrl,
        UntrustedCertificate,
        RateBudgetExhausted,
        SpruceAuthError,
    )
    from sources.spruce.phi import PhiPolicyError

    return (
        (ConfigFieldMissingException, ExitCode.CONFIG),
        (InsecureBaseUrl, ExitCode.CONFIG),
        (UntrustedCertificate, ExitCode.CONFIG),
        (ConfigurationError, ExitCode.CONFIG),
        (PhiPolicyError, ExitCode.CONFIG),  # e.g. a policy that hashes, and no key
        (SpruceAuthError, ExitCode.AUTH),
        (DestinationUnreachable, ExitCode.DESTINATION),
        (RateBudgetExhausted, ExitCode.RATE_BUDGET),
        (PipelineBusy, ExitCode.BUSY),
        (KeyboardInterrupt, ExitCode.INTERRUPTED),
    )


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps: dlt wraps a step's failure in ``PipelineStepFailed``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "exception", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__


def classify(error: BaseException) -> tuple[ExitCode, BaseException]:
    """The exit code for ``error`` and the (possibly wrapped) error that decided it."""
    if isinstance(error, ConfigError):
        return ExitCode.CONFIG, error  # decided before anything heavy is imported
    for cause in causes(error):
        for error_class, code in error_exit_codes():
            if isinstance(cause, error_class):
                return code, cause
    return ExitCode.FAILURE, error
