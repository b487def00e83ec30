"""Every exit code the README documents, as a scheduler meets it.

One table, one scenario per way of ending: each runs ``spruce-sync`` in its own process
against a real simulator over HTTP, into a real DuckDB file or the PostgreSQL server at
127.0.0.1:5432, and must end with its code and one line on stderr that names what to fix,
without the token, a password or a traceback.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from pipelines.runner.failures import ExitCode
from pipelines.runner.lock import pipeline_lock
from simulator import FaultSchedule, FaultSettings, RateLimitSettings, Simulator
from tests.cli.conftest import (
    COMMAND_TIMEOUT_S,
    DEFAULT_PROFILE,
    SECRET_TOKEN,
    CliResult,
    SpruceSync,
    assert_no_leak,
    closed_port,
)
from tests.fixtures.postgres import with_password
from tests.fixtures.simulator import TEST_SETTINGS, TEST_TOKEN, SimulatorFactory
from tests.reliability.processes import SyncProcess

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"
# The organization every scenario syncs from: tiny, and it accepts the token no output may show.
TINY = replace(TEST_SETTINGS, scale="tiny", tokens=(SECRET_TOKEN,))
# A Postgres password no output may show either.
PG_PASSWORD = "pg-secret-pw"
# The scenarios' profile: dlt's folder in the project (to take its lock), and a failing
# request retried twice within two seconds, so that giving up (code 7) is quick.
PROFILE = DEFAULT_PROFILE + (
    "    pipelines_dir: pipelines\n"
    "    retry_initial_wait: 0.05s\n    retry_total: 2s\n    retry_attempts: 2\n"
)
PIPELINE_NAME = "spruce_sync"
# Every answer this late, so that a run is still going when it is signalled...
SLOW_ANSWERS = FaultSettings(latency_seconds=0.2)
# ...once the simulator has answered this many requests.
REQUESTS_BEFORE_SIGTERM = 3
# Holds a DuckDB file open, as an analyst's session does, until its stdin closes.
HOLD_DUCKDB = (
    "import duckdb, sys; connection = duckdb.connect(sys.argv[1]); "
    "print('open', flush=True); sys.stdin.read()"
)


@dataclass(frozen=True)
class Invocation:
    """A command line and its environment; with ``interrupt``, SIGTERM it once that
    simulator has answered a few requests."""

    args: tuple[str, ...]
    env: dict[str, str]
    interrupt: Simulator | None = None


@dataclass(frozen=True)
class Stage:
    """One scenario's world: its project folder, simulators, and what it holds open
    until the end of the test (a lock, a DuckDB file)."""

    project: Path
    write_config: Callable[[str], Path]
    simulator_factory: SimulatorFactory
    request: pytest.FixtureRequest
    held: ExitStack

    def simulator(self, **overrides: Any) -> Simulator:
        """A running tiny simulator; ``overrides`` are fields of ``SimulatorSettings``."""
        return self.simulator_factory(TINY, **overrides)

    def command(
        self, *args: str, base_url: str | None = None, token: str | None = SECRET_TOKEN,
        **env: str,
    ) -> Invocation:  # fmt: skip
        """``spruce-sync args`` with the token and the base URL (default: a healthy
        simulator's) in dlt's environment variables, as in production."""
        spruce = {"SOURCES__SPRUCE__BASE_URL": base_url or self.simulator().base_url}
        if token is not None:
            spruce["SOURCES__SPRUCE__API_TOKEN"] = token
        return Invocation(args, {**spruce, **env})

    def postgres_dsn(self) -> str:
        """A DSN (without password) to a fresh database, dropped after the test."""
        return str(self.request.getfixturevalue("postgres_dsn"))


Arrange = Callable[[Stage], Invocation]


@dataclass(frozen=True)
class Scenario:
    """How to get there, the code it must end with, and what its one line must say
    (on stdout for a success, which prints no error line)."""

    arrange: Arrange
    code: ExitCode
    says: tuple[str, ...]


def scenario(
    name: str, arrange: Arrange, code: ExitCode, *says: str, postgres: bool = False
) -> Any:  # pytest.param's ParameterSet, which pytest does not export
    marks = [pytest.mark.postgres] if postgres else []
    return pytest.param(Scenario(arrange, code, says), id=f"{int(code)}-{name}", marks=marks)


def healthy_run(stage: Stage) -> Invocation:
    return stage.command("run")


def run_into_postgres(stage: Stage) -> Invocation:
    dsn = with_password(stage.postgres_dsn(), PG_PASSWORD)
    return stage.command("run", "--destination", "postgres", DESTINATION__POSTGRES__CREDENTIALS=dsn)


def api_rejects_a_request(stage: Stage) -> Invocation:
    # A 400 (echoing a patient's data in its body, which must not be shown) is not retried.
    bad_request = FaultSchedule("leak-error", 1, "ListConversations")
    api = stage.simulator(faults=FaultSettings(schedules=(bad_request,)))
    return stage.command("run", base_url=api.base_url)


def configured(yaml_text: str) -> Arrange:
    def arrange(stage: Stage) -> Invocation:
        stage.write_config(yaml_text)
        return stage.command("run")

    return arrange


def malformed_secrets_toml(stage: Stage) -> Invocation:
    (stage.project / ".dlt").mkdir()
    broken = f'[sources.spruce]\napi_token = "{SECRET_TOKEN}"\n[destination.postgres\n'
    (stage.project / ".dlt" / "secrets.toml").write_text(broken, encoding="utf-8")
    return stage.command("run")


def postgres_without_credentials(stage: Stage) -> Invocation:
    return stage.command("run", "--destination", "postgres")


def postgres_dsn_without_password(stage: Stage) -> Invocation:
    dsn = without_password(stage.postgres_dsn())
    return stage.command("run", "--destination", "postgres", DESTINATION__POSTGRES__CREDENTIALS=dsn)


def duckdb_path_under_a_regular_file(stage: Stage) -> Invocation:
    (stage.project / "notes.txt").write_text("not a folder\n", encoding="utf-8")
    return stage.command("run", "--duckdb-path", "notes.txt/warehouse.duckdb")


def flags(*args: str) -> Arrange:
    def arrange(stage: Stage) -> Invocation:
        return stage.command(*args)

    return arrange


def no_token(stage: Stage) -> Invocation:
    return stage.command("run", token=None)


def wrong_token(stage: Stage) -> Invocation:
    api = stage.simulator(tokens=(TEST_TOKEN,))
    return stage.command("run", base_url=api.base_url)


def postgres_on_a_closed_port(stage: Stage) -> Invocation:
    dsn = f"postgresql://loader:{PG_PASSWORD}@127.0.0.1:{closed_port()}/warehouse"
    return stage.command("run", "--destination", "postgres", DESTINATION__POSTGRES__CREDENTIALS=dsn)


def duckdb_file_held_by_another_process(stage: Stage) -> Invocation:
    stage.held.enter_context(held_open(stage.project / "spruce_sync.duckdb"))
    return stage.command("run")


def daily_budget_spent(stage: Stage) -> Invocation:
    api = stage.simulator(rate_limit=RateLimitSettings(limit=10_000, daily_limit=5))
    return stage.command("run", base_url=api.base_url)


def another_run_in_progress(stage: Stage) -> Invocation:
    stage.held.enter_context(pipeline_lock(stage.project / "pipelines", PIPELINE_NAME))
    return stage.command("run")


def api_on_a_closed_port(stage: Stage) -> Invocation:
    return stage.command("run", base_url=f"http://127.0.0.1:{closed_port()}/v1")


def api_answers_500(stage: Stage) -> Invocation:
    api = stage.simulator(faults=FaultSettings(probabilities={"*": {"500": 1.0}}))
    return stage.command("run", base_url=api.base_url)


def sigterm_during_a_run(stage: Stage) -> Invocation:
    api = stage.simulator(faults=SLOW_ANSWERS)
    return replace(stage.command("run", base_url=api.base_url), interrupt=api)


SCENARIOS = [
    scenario("synced-into-duckdb", healthy_run, ExitCode.SUCCESS, "sync finished in"),
    scenario("synced-into-postgres", run_into_postgres, ExitCode.SUCCESS, "sync finished in",
             postgres=True),
    scenario("api-answers-400", api_rejects_a_request, ExitCode.FAILURE,
             "Spruce answered 400", "/conversations"),
    scenario("broken-yaml", configured(PROFILE + "    concurrency: [4\n"), ExitCode.CONFIG,
             "spruce-sync.yaml", "not valid YAML"),
    scenario("unknown-yaml-key", configured(PROFILE + "    concurrncy: 4\n"), ExitCode.CONFIG,
             "profiles.default.concurrncy", "unknown key"),
    scenario("malformed-secrets-toml", malformed_secrets_toml, ExitCode.CONFIG,
             "secrets.toml is not valid TOML"),
    scenario("postgres-credentials-missing", postgres_without_credentials, ExitCode.CONFIG,
             "DESTINATION__POSTGRES__CREDENTIALS"),
    scenario("postgres-dsn-without-password", postgres_dsn_without_password, ExitCode.CONFIG,
             "DESTINATION__POSTGRES__CREDENTIALS", "password", postgres=True),
    scenario("duckdb-path-under-a-file", duckdb_path_under_a_regular_file, ExitCode.CONFIG,
             "notes.txt", "duckdb_path"),
    scenario("since-is-not-a-date", flags("backfill", "--since", "yesterday"), ExitCode.CONFIG,
             "--since", "'yesterday' is not a date"),
    scenario("unknown-destination", flags("run", "--destination", "snowflake"), ExitCode.CONFIG,
             "--destination", "'snowflake'"),
    scenario("no-token", no_token, ExitCode.CONFIG,
             "no Spruce API token", "SOURCES__SPRUCE__API_TOKEN"),
    scenario("wrong-token", wrong_token, ExitCode.AUTH,
             "authentication failed", "SOURCES__SPRUCE__API_TOKEN"),
    scenario("postgres-on-a-closed-port", postgres_on_a_closed_port, ExitCode.DESTINATION,
             "destination unreachable", "DESTINATION__POSTGRES__CREDENTIALS"),
    scenario("duckdb-file-held", duckdb_file_held_by_another_process, ExitCode.DESTINATION,
             "spruce_sync.duckdb", "other process"),
    scenario("daily-budget-spent", daily_budget_spent, ExitCode.RATE_BUDGET,
             "rate budget exhausted", "Run again after"),
    scenario("pipeline-locked", another_run_in_progress, ExitCode.BUSY,
             f"Another run of pipeline '{PIPELINE_NAME}' is in progress"),
    scenario("api-connection-refused", api_on_a_closed_port, ExitCode.API_UNAVAILABLE,
             "127.0.0.1", "Connection refused", "retry later"),
    scenario("api-answers-500", api_answers_500, ExitCode.API_UNAVAILABLE,
             "127.0.0.1", "answered 500", "retry later"),
    scenario("sigterm", sigterm_during_a_run, ExitCode.INTERRUPTED, "interrupted", "next run resumes"),
]  # fmt: skip


@pytest.fixture
def stage(
    project: Path,
    write_config: Callable[[str], Path],
    simulator_factory: SimulatorFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Stage]:
    """The test's project with `PROFILE`; what a scenario holds is released at the end."""
    write_config(PROFILE)
    with ExitStack() as held:
        yield Stage(project, write_config, simulator_factory, request, held)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_command_ends_with_its_documented_code_and_one_line_saying_what_to_fix(
    stage: Stage, spruce_sync_process: SpruceSync, scenario: Scenario
) -> None:
    invocation = scenario.arrange(stage)

    if invocation.interrupt is None:
        result = spruce_sync_process(*invocation.args, env=invocation.env)
    else:
        result = interrupted(invocation, invocation.interrupt, stage.project)

    assert result.exit_code == scenario.code, result.output
    messages = error_lines(result.stderr)
    if scenario.code is ExitCode.SUCCESS:
        assert messages == [], result.stderr
        assert all(fragment in result.stdout for fragment in scenario.says), result.stdout
    else:
        assert len(messages) == 1, result.stderr
        assert all(fragment in messages[0] for fragment in scenario.says), messages[0]
    assert_no_leak(result, SECRET_TOKEN, PG_PASSWORD)


def test_the_table_covers_every_exit_code_the_readme_documents() -> None:
    section = README.read_text(encoding="utf-8").split("\n## Exit codes\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    tested = {param.values[0].code for param in SCENARIOS}
    assert documented == tested == set(ExitCode)


def error_lines(stderr: str) -> list[str]:
    """The failure's line(s): ours (``error (N): ...``) or click's for a bad flag."""
    return [line for line in stderr.splitlines() if line.startswith(("error (", "Error: "))]


def interrupted(invocation: Invocation, api: Simulator, cwd: Path) -> CliResult:
    """Start the command, SIGTERM it once ``api`` has answered a few requests, wait."""
    process = SyncProcess(invocation.args, invocation.env, cwd, name="interrupted").start()
    busy = process.wait_until(lambda: api.counters().total_requests >= REQUESTS_BEFORE_SIGTERM)
    assert busy, f"the run ended before it was signalled:\n{process.output()}"
    process.send(signal.SIGTERM)
    code = process.wait(COMMAND_TIMEOUT_S)
    streams = (path.read_text(errors="replace") for path in (process.stdout_path,
                                                               process.stderr_path))
    return CliResult(code, *streams)


@contextmanager
def held_open(database: Path) -> Iterator[None]:
    """``database`` open in another process (DuckDB lets one process write a file)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_DUCKDB, str(database)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        yield
    finally:
        holder.communicate(timeout=COMMAND_TIMEOUT_S)  # closes its stdin: it exits


def without_password(dsn: str) -> str:
    """``dsn`` as a user who forgot the password writes it."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", "@")))
