"""``serve`` on the command line: a real process, a printed URL, a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from simulator.cli import simulator_app
from tests.simulator.http.wire import bearer

SERVE = [sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--scale", "tiny"]
STARTUP_SECONDS = 60


@pytest.fixture
def serve(request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``serve`` with the test's extra arguments; yields the process and its base URL."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    process = subprocess.Popen(
        SERVE + list(request.param), cwd=root, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(STARTUP_SECONDS)


@pytest.mark.parametrize(
    "serve", [["--token", "one", "--token", "two", "--rate-limit", "50", "--window", "5"]],
    indirect=True,
)  # fmt: skip
def test_serve_prints_its_url_and_answers_with_its_settings(
    serve: tuple[subprocess.Popen[str], str],
) -> None:
    _, base_url = serve
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
    for token in ("one", "two"):
        response = httpx.get(base_url + "/organization", headers=bearer(token))
        assert response.status_code == 200
    assert response.headers["s-ratelimit-limit"] == "50"
    assert httpx.get(base_url + "/organization", headers=bearer("three")).status_code == 403


@pytest.mark.parametrize("serve", [["--fault-next", "Organization:503=1"]], indirect=True)
def test_serve_switches_faults_on_from_flags(serve: tuple[subprocess.Popen[str], str]) -> None:
    _, base_url = serve
    statuses = [httpx.get(base_url + "/organization", headers=bearer("demo-token")).status_code
                for _ in range(2)]  # fmt: skip
    assert statuses == [503, 200]


def test_serve_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(SERVE, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().startswith("http://")
    process.send_signal(signal.SIGINT)
    assert process.wait(STARTUP_SECONDS) == 0


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--fault", "teapot=0.5"], ["teapot", "KIND"]),
        (["--fault", "503=often"], ["often"]),
        (["--rate-limit", "5", "--exhausted-status", "500"], ["429 or 503"]),
        (["--scale", "gigantic"], ["gigantic", "tiny"]),
        (["--rate-limit", "5", "--noisy-neighbour", "1.5"], ["noisy_neighbour_share", "[0, 1)"]),
        (["--fault", "503=2"], ["probability of 503", "[0, 1]"]),
    ],
)
def test_bad_flags_fail_with_the_reason(arguments: list[str], words: list[str]) -> None:
    # In-process: every one of these fails before anything is served.
    result = CliRunner().invoke(simulator_app, ["serve", "--port", "0", *arguments])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    message = " ".join(result.output.split())  # the error box wraps long lines
    for word in words:
        assert word in message


@pytest.mark.parametrize("serve", [[]], indirect=True)
def test_serve_on_a_taken_port_says_so(serve: tuple[subprocess.Popen[str], str]) -> None:
    port = serve[1].split(":")[2].split("/")[0]
    result = CliRunner().invoke(simulator_app, ["serve", "--port", port, "--scale", "tiny"])
    assert result.exit_code == 1
    assert "already in use" in " ".join(result.output.split())
