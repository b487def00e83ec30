"""An in-process materialization read back as one organization's outcome: its rows per
table and figures, or its failure's message, exit code and ``resume_at``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from dagster import ExecuteInProcessResult
from dagster._core.events import DagsterEvent

from pipelines.runner.failures import ExitCode

SUCCEEDED = "succeeded"
FAILED = "failed"
NOT_STARTED = "not_started"  # the fleet run was stopped before this organization's turn


@dataclass(frozen=True)
class OrganizationOutcome:
    """One organization's run, as one line of ``fleet run``'s output."""

    organization: str
    status: str
    exit_code: int
    error: str | None = None
    resume_at: str | None = None
    rows_per_table: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    # fleet demo only: its tables against the simulator's ground truth
    ground_truth: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

# The order a fleet's exit code is chosen in: what needs a person first (an interruption, a
# bug, a bad file, a revoked token), then what an operator may fix, then what passes by
# itself (a busy pipeline, a spent budget).
WORST_FIRST = (
    ExitCode.INTERRUPTED, ExitCode.FAILURE, ExitCode.CONFIG, ExitCode.AUTH,
    ExitCode.DESTINATION, ExitCode.API_UNAVAILABLE, ExitCode.BUSY, ExitCode.RATE_BUDGET,
)


def worst_exit_code(codes: list[int]) -> int:
    """The fleet's exit code: 0 when every organization succeeded, else the worst one's."""
    failed = set(codes) - {int(ExitCode.SUCCESS)}
    return next((int(code) for code in WORST_FIRST if int(code) in failed), max(failed, default=0))


# The figures every table's materialization carries (the run's, not the table's).
RUN_FIGURES = ("requests", "throttled", "rate_limit_wait_s", "completeness_gaps", "windows",
               "sync_duration_s", "location", "dataset")  # fmt: skip


def outcome_of(slug: str, result: ExecuteInProcessResult, duration_s: float) -> OrganizationOutcome:
    """What ``result`` says of ``slug``'s run."""
    if result.success:
        rows, figures = _materialized(result)
        return OrganizationOutcome(slug, SUCCEEDED, int(ExitCode.SUCCESS), rows_per_table=rows,
                                   figures=figures, duration_s=round(duration_s, 2))  # fmt: skip
    failures = result.get_step_failure_events()
    return _failed(slug, failures[-1] if failures else None, duration_s)


def _materialized(result: ExecuteInProcessResult) -> tuple[dict[str, int], dict[str, Any]]:
    rows: dict[str, int] = {}
    figures: dict[str, Any] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        metadata = {key: value.value for key, value in materialization.metadata.items()}
        loaded = metadata.get("rows_loaded", 0)
        rows[materialization.asset_key.path[-1]] = loaded if isinstance(loaded, int) else 0
        figures = {name: metadata[name] for name in RUN_FIGURES if name in metadata}
    return rows, figures


def _failed(slug: str, failure: DagsterEvent | None, duration_s: float) -> OrganizationOutcome:
    data = failure.step_failure_data if failure is not None else None
    user = data.user_failure_data if data is not None else None
    if user is None:  # not one of ours: an error in Dagster or a bug; its class name only
        name = data.error.cls_name if data is not None and data.error is not None else "unknown"
        return OrganizationOutcome(slug, FAILED, int(ExitCode.FAILURE),
                                   error=f"the run failed: {name}", duration_s=round(duration_s, 2))  # fmt: skip
    metadata = {key: value.value for key, value in (user.metadata or {}).items()}
    code = metadata.get("exit_code", int(ExitCode.FAILURE))
    resume_at = metadata.get("resume_at")
    return OrganizationOutcome(
        slug, FAILED, int(code) if isinstance(code, int) else int(ExitCode.FAILURE),
        error=user.description, resume_at=str(resume_at) if resume_at else None,
        duration_s=round(duration_s, 2),
    )


def not_started(slug: str) -> OrganizationOutcome:
    """An organization a stopped fleet run never started: nothing of it ran."""
    return OrganizationOutcome(slug, NOT_STARTED, int(ExitCode.INTERRUPTED),
                               error="not started: the fleet run was stopped first")  # fmt: skip


def interrupted(slug: str) -> OrganizationOutcome:
    """An organization whose worker a stopped fleet run ended before it reported."""
    return OrganizationOutcome(slug, FAILED, int(ExitCode.INTERRUPTED),
                               error="interrupted: the fleet run was stopped")  # fmt: skip


def worker_lost(slug: str) -> OrganizationOutcome:
    """An organization whose worker process pool broke: a worker died (killed, out of
    memory), its own or another's, taking every running organization of the pool with it."""
    return OrganizationOutcome(
        slug, FAILED, int(ExitCode.FAILURE),
        error="its worker process ended abruptly (killed, or out of memory?), its own or "
              "another organization's of the same pool; the next run resumes it",
    )
