"""``spruce-sync status`` and ``check``: what is loaded, and whether a run could start."""

from __future__ import annotations

from pipelines.commands.reporting import command_session
from pipelines.commands.secrets import api_token
from pipelines.commands.shared import BaseUrlOption, CommonFlags, profile_options


@profile_options
def status(common: CommonFlags) -> None:
    """Per resource: its cursor, the last successful load, rows per table, the next run."""
    with command_session(common.json_output, common.debug):
        from pipelines.output.documents import print_report
        from pipelines.runner.status import pipeline_status

        report = pipeline_status(common.options())
        print_report("status", report.to_dict(), common.json_output)


@profile_options
def check(common: CommonFlags, base_url: BaseUrlOption = None) -> None:
    """Check the token, the base URL and the destination with one cheap request each.

    Also prints the organization's rate-limit budget as Spruce reports it.
    """
    with command_session(common.json_output, common.debug) as masked:
        from pipelines.output.documents import print_report
        from pipelines.runner.check import check_connection

        options = common.options()
        report = check_connection(options, api_token=api_token(masked), base_url=base_url)
        print_report("check", report.to_dict(), common.json_output)
