"""Run the analysts' dbt models (``transform/``) on the destination a pipeline loaded.

Uses dbt's programmatic entry point (``dbtRunner``) in this process, on the dbt project
as the package ships it (``importlib.resources``; see ``pipelines.settings``). The
connection is handed to ``transform/profiles.yml`` through environment variables derived
from the dlt pipeline's own destination credentials, set only for the duration of the
run. dbt's compiled SQL, run results and logs go to ``<pipeline working dir>/dbt``: it
writes nothing into the project, which may sit in a read-only site-packages.
"""

from __future__ import annotations

import importlib.util
import logging
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import dlt

from pipelines.analytics.dictionary import describe_columns
from pipelines.analytics.questions import MODEL_QUESTIONS, AnalystAnswer, answer_questions
from pipelines.configuration.errors import ConfigError
from pipelines.environment import environment_set
from pipelines.settings import ANALYTICS_SCHEMA, TRANSFORM_PACKAGE

log = logging.getLogger(__name__)

DbtCommand = Literal["build", "run", "test"]
# dbt reads these; the first two keep its anonymous usage tracking off.
_QUIET_ENVIRONMENT = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
_PASSING = frozenset({"success", "pass", "warn"})


class TransformError(RuntimeError):
    """dbt could not run or some models or tests failed; the message names them."""


@dataclass(frozen=True)
class NodeOutcome:
    """One dbt node's result: a model built or a test run (no data, only counts)."""

    name: str
    kind: str
    status: str
    message: str


@dataclass(frozen=True)
class TransformResult:
    """What a dbt invocation did."""

    command: str
    outcomes: tuple[NodeOutcome, ...]
    analytics_schema: str

    @property
    def failures(self) -> tuple[NodeOutcome, ...]:
        """Models or tests that did not pass."""
        return tuple(outcome for outcome in self.outcomes if outcome.status not in _PASSING)

    def count(self, kind: str) -> int:
        """How many nodes of ``kind`` ("model", "test") ran."""
        return sum(1 for outcome in self.outcomes if outcome.kind == kind)


def run_transform(
    pipeline: dlt.Pipeline,
    command: DbtCommand = "build",
    analytics_schema: str = ANALYTICS_SCHEMA,
    select: str | None = None,
) -> TransformResult:
    """Build (models then their tests) into ``analytics_schema`` from the pipeline's dataset.

    The raw columns get their OpenAPI descriptions first (dlt schema and column comments).
    Raises ``ConfigError`` when dbt is not installed (before anything is written),
    ``TransformError`` when dbt cannot start or any model or test fails.
    """
    require_dbt()
    describe_columns(pipeline)
    environment = dbt_environment(pipeline, analytics_schema)
    work_dir = Path(pipeline.working_dir) / "dbt"
    selection = ["--select", select] if select else []
    with dbt_project() as project, environment_set({**_QUIET_ENVIRONMENT, **environment}):
        result = _invoke([command, *dbt_paths(project, work_dir), *selection])
    outcome = TransformResult(command, _outcomes(result), analytics_schema)
    if outcome.failures or not result.success:
        raise TransformError(_failure_message(outcome, work_dir))
    log.info("dbt %s: %d models, %d tests passed into %s", command,
             outcome.count("model"), outcome.count("test"), analytics_schema)
    return outcome


def analyst_answers(
    pipeline: dlt.Pipeline, analytics_schema: str = ANALYTICS_SCHEMA
) -> list[AnalystAnswer]:
    """The questions over the models answered from the built models."""
    with pipeline.sql_client() as client:

        def run_query(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
            with client.execute_query(sql) as cursor:
                return [column[0] for column in cursor.description], cursor.fetchall()

        return answer_questions(run_query, MODEL_QUESTIONS, pipeline.dataset_name,
                                analytics_schema)


def dbt_project() -> AbstractContextManager[Path]:
    """The folder of the shipped dbt project (``transform/``), on disk while in use.

    dbt reads a real folder: an installed package (pip unpacks wheels) and an editable one
    are already on disk, and ``as_file`` hands their folder over as it is.
    """
    return resources.as_file(resources.files(TRANSFORM_PACKAGE))


def dbt_paths(project: Path, work_dir: Path) -> list[str]:
    """dbt's project and profile from ``project``; its outputs under the pipeline's folder."""
    return ["--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
            "--quiet"]


def dbt_environment(pipeline: dlt.Pipeline, analytics_schema: str) -> dict[str, str]:
    """The variables ``transform/profiles.yml`` reads, for this pipeline's destination."""
    destination = pipeline.destination.destination_name
    credentials: Any = pipeline.destination_client().config.credentials
    common = {"SPRUCE_DBT_TARGET": destination, "SPRUCE_DATASET": pipeline.dataset_name,
              "SPRUCE_ANALYTICS_SCHEMA": analytics_schema}
    if destination == "duckdb":
        return {**common, "SPRUCE_DUCKDB_PATH": str(credentials.database)}
    if destination == "postgres":
        return {**common, **_postgres_environment(credentials)}
    raise TransformError(
        f"the analysts' models run on duckdb or postgres, not on {destination!r}: "
        f"choose one of those as the destination"
    )


def _postgres_environment(credentials: Any) -> dict[str, str]:
    return {
        "SPRUCE_PG_HOST": str(credentials.host),
        "SPRUCE_PG_PORT": str(credentials.port or 5432),
        "SPRUCE_PG_USER": str(credentials.username),
        "SPRUCE_PG_DATABASE": str(credentials.database),
        # dbt scrubs DBT_ENV_SECRET_* values from everything it logs.
        "DBT_ENV_SECRET_SPRUCE_PG_PASSWORD": str(credentials.password or ""),
    }


def require_dbt() -> None:
    """dbt is an install extra: without it the models are a setup step, not a failure."""
    if importlib.util.find_spec("dbt") is None or importlib.util.find_spec("dbt.cli") is None:
        raise ConfigError(
            "the analysts' models need dbt, which is not installed: pip install '.[dbt]'"
        )


def _invoke(arguments: list[str]) -> Any:
    from dbt.cli.main import dbtRunner

    try:
        result = dbtRunner().invoke(arguments)
    finally:
        _release_duckdb()
    if result.exception is not None:
        raise TransformError(f"dbt could not run: {result.exception}") from None
    return result


def _release_duckdb() -> None:
    """dbt-duckdb keeps the file open in this process after a run: close it, so that any
    later connection (a read-only one included) can open the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with suppress(Exception):  # raised when no DuckDB environment was ever opened
        DuckDBConnectionManager.env().close()  # type: ignore[no-untyped-call]
    DuckDBConnectionManager.close_all_connections()  # type: ignore[no-untyped-call]


def _outcomes(result: Any) -> tuple[NodeOutcome, ...]:
    nodes = getattr(result.result, "results", None) or []
    return tuple(
        NodeOutcome(node.node.name, str(node.node.resource_type), str(node.status),
                    str(node.message or ""))
        for node in nodes
    )


def _failure_message(result: TransformResult, work_dir: Path) -> str:
    failed = "; ".join(f"{outcome.kind} {outcome.name}: {outcome.status} ({outcome.message})"
                       for outcome in result.failures) or "see the log"
    return (f"dbt {result.command} failed: {failed}. Compiled SQL and logs are in {work_dir}; "
            f"fix the model or the data, then run `spruce-sync transform` again")
