"""``spruce-sync webhooks``: receive Spruce's signed deliveries into the inbox (``serve``)
and apply them to the tables (``apply``, or ``serve --apply-every`` as they arrive).

Only typer and constants are imported here; the receiver, uvicorn and dlt load inside the
command.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.commands.reporting import command_session
from pipelines.commands.shared import BaseUrlOption, CommonFlags, profile_options
from pipelines.webhooks.settings import (
    DEFAULT_HOST,
    DEFAULT_INBOX,
    DEFAULT_ORGANIZATION,
    DEFAULT_PORT,
)

if TYPE_CHECKING:
    from pipelines.webhooks.server import Listening

webhooks_app = typer.Typer(
    help="Receive Spruce's webhook deliveries and apply them.", no_args_is_help=True
)

Port = Annotated[int, typer.Option("--port", help="Port to listen on; 0 picks a free one.")]
Host = Annotated[str, typer.Option(
    "--host", help="Interface to bind (loopback by default: put TLS in front).")]
InboxOption = Annotated[Path | None, typer.Option(
    "--inbox", help=f"The inbox file (SQLite). Default: {DEFAULT_INBOX} of the project.")]
OrganizationOption = Annotated[str, typer.Option(
    "--organization",
    help="Whose events to apply: a fleet's slug (default: the one organization).")]


def every_flag(text: str) -> timedelta:
    """``--apply-every``'s value: a positive number and a unit, ``5s``, ``2m``, ``1h``;
    anything else is a usage error (exit code 2) showing that form."""
    from sources.spruce.options import parse_duration

    try:
        every = parse_duration(text)
    except ValueError:
        every = None
    if not isinstance(every, timedelta) or every <= timedelta(0):
        raise typer.BadParameter(f"{text!r} is not a duration: use a positive number and a "
                                 "unit, s, m or h, such as 5s, 2m or 1h")
    return every


ApplyEveryOption = Annotated[timedelta | None, typer.Option(
    "--apply-every", parser=every_flag, metavar="DURATION",
    help="Also apply the inbox to the warehouse every DURATION (5s, 2m), as `webhooks apply` "
    "does, for --organization. PostgreSQL: rows land within about one interval. DuckDB: a "
    "tick that finds a sync's lock or the file open elsewhere is skipped and retried at the "
    "next (events wait in the inbox), and a sync started mid-tick exits busy (6); there, "
    "prefer `webhooks apply` on the sync's schedule.")]


@webhooks_app.callback()
def _group() -> None:
    """Receive Spruce's webhook deliveries and apply them."""


@webhooks_app.command()
@profile_options
def serve(
    common: CommonFlags, port: Port = DEFAULT_PORT, host: Host = DEFAULT_HOST,
    inbox: InboxOption = None, apply_every: ApplyEveryOption = None,
    organization: OrganizationOption = DEFAULT_ORGANIZATION,
) -> None:  # fmt: skip
    """Receive signed deliveries until stopped: each is verified, put through the
    profile's PHI policy and committed to the inbox before it is answered 2xx.

    One organization posts to /webhooks/spruce, each of a fleet to /webhooks/spruce/SLUG.
    Signing secrets: SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET or webhook_signing_secret in
    .dlt/secrets.toml. Bodies over 1 MiB are refused (413).
    """
    with command_session(common.json_output, common.debug) as masked:
        from pipelines.webhooks.organizations import signing_secrets
        from pipelines.webhooks.server import applying, build_receiver, inbox_path
        from pipelines.webhooks.server import serve as serve_receiver

        secrets = signing_secrets()
        for value in (value for values in secrets.values() for value in values):
            masked.add(value)
        options, path = common.options(), inbox_path(inbox)
        with applying(options, path, organization, apply_every, secrets):
            receiver = build_receiver(path, secrets, options.phi_policy)
            announce = _announce_json if common.json_output else _announce_text
            serve_receiver(receiver, host, port, announce)


def _announce_json(listening: Listening) -> None:
    from pipelines.output.documents import print_document

    print_document(listening.to_dict(), status="listening")


def _announce_text(listening: Listening) -> None:
    for slug, url in listening.endpoints.items():
        typer.echo(f"POST {url}  ({slug})")
    typer.echo(f"inbox: {listening.inbox}")
    typer.echo("Ctrl-C stops", err=True)


# --- `webhooks apply` (the apply helper's; the receiver's commands are above) ------------
CatchUpOption = Annotated[bool, typer.Option(
    "--catch-up", help="First read the endpoint's event log (webhook_endpoint_id) from the last "
    "applied event, less an overlap, for what the receiver missed while it was down.")]


@webhooks_app.command("apply")
@profile_options
def apply_events(
    common: CommonFlags, inbox: InboxOption = None,
    organization: OrganizationOption = DEFAULT_ORGANIZATION, catch_up: CatchUpOption = False,
    base_url: BaseUrlOption = None,
) -> None:  # fmt: skip
    """Merge the inbox's events into contacts, conversations and conversation_items.

    The newest eventTime of each record wins, whatever the order events arrived in;
    deletions set deleted_at. Takes the same lock as `run` (exit 6 while a sync runs).
    """
    with command_session(common.json_output, common.debug) as masked:
        from pipelines.commands.secrets import api_token
        from pipelines.output.documents import print_report
        from pipelines.runner.run import credentials
        from pipelines.webhooks.apply_command import apply_webhooks
        from pipelines.webhooks.server import inbox_path

        token = api_token(masked) if catch_up else None
        report = apply_webhooks(common.options(), inbox_path(inbox), organization, catch_up,
                                credentials(token, base_url))
        print_report("webhooks apply", report, common.json_output)
