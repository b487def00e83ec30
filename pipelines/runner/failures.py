"""Failures: dlt's wrapped errors turned into ours, and every error into an exit code.

| code | meaning                                                               | what to do |
|------|-----------------------------------------------------------------------|------------|
| 0    | success                                                               | nothing |
| 1    | other failure (a bug, an API error that is not retried)               | read the message, rerun |
| 2    | configuration or usage error (YAML, flag, date, missing token)        | fix the input |
| 3    | authentication error (Spruce answered 403)                            | check the token |
| 4    | destination unreachable, or the DuckDB file locked by another process | retry later |
| 5    | rate budget exhausted; progress is saved                              | rerun after the time given |
| 6    | another run of the same pipeline is in progress                       | let it finish |
| 7    | the Spruce API unreachable or failing after the retries (5xx, timeouts)| retry later |
| 130  | interrupted (Ctrl-C or SIGTERM); nothing half-applied                 | rerun |

The README's exit-code table is this one. dlt wraps a step's failure in
``PipelineStepFailed`` (sometimes several levels deep): `causes` walks the wrapping once,
for both `unwrap` (the runner's translation) and `classify` (the CLI's exit code).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum
from functools import cache
from typing import TYPE_CHECKING

from pipelines.configuration.errors import ConfigError

if TYPE_CHECKING:
    from dlt.pipeline.exceptions import PipelineStepFailed


class ExitCode(IntEnum):
    """What ``spruce-sync`` returns to the shell."""

    SUCCESS = 0
    FAILURE = 1
    CONFIG = 2
    AUTH = 3
    DESTINATION = 4
    RATE_BUDGET = 5
    BUSY = 6
    API_UNAVAILABLE = 7
    INTERRUPTED = 130


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps, outermost first (dlt's ``exception`` or ``__cause__``)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "exception", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__


@cache
def error_exit_codes() -> tuple[tuple[type[BaseException], ExitCode], ...]:
    """Exception classes and their codes, the most specific first.

    Imported on first use, so that a configuration error is reported without loading dlt
    and the source (half a second of imports).
    """
    return (*_configuration_errors(), *_run_errors())


def _configuration_errors() -> tuple[tuple[type[BaseException], ExitCode], ...]:
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.common.configuration.providers.toml import TomlProviderReadException

    from sources.spruce.exceptions import ConfigurationError, InsecureBaseUrl, UntrustedCertificate
    from sources.spruce.phi import PhiPolicyError

    return tuple((error, ExitCode.CONFIG) for error in (
        ConfigFieldMissingException, TomlProviderReadException, InsecureBaseUrl,
        UntrustedCertificate, ConfigurationError,
        PhiPolicyError,  # e.g. a policy that hashes, and no key
    ))


def _run_errors() -> tuple[tuple[type[BaseException], ExitCode], ...]:
    from pipelines.runner.errors import DestinationUnreachable, PipelineBusy
    from sources.spruce.exceptions import RateBudgetExhausted, SpruceAuthError, SpruceUnavailable

    return (
        (SpruceAuthError, ExitCode.AUTH),
        (DestinationUnreachable, ExitCode.DESTINATION),
        (RateBudgetExhausted, ExitCode.RATE_BUDGET),
        (PipelineBusy, ExitCode.BUSY),
        (SpruceUnavailable, ExitCode.API_UNAVAILABLE),
        (KeyboardInterrupt, ExitCode.INTERRUPTED),
    )


def classify(error: BaseException) -> tuple[ExitCode, BaseException]:
    """The exit code for ``error`` and the (possibly wrapped) error that decided it."""
    if isinstance(error, ConfigError):
        return ExitCode.CONFIG, error  # decided before anything heavy is imported
    for cause in causes(error):
        for error_class, code in error_exit_codes():
            if isinstance(cause, error_class):
                return code, cause
    return ExitCode.FAILURE, error


def unwrap(failed: PipelineStepFailed) -> BaseException:
    """The cause of a failed step: our own errors as they are, a broken schema contract
    or a lost destination as ours, anything else as the underlying error."""
    from dlt.common.schema.exceptions import DataValidationError

    from sources.spruce.exceptions import SpruceSyncError

    cause = _root_cause(failed)
    if isinstance(cause, SpruceSyncError):
        return cause
    if isinstance(cause, DataValidationError):
        return _contract_violation(cause)
    if _is_destination_unreachable(cause):
        return _destination_lost(failed.step, cause)
    return cause


def _root_cause(failed: PipelineStepFailed) -> BaseException:
    """The first cause that is ours, else the innermost one."""
    from sources.spruce.exceptions import SpruceSyncError

    chain = list(causes(failed))
    return next((cause for cause in chain if isinstance(cause, SpruceSyncError)), chain[-1])


def _contract_violation(cause: BaseException) -> BaseException:
    from pipelines.runner.errors import SchemaContractViolation

    return SchemaContractViolation(
        f"A record of table {getattr(cause, 'table_name', '?')!r} broke its schema contract"
        f" ({getattr(cause, 'schema_entity', '?')}: {getattr(cause, 'contract_mode', '?')})"
        f" on column {getattr(cause, 'column_name', None) or '(new column)'!r}; nothing of"
        " this window was loaded. Change the table's schema contract or let the column evolve."
    )


def _destination_lost(step: str, cause: BaseException) -> BaseException:
    from pipelines.runner.errors import DestinationUnreachable, first_line

    return DestinationUnreachable(
        f"The destination failed during the {step} step: {type(cause).__name__}:"
        f" {first_line(cause)}. The extracted data is kept as a pending package and"
        " loaded by the next run."
    )


def _is_destination_unreachable(error: BaseException) -> bool:
    from dlt.destinations.exceptions import DestinationConnectionError

    if isinstance(error, DestinationConnectionError):
        return True
    # psycopg2.OperationalError (server down), duckdb.IOException (file locked)
    return type(error).__name__ in ("OperationalError", "IOException", "ConnectionException")
