"""`SpruceRun`: the source as a run of windows sees it, and the connection check.

The runner asks this module, never the client or the limiter: one rate budget and one
set of counters serve every window of a run; each window gets its own source, built from
a `WindowStart`, and yields a `WindowReport` once it ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

import dlt
from dlt.common.configuration.inject import with_config
from dlt.extract.source import DltSource
from typing_extensions import Self

from sources.spruce import settings, spruce_source
from sources.spruce.client import SpruceClient
from sources.spruce.phi import PhiPolicy
from sources.spruce.plan import SourcePlan, rate_budget
from sources.spruce.stats import RunStats
from sources.spruce.window import WindowContext, WindowReport, WindowStart


@dataclass(frozen=True)
class OrganizationCheck:
    """What one cheap request told of the organization and its rate-limit budget."""

    organization_id: str
    organization_name: str
    rate_limit: dict[str, int | None]


class SpruceRun:
    """The windows of one run over one organization (a context manager: closes clients).

    ``credentials`` are ``api_token`` and ``base_url`` as given; dlt resolves the missing
    ones. ``stats`` are live counters the caller may poll for progress (read-only to it).
    """

    def __init__(
        self, plan: SourcePlan, credentials: dict[str, str], stats: RunStats,
        phi_policy: PhiPolicy | None = None,
    ) -> None:
        self.plan = plan
        self.phi_policy = phi_policy
        self.credentials = credentials
        self.stats = stats
        self.budget = rate_budget(plan)
        self._window: WindowContext | None = None

    def source(self, start: WindowStart) -> DltSource:
        """The source of the next window (closing the previous window's client)."""
        self._close_window()
        self._window = WindowContext(start, self.stats)
        return spruce_source(options=self.plan, phi_policy=self.phi_policy, window=self._window,
                             budget=self.budget, **self.credentials)

    def report(self) -> WindowReport:
        """The last window's values, once it ran."""
        if self._window is None:
            raise RuntimeError("no window has run yet")
        return self._window.report()

    def _close_window(self) -> None:
        if self._window is not None:
            self._window.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._close_window()


@with_config(sections=("sources", "spruce"))
def check_organization(
    plan: SourcePlan,
    api_token: str = dlt.secrets.value,
    base_url: str = settings.DEFAULT_BASE_URL,
) -> OrganizationCheck:
    """One request (GET /organization): proves the token and the URL, reads the budget.

    ``api_token`` and ``base_url`` come from dlt's configuration unless given, as for
    ``spruce_source``.
    """
    budget = rate_budget(plan)
    with SpruceClient(api_token, base_url, budget, RunStats(), max_connections=1) as client:
        body: dict[str, Any] = client.get("/organization", {}, "organization")
    organization = body.get("organization") or {}
    return OrganizationCheck(
        organization_id=str(organization.get("id", "")),
        organization_name=str(organization.get("name", "")),
        rate_limit=budget.snapshot(),
    )
