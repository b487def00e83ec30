"""``spruce-sync run`` and ``backfill``: one sync, shown live, summed up at the end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.commands.reporting import command_session
from pipelines.commands.secrets import api_token
from pipelines.commands.shared import BaseUrlOption, CommonFlags, ResourcesOption, profile_options
from pipelines.commands.values import check_window, instant_flag, parse_resources

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions
    from pipelines.runner.summary import RunSummary
    from sources.spruce.stats import RunStats

SinceOption = Annotated[datetime, typer.Option(
    "--since", parser=instant_flag, metavar="DATE",
    help="Start of the window: YYYY-MM-DD (midnight UTC) or an RFC 3339 time.")]
UntilOption = Annotated[datetime | None, typer.Option(
    "--until", parser=instant_flag, metavar="DATE",
    help="End of the window (exclusive); default: now.")]
FullRefreshOption = Annotated[list[str] | None, typer.Option(
    "--full-refresh", metavar="RESOURCE",
    help="Drop this resource's tables and cursor, then load it whole (repeatable).")]


@profile_options
def run(
    common: CommonFlags,
    resources: ResourcesOption = None,
    full_refresh: FullRefreshOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """One incremental sync: load what changed since the last successful run.

    Webhook events waiting in the inbox (`webhooks serve`) are applied first.
    """
    with command_session(common.json_output, common.debug) as masked:
        options = common.options(resources=parse_resources(resources or ()),
                                 full_refresh=parse_resources(full_refresh or ()))
        sync_and_report(options, api_token(masked), base_url, common.json_output,
                        apply_inbox_first=True)


@profile_options
def backfill(
    common: CommonFlags,
    since: SinceOption,
    until: UntilOption = None,
    resources: ResourcesOption = None,
    base_url: BaseUrlOption = None,
) -> None:
    """Re-load conversations and their items of a time window; the cursor stays put.

    The window selects conversations by their last message time; rows merge into the
    same tables as `run`, so a backfill never duplicates anything.
    """
    with command_session(common.json_output, common.debug) as masked:
        check_window(since, until)
        options = common.options(resources=parse_resources(resources or ()),
                                 backfill_since=since, backfill_until=until)
        sync_and_report(options, api_token(masked), base_url, common.json_output)


def sync_and_report(
    options: SyncOptions, token: str, base_url: str | None, json_output: bool,
    apply_inbox_first: bool = False,
) -> None:  # fmt: skip
    """Run the sync with live progress, then print its summary.

    ``apply_inbox_first``: merge the webhook inbox's pending events before the sync (under
    the same lock, taken twice), so that a sync's listing, the newer truth, loads last.
    The summary's ``webhooks`` says what was applied, when there was an inbox.
    """
    from pipelines.output.documents import print_summary
    from pipelines.runner.run import run_sync

    applied = _apply_inbox(options) if apply_inbox_first else None
    summary = with_progress(
        lambda stats: run_sync(options, api_token=token, base_url=base_url, stats=stats)
    ).to_dict()
    if applied is not None:
        summary["webhooks"] = applied
    print_summary(summary, json_output)


def _apply_inbox(options: SyncOptions) -> dict[str, object] | None:
    """The default inbox's events applied (its report), or None when there is no inbox."""
    from pipelines.webhooks.apply import apply_pending
    from pipelines.webhooks.server import inbox_path

    path = inbox_path(None)
    return apply_pending(options, path).to_dict() if path.exists() else None


def with_progress(sync: Callable[[RunStats], RunSummary]) -> RunSummary:
    """Run ``sync`` with its live counters shown while it works."""
    from pipelines.output.live import live_progress
    from sources.spruce.stats import RunStats

    stats = RunStats()
    with live_progress(stats):
        return sync(stats)
