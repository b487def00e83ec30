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
from typing import Any

import pytest
import yaml

from pipelines.options import SyncOptions
from pipelines.summary import RunSummary
from pipelines.sync import run_sync
from simulator import Simulator, SimulatorSettings
from simulator.contract import Organization
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
DESTINATIONS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
_LOG_FORMAT = logging.Formatter("%(levelname)s %(name)s %(message)s")


@dataclass
class SyncHarness:
    """One pipeline, one warehouse and the simulator it syncs from."""

    simulator: Simulator
    root: Path
    destination: str = "duckdb"
    postgres_dsn: str | None = None
    scanner: LeakScanner | None = None
    defaults: dict[str, Any] = field(default_factory=dict)

    def options(self, **overrides: Any) -> SyncOptions:
        """The harness's options (its folders), changed by ``overrides``."""
        base = SyncOptions(
            destination=self.destination,  # type: ignore[arg-type]
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
        return self.root / "pipelines" / self.options().pipeline_name

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


def dlt_credentials(dsn: str) -> str:
    """The DSN as dlt accepts it: dlt requires a password, trust auth ignores it."""
    return dsn.replace("postgresql://postgres@", "postgresql://postgres:unused@", 1)


@pytest.fixture
def destination(request: pytest.FixtureRequest) -> str:
    """``duckdb`` unless a test parametrizes it (indirectly) with ``DESTINATIONS``."""
    return str(getattr(request, "param", "duckdb"))


@pytest.fixture
def leak_scanner() -> LeakScanner:
    return LeakScanner(secrets=(API_TOKEN,))


@pytest.fixture
def found_leaks() -> list[Leak]:
    """Leaks found by fixtures torn down before the final scan (e.g. stored state)."""
    return []


StartSimulator = Callable[..., Simulator]


@pytest.fixture
def start_simulator() -> Iterator[StartSimulator]:
    """Start tiny simulators with a request log: ``start(organization=None, **settings)``.

    ``organization`` wraps the seeded one (``simulator.contract.Organization``), for the
    scenarios the fault switches cannot express. Each simulator's ``request_log`` is a
    `RequestLog`; all are stopped at teardown.
    """
    started: list[Simulator] = []

    def start(wrap: Callable[[Organization], Organization] | None = None, **overrides: Any) -> Simulator:
        settings = replace(TINY, **overrides)
        simulator = Simulator(settings)
        if wrap is not None:
            simulator = Simulator(settings, organization=wrap(simulator.organization))
        simulator.request_log = RequestLog(simulator.app)  # type: ignore[attr-defined]
        simulator.app = simulator.request_log  # type: ignore[attr-defined]
        simulator.start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def tiny_simulator(start_simulator: StartSimulator) -> Simulator:
    """A tiny organization that accepts ``API_TOKEN``; no rate limit, no faults."""
    return start_simulator()


@pytest.fixture
def harness(
    request: pytest.FixtureRequest,
    destination: str,
    tiny_simulator: Simulator,
    tmp_path: Path,
    leak_scanner: LeakScanner,
    found_leaks: list[Leak],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[SyncHarness]:
    """A sync harness on the tiny simulator; its stored dlt state is scanned at the end."""
    dsn = None
    if destination == "postgres":
        dsn = request.getfixturevalue("postgres_dsn")
        monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS", dlt_credentials(dsn))
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
