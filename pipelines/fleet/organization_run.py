"""One organization's sync inside Dagster: the runner of ``spruce-sync run``, its failures
turned into what Dagster should do about them.

- an authentication or configuration failure: ``Failure(allow_retries=False)``, that
  organization's failure alone, never retried;
- a spent daily budget: ``RetryRequested`` after its ``resume_at`` (or, for
  ``spruce-sync fleet run``, a failure that says when to run again: a cron run should not
  hold its process for hours);
- an outage, an unreachable destination, a busy pipeline: ``Failure`` that the asset's
  retry policy retries with backoff.

The failure's description is the CLI's one-line message: it never holds a token or a
payload. Its metadata carries the exit code ``spruce-sync run`` would have returned.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from dagster import ConfigurableResource, Failure, MetadataValue, RetryRequested

from pipelines.fleet.fleet_file import Fleet, FleetOrganization, organization_token
from pipelines.runner.failures import ExitCode, classify
from pipelines.runner.summary import RunSummary
from pipelines.settings import FLEET_BUDGET_MARGIN_SECONDS, FLEET_BUDGET_RETRIES

# Retrying these cannot help: the input, the token or the code must change first. A spent
# budget is retried by RetryRequested (after resume_at), never by the backoff policy.
NOT_RETRIED = frozenset({
    ExitCode.AUTH, ExitCode.CONFIG, ExitCode.FAILURE, ExitCode.INTERRUPTED, ExitCode.RATE_BUDGET,
})


class FleetRunSettings(ConfigurableResource):  # type: ignore[type-arg]
    """How the fleet's runs behave. ``base_url``: the API's (None: dlt's
    ``sources.spruce.base_url``, else Spruce's). ``wait_for_budget``: retry a spent daily
    budget after its ``resume_at`` in the same run (a deployment) or fail at once and let
    the next scheduled run pick it up (``fleet run``)."""

    base_url: str | None = None
    wait_for_budget: bool = True


def sync_organization(
    fleet: Fleet, organization: FleetOrganization, settings: FleetRunSettings, retry_number: int
) -> RunSummary:
    """Run ``organization``'s sync with its own token, pipeline, dataset and rate budget,
    then refresh the fleet's union views (PostgreSQL)."""
    from pipelines.files import owner_only_files
    from pipelines.fleet.views import refresh_after_sync
    from pipelines.runner.interruptions import stop_at_safe_points
    from pipelines.runner.run import run_sync

    try:  # Dagster's own handler would raise a signal wherever it lands, even in a __del__
        with stop_at_safe_points(), owner_only_files():  # the warehouse holds PHI
            token = organization_token(organization.slug)
            summary = run_sync(organization.options, api_token=token, base_url=settings.base_url)
            refresh_after_sync(fleet, organization)
            return summary
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001  # each becomes Dagster's outcome
        raise dagster_outcome(error, settings, retry_number) from None


def dagster_outcome(
    error: BaseException, settings: FleetRunSettings, retry_number: int
) -> Failure | RetryRequested:
    """What Dagster should do about ``error``: retry (when, how often) or fail."""
    from pipelines.output.messages import error_message

    code, cause = classify(error)
    message = error_message(code, cause)
    resume_at = getattr(cause, "resume_at", None)
    waits = code is ExitCode.RATE_BUDGET and settings.wait_for_budget
    if waits and isinstance(resume_at, datetime) and retry_number < FLEET_BUDGET_RETRIES:
        return RetryRequested(FLEET_BUDGET_RETRIES, seconds_to_wait=_seconds_until(resume_at))
    metadata: dict[str, MetadataValue[Any]] = {"exit_code": MetadataValue.int(int(code))}
    if isinstance(resume_at, datetime):
        metadata["resume_at"] = MetadataValue.text(resume_at.isoformat())
    return Failure(message, metadata=metadata, allow_retries=code not in NOT_RETRIED)


def _seconds_until(moment: datetime) -> float:
    """From now to ``moment`` and a margin: ``resume_at`` is the client's reckoning of
    Spruce's window, whose clock and anchor may differ by a moment."""
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds()) + FLEET_BUDGET_MARGIN_SECONDS
