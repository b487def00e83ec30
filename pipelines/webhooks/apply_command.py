"""What ``spruce-sync webhooks apply`` does: an optional catch-up, then the apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.configuration.errors import ConfigError
from pipelines.configuration.options import SyncOptions
from pipelines.webhooks.apply import apply_pending
from pipelines.webhooks.catchup import catch_up


def apply_webhooks(
    options: SyncOptions, inbox_path: Path, organization: str, with_catch_up: bool,
    credentials: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    """The command's report: ``catch_up`` (when asked) and ``applied``. The catch-up
    needs the profile's ``webhook_endpoint_id`` and the API token (``credentials``)."""
    report: dict[str, Any] = {"inbox": str(inbox_path), "organization": organization}
    if with_catch_up:
        if not options.webhook_endpoint_id:
            raise ConfigError(
                "--catch-up reads the webhook endpoint's event log: set webhook_endpoint_id"
                " in the profile (the id Spruce returned when the endpoint was created)"
            )
        report["catch_up"] = catch_up(options, inbox_path, options.webhook_endpoint_id,
                                      organization, credentials).to_dict()
    report["applied"] = apply_pending(options, inbox_path, organization).to_dict()
    return report
