"""How a command runs: logging set up, secrets masked, any failure one message and one code.

Every command body runs inside `command_session`, from the first read of dlt's settings
on: a malformed ``.dlt/secrets.toml`` is reported like any other configuration error,
never as a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from pipelines.commands.secrets import Masked, ScrubFilter, mask_configured_secrets
from pipelines.files import owner_only_files
from pipelines.runner.failures import ExitCode, classify

log = logging.getLogger("spruce_sync")


@contextmanager
def command_session(json_output: bool, debug: bool) -> Iterator[Masked]:
    """Logging to stderr with secrets masked, then the command; a failure becomes one
    message on stderr (and a JSON document with ``--json``) and its exit code."""
    from pipelines.output.logs import configure_logging

    masked = Masked()
    configure_logging(logging.DEBUG if debug else logging.INFO, ScrubFilter(masked))
    try:
        with owner_only_files():  # whichever command creates the warehouse, it holds PHI
            mask_configured_secrets(masked)
            yield masked
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except (Exception, KeyboardInterrupt) as error:
        code = report_failure(error, masked, json_output)
        if debug and code is ExitCode.FAILURE:
            log.exception("traceback of the failure")
        raise typer.Exit(int(code)) from None


def report_failure(error: BaseException, masked: Masked, json_output: bool) -> ExitCode:
    """Print what went wrong and what to do; the exit code."""
    from pipelines.output.documents import print_error
    from pipelines.output.messages import error_message

    code, cause = classify(error)
    print_error(code, masked.scrub(error_message(code, cause)), cause, json_output)
    return code
