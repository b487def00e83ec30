"""The reliability matrix's shared parts: a sync harness and the leak scan every test gets.

``harness`` runs ``run_sync`` in-process against a tiny simulator over real HTTP, into a
real DuckDB file (or PostgreSQL with ``destination="postgres"``), and compares the
warehouse with the simulator's ground truth. ``scan_for_leaks`` is autouse: after every
test it searches the test's output, log records, files and stored dlt state for the API
token and for patient data (row 29).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml

from pipelines.configuration.options import SyncOptions, pipeline_name_of
from pipelines.runner.run import run_sync
from pipelines.runner.summary import RunSummary
from simulator import FaultKind, FaultSchedule, FaultSettings, Simulator, SimulatorSettings
from simulator.contract import Organization
from tests.fixtures.destinations import DestinationName
from tests.fixtures.postgres import with_password
from tests.fixtures.retries import duration_text
from tests.fixtures.simulator import ServeSimulator
from tests.reliability.leaks import Leak, LeakScanner
from tests.reliability.processes import SyncProcess
from tests.reliability.request_log import RequestLog
from tests.reliability.warehouse import (
    DuckDBWarehouse,
    PostgresWarehouse,
    Warehouse,
    differences,
)

# Distinctive, so that a hit in a scan can only be this token.
API_TOKEN = f"rel-token-{secrets.token_hex(12)}"
TINY = SimulatorSettings(seed=11, scale="tiny", tokens=(API_TOKEN,))
# Not the default ``spruce.duckdb``: a file named like the dataset makes DuckDB's
# references ambiguous (catalog "spruce" vs schema "spruce"); reported to the lead.
DUCKDB_FILE = "warehouse.duckdb"
_LOG_FORMAT = logging.Formatter("%(levelname)s %(name)s %(message)s")


class LoggedSimulator(Simulator):
    """A simulator whose every API request is recorded in ``request_log``."""

    def __init__(self, settings: SimulatorSettings, organization: Organization | None) -> None:
        super().__init__(settings, organization=organization)
        # In front of the whole app, Starlette's error handling included, so that every
        # answer is logged with its status. Starlette builds this stack at its first request
        # unless it is set before.
        self.request_log = RequestLog(self.app.build_middleware_stack())
        self.app.middleware_stack = self.request_log


def schedule(fault: FaultKind, operation: str, count: int = 1) -> FaultSettings:
    """Faults that answer the next ``count`` requests to ``operation`` with ``fault``."""
    return FaultSettings(schedules=(FaultSchedule(fault, count, operation),))


@dataclass
class SyncHarness:
    """One pipeline, one warehouse and the simulator it syncs from."""

    simulator: LoggedSimulator
    root: Path
    destination: DestinationName = "duckdb"
    postgres_dsn: str | None = None
    scanner: LeakScanner | None = None
    defaults: dict[str, Any] = field(default_factory=dict)

    def options(self, **overrides: Any) -> SyncOptions:
        """The harness's options (its folders), changed by ``overrides``."""
        base = SyncOptions(
            destination=self.destination,
            pipelines_dir=self.root / "pipelines",
            duckdb_path=self.root / DUCKDB_FILE,
        )
        return replace(base, **{**self.defaults, **overrides})

    def run(self, base_url: str | None = None, **overrides: Any) -> RunSummary:
        """One sync (against the simulator unless ``base_url``); raises what it raises."""
        options = self.options(**overrides)
        return run_sync(options, api_token=API_TOKEN, base_url=base_url or self.base_url)

    def fail(self, base_url: str | None = None, **overrides: Any) -> BaseException:
        """One sync that must fail; returns its error."""
        with pytest.raises(Exception) as failure:
            self.run(base_url, **overrides)
        return failure.value

    @property
    def base_url(self) -> str:
        return self.simulator.base_url

    @property
    def pipeline_dir(self) -> Path:
        return self.root / "pipelines" / pipeline_name_of(self.options())

    @property
    def warehouse(self) -> Warehouse:
        if self.destination == "postgres":
            assert self.postgres_dsn is not None
            return PostgresWarehouse(self.postgres_dsn, self.options().dataset_name)
        return DuckDBWarehouse(self.root / DUCKDB_FILE, self.options().dataset_name)

    def differences(self, ignore_columns: tuple[str, ...] = ()) -> list[str]:
        """How the warehouse differs from the simulator's ground truth now ([] = equal)."""
        truth = self.simulator.ground_truth()
        if self.scanner is not None:
            self.scanner.learn_patient_values(truth)
        return differences(self.warehouse, truth, ignore_columns)

    def cli(self, *args: str, name: str = "sync", token: str = API_TOKEN, **env: str) -> SyncProcess:
        """``spruce-sync <args>`` as a process on this harness's folders, not started yet.

        The token and base URL travel as dlt's environment variables, as in production.
        """
        self._write_profile()
        variables = {
            "SOURCES__SPRUCE__API_TOKEN": token,
            "SOURCES__SPRUCE__BASE_URL": self.base_url,
            "SPRUCE_SYNC_CONFIG": str(self.root / "config"),
            **env,
        }
        return SyncProcess(args, variables, self.root, name)

    def _write_profile(self) -> None:
        options = self.options()
        profile = {
            "destination": options.destination,
            "duckdb_path": str(options.duckdb_path),
            "pipelines_dir": str(options.pipelines_dir),
            "settle": f"{int(options.settle.total_seconds())}s",
            "page_sizes": dict(options.page_sizes),
            "retry_initial_wait": duration_text(options.retry_initial_wait),
            "retry_max_wait": duration_text(options.retry_max_wait),
        }
        (self.root / "config").mkdir(exist_ok=True)
        document = {"profiles": {"default": profile}}
        (self.root / "config" / "reliability.yaml").write_text(yaml.safe_dump(document))

    def load_ids(self) -> list[str]:
        """Load ids recorded in ``_dlt_loads`` (one row per committed package)."""
        if "_dlt_loads" not in self.warehouse.tables():
            return []
        return sorted(str(row["load_id"]) for row in self.warehouse.rows("_dlt_loads"))

    def stored_states(self) -> list[Any]:
        """Every pipeline state row committed to the destination, oldest first."""
        if "_dlt_pipeline_state" not in self.warehouse.tables():
            return []
        rows = self.warehouse.rows("_dlt_pipeline_state")
        return [row["state"] for row in sorted(rows, key=lambda row: row["version"])]


@pytest.fixture
def destination(request: pytest.FixtureRequest) -> DestinationName:
    """``duckdb`` unless a test parametrizes it (indirectly) with ``DESTINATIONS``."""
    name: DestinationName = getattr(request, "param", "duckdb")
    return name


@pytest.fixture
def leak_scanner() -> LeakScanner:
    return LeakScanner(secrets=(API_TOKEN,))


@pytest.fixture
def found_leaks() -> list[Leak]:
    """Leaks found by fixtures torn down before the final scan (e.g. stored state)."""
    return []


class StartSimulator(Protocol):
    """``start(wrap=None, **overrides)``: a running tiny simulator with a request log.

    ``overrides`` are fields of ``SimulatorSettings`` changed on ``TINY``; ``wrap`` wraps
    the seeded organization (``simulator.contract.Organization``), for the scenarios the
    fault switches cannot express.
    """

    def __call__(
        self, wrap: Callable[[Organization], Organization] | None = None, **overrides: Any
    ) -> LoggedSimulator: ...


@pytest.fixture
def start_simulator(serve_simulator: ServeSimulator) -> StartSimulator:
    """Start tiny simulators with a request log; all are stopped at teardown."""

    def start(
        wrap: Callable[[Organization], Organization] | None = None, **overrides: Any
    ) -> LoggedSimulator:
        settings = replace(TINY, **overrides)
        organization = None if wrap is None else wrap(Simulator(settings).organization)
        return serve_simulator(LoggedSimulator(settings, organization))

    return start


@pytest.fixture
def tiny_simulator(start_simulator: StartSimulator) -> LoggedSimulator:
    """A tiny organization that accepts ``API_TOKEN``; the default rate budget, no faults."""
    return start_simulator()


@pytest.fixture
def harness(
    request: pytest.FixtureRequest,
    destination: DestinationName,
    tiny_simulator: LoggedSimulator,
    tmp_path: Path,
    leak_scanner: LeakScanner,
    found_leaks: list[Leak],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[SyncHarness]:
    """A sync harness on the tiny simulator; its stored dlt state is scanned at the end."""
    dsn: str | None = None
    if destination == "postgres":
        dsn = request.getfixturevalue("postgres_dsn")
        monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", with_password(dsn))
    leak_scanner.learn_patient_values(tiny_simulator.ground_truth())
    harness = SyncHarness(tiny_simulator, tmp_path, destination, dsn, leak_scanner)
    yield harness
    found_leaks.extend(leak_scanner.scan_stored_state(harness.warehouse))


@pytest.fixture(autouse=True)
def scan_for_leaks(
    leak_scanner: LeakScanner,
    found_leaks: list[Leak],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Iterator[None]:
    """Row 29: after the test, no token and no patient data in anything it left behind."""
    caplog.set_level(logging.DEBUG)
    yield
    out, err = capfd.readouterr()
    records = caplog.get_records("setup") + caplog.get_records("call")
    log_text = "\n".join(_LOG_FORMAT.format(record) for record in records)
    leaks = [*found_leaks, *leak_scanner.scan_text("captured stdout", out)]
    leaks += leak_scanner.scan_text("captured stderr", err)
    leaks += leak_scanner.scan_text("log records", log_text)
    leaks += leak_scanner.scan_tree(tmp_path)
    assert not leaks, "leaks: " + "; ".join(str(leak) for leak in leaks)
