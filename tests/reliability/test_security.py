"""Rows 11, 12, 27, 28, 29 and the "also" list: tokens, error bodies, transport security,
telemetry, and the files that hold patient data (owner-only, not kept after a load)."""

from __future__ import annotations

import http.server
import logging
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from pipelines.runner.failures import ExitCode, classify
from simulator import FaultKind, FaultSettings, Simulator
from sources.spruce.exceptions import (
    InsecureBaseUrl,
    SpruceApiError,
    SpruceAuthError,
    UntrustedCertificate,
)
from tests.fixtures.destinations import DESTINATIONS
from tests.fixtures.retries import FAST_RETRIES
from tests.reliability.conftest import SyncHarness, schedule
from tests.reliability.leaks import holds_data
from tests.reliability.warehouse import data_tables


def test_row11_a_wrong_token_exits_with_the_auth_code_after_one_request(
    harness: SyncHarness,
) -> None:
    process = harness.cli("run", token="wrong-token-of-another-practice").start()

    assert process.wait() == ExitCode.AUTH, process.output()
    assert harness.simulator.counters().total_requests == 1
    assert "token" in process.output().lower()
    assert data_tables(harness.warehouse) == set()


@pytest.mark.parametrize("destination", DESTINATIONS, indirect=True)
def test_row12_a_token_revoked_mid_run_commits_nothing(harness: SyncHarness) -> None:
    harness.simulator.set_faults(FaultSettings(revoke_after=3))

    error = harness.fail(page_sizes={"ListConversations": 5, "ListContacts": 10})

    assert isinstance(error, SpruceAuthError) and classify(error)[0] == ExitCode.AUTH
    assert harness.load_ids() == [] and data_tables(harness.warehouse) == set()
    harness.simulator.set_faults(FaultSettings())
    harness.run()
    assert harness.differences() == []


def test_row27_an_error_body_echoing_patient_data_is_logged_without_it(
    harness: SyncHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """The leak scan after the test proves the absence; this proves what is logged."""
    harness.simulator.set_faults(schedule("leak-error", "ListConversations"))

    error = harness.fail()

    assert isinstance(error, SpruceApiError) and error.status == 400
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("400" in m and error.error_type in m and str(error.request_id) in m for m in errors)


def test_row27_the_cli_reports_such_an_error_without_the_body(harness: SyncHarness) -> None:
    harness.simulator.set_faults(schedule("leak-error", "ListConversations"))

    process = harness.cli("run").start()

    assert process.wait() == ExitCode.FAILURE
    assert "400" in process.output()


@pytest.mark.parametrize("fault", [None, "leak-error", "500"])
def test_row29_a_debug_level_cli_run_leaks_nothing(
    harness: SyncHarness, fault: FaultKind | None
) -> None:
    """--debug logs everything and prints tracebacks; the leak scan reads all of it."""
    if fault is not None:
        harness.simulator.set_faults(schedule(fault, "ListConversations", 10))
    harness.defaults.update(FAST_RETRIES)  # the 500s are retried: short waits, same log

    process = harness.cli("run", "--debug").start()

    assert (process.wait() == ExitCode.SUCCESS) == (fault is None), process.output()
    assert " DEBUG sources.spruce" in process.output()


@pytest.mark.parametrize(
    "base_url", ["http://spruce-proxy.internal/v1", "http://10.1.2.3:8080/v1"]
)
def test_row28_plain_http_to_a_remote_host_is_refused_before_any_request(
    harness: SyncHarness, base_url: str
) -> None:
    error = harness.fail(base_url=base_url)

    assert isinstance(error, InsecureBaseUrl) and classify(error)[0] == ExitCode.CONFIG
    process = harness.cli("run", "--base-url", base_url).start()
    assert process.wait() == ExitCode.CONFIG and "https" in process.output()


def test_row28_a_bad_tls_certificate_is_refused_without_fallback(
    harness: SyncHarness, self_signed_simulator: str
) -> None:
    error = harness.fail(base_url=self_signed_simulator)

    assert isinstance(error, UntrustedCertificate), "a certificate failure is fatal, not retried"
    assert "certificate could not be verified" in str(error)
    assert classify(error)[0] == ExitCode.CONFIG
    assert harness.simulator.request_log.arrivals == 0, "no request may pass the handshake"
    assert data_tables(harness.warehouse) == set()


def test_no_copy_of_loaded_patient_data_stays_in_the_pipeline_folder(harness: SyncHarness) -> None:
    """README: load packages (a copy of the PHI) are deleted after a successful load."""
    harness.run()

    leftovers = [p for p in harness.pipeline_dir.rglob("*") if p.is_file() and holds_data(p)]
    assert leftovers == []


@pytest.mark.parametrize("setting", [None, "false"])
def test_dlt_telemetry_sends_nothing_unless_switched_on(
    harness: SyncHarness, telemetry_catcher: TelemetryCatcher, setting: str | None
) -> None:
    """Run from a folder without the project's ``.dlt``: the default must hold anyway.
    (With RUNTIME__DLTHUB_TELEMETRY=true the catcher does receive dlt's events.)"""
    env = {"RUNTIME__DLTHUB_TELEMETRY_ENDPOINT": telemetry_catcher.url}
    if setting is not None:
        env["RUNTIME__DLTHUB_TELEMETRY"] = setting
    process = harness.cli("run", **env)
    process.unset = ("RUNTIME__DLTHUB_TELEMETRY",)

    assert process.start().wait() == ExitCode.SUCCESS, process.output()
    assert telemetry_catcher.hits == 0


def test_files_holding_patient_data_are_owner_only(harness: SyncHarness) -> None:
    harness.run()

    paths = [harness.root / "warehouse.duckdb", *(harness.root / "pipelines").rglob("*")]
    shared = [str(p.relative_to(harness.root)) for p in paths if _group_or_other(p)]
    assert shared == []


def _group_or_other(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


@pytest.fixture
def self_signed_simulator(harness: SyncHarness, tmp_path: Path) -> Iterator[str]:
    """The harness's simulator app served over TLS with a certificate nobody trusts."""
    key, cert = tmp_path / "tls" / "key.pem", tmp_path / "tls" / "cert.pem"
    key.parent.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    yield from _serve_tls(harness.simulator, key, cert)


def _serve_tls(simulator: Simulator, key: Path, cert: Path) -> Iterator[str]:
    config = uvicorn.Config(
        simulator.app, host="127.0.0.1", port=0, log_level="critical", lifespan="off",
        ssl_keyfile=str(key), ssl_certfile=str(cert),
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="tls-simulator", daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the TLS server did not start"
        time.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/v1"
    finally:
        server.should_exit = True
        thread.join(10)


class TelemetryCatcher(http.server.ThreadingHTTPServer):
    """Stands in for dlt's telemetry endpoint and counts what reaches it."""

    hits = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        assert isinstance(self.server, TelemetryCatcher)
        self.server.hits += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test asserts on the count."""


@pytest.fixture
def telemetry_catcher() -> Iterator[TelemetryCatcher]:
    catcher = TelemetryCatcher(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=catcher.serve_forever, daemon=True)
    thread.start()
    yield catcher
    catcher.shutdown()
    thread.join(10)
