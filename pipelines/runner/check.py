"""`check_connection`: one cheap request to Spruce and one to the destination."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from pipelines.configuration.options import SyncOptions
from pipelines.files import owner_only_files
from pipelines.runner.destinations import build_target, location
from pipelines.runner.naming import named
from pipelines.runner.pipeline import build_pipeline, check_destination
from pipelines.runner.run import credentials
from sources.spruce import SourcePlan
from sources.spruce.run import check_organization


@dataclass(frozen=True)
class CheckReport:
    """What `check_connection` found; ``rate_limit`` is the budget from the headers."""

    organization_id: str
    organization_name: str
    rate_limit: dict[str, int | None]
    destination: str
    location: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_connection(
    options: SyncOptions, api_token: str | None = None, base_url: str | None = None
) -> CheckReport:
    """The token and base URL against Spruce (GET /organization), then the destination.

    ``api_token``/``base_url`` None: dlt resolves them, as for a run.
    """
    options = named(options)
    plan = SourcePlan.for_run(options, datetime.now(timezone.utc))
    organization = check_organization(plan, **credentials(api_token, base_url))
    target = build_target(options)
    with owner_only_files():  # opening a new DuckDB file creates it
        pipeline = build_pipeline(options, target)
        check_destination(pipeline)
    return CheckReport(
        organization_id=organization.organization_id,
        organization_name=organization.organization_name,
        rate_limit=organization.rate_limit,
        destination=options.destination,
        location=location(pipeline, target),
    )
