"""How a command starts and how it ends when something fails: one message, one exit code."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from pipelines.commands.secrets import Masked, ScrubFilter, mask_configured_secrets

log = logging.getLogger("spruce_sync")


def start(debug: bool) -> Masked:
    """Logging to stderr with secrets masked; the same for every command."""
    from pipelines.output.logs import configure_logging

    masked = Masked()
    configure_logging(logging.DEBUG if debug else logging.INFO, ScrubFilter(masked))
    mask_configured_secrets(masked)
    return masked


@contextmanager
def reported_errors(masked: Masked, json_output: bool, debug: bool) -> Iterator[None]:
    """Turn any failure into one message on stderr and its exit code (never a traceback)."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except (Exception, KeyboardInterrupt) as error:
        from pipelines.output.documents import error_message, print_error
        from pipelines.runner.failures import ExitCode, classify

        code, cause = classify(error)
        if debug and code is ExitCode.FAILURE:
            log.exception("traceback of the failure")
        message = masked.scrub(error_message(code, cause))
        print_error(code, message, cause, json_output)
        raise typer.Exit(int(code)) from None
