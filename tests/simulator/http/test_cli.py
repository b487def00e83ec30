"""``serve`` on the command line: a real process, a printed URL and token, a clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from typer.testing import CliRunner

from simulator import DEFAULT_RATE_LIMIT
from simulator.cli import simulator_app
from tests.simulator.http.wire import bearer

SERVE = [sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--scale", "tiny"]
STARTUP_SECONDS = 60
# Secrets in serve's environment that it has no business printing.
OTHER_SECRET = "never-printed-4f1d9c2b7a6e"
SECRET_ENVIRONMENT = {
    "SOURCES__SPRUCE__API_TOKEN": OTHER_SECRET,
    "DESTINATION__POSTGRES__CREDENTIALS": f"postgresql://loader:{OTHER_SECRET}@127.0.0.1/db",
}
# A run of key-like characters: a random key (the pagination key, say) printed would be one.
KEY_LIKE = re.compile(r"[A-Za-z0-9+/=_-]{16,}")


@dataclass
class Served:
    """A running ``serve`` process and the base URL it printed first."""

    process: subprocess.Popen[str]
    base_url: str

    def stop(self) -> tuple[str, str]:
        """Ctrl-C; returns what it printed after the URL (stdout) and on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.process.wait(STARTUP_SECONDS)
        # read(), not communicate(): the URL's readline() may hold the next lines buffered
        assert self.process.stdout is not None and self.process.stderr is not None
        return self.process.stdout.read(), self.process.stderr.read()


@pytest.fixture
def serve(request: pytest.FixtureRequest) -> Iterator[Served]:
    """``serve`` with the test's extra arguments, secrets in its environment."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    process = subprocess.Popen(
        SERVE + list(request.param), cwd=root, text=True, env={**os.environ, **SECRET_ENVIRONMENT},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    served = Served(process, process.stdout.readline().strip())
    try:
        yield served
    finally:
        served.stop()


def assert_prints_tokens_and_no_other_secret(served: Served, tokens: list[str]) -> None:
    """After the URL, one ``token:`` line per accepted token; nothing key-like elsewhere."""
    rest, errors = served.stop()
    assert rest.splitlines() == [f"token: {token}" for token in tokens]
    printed = served.base_url + rest + errors
    assert OTHER_SECRET not in printed
    assert set(KEY_LIKE.findall(printed)) <= set(tokens)


@pytest.mark.parametrize(
    "serve", [["--token", "one-local", "--token", "two-local", "--rate-limit", "50",
               "--window", "5"]], indirect=True,
)  # fmt: skip
def test_serve_prints_its_url_and_tokens_and_answers_with_its_settings(serve: Served) -> None:
    base_url = serve.base_url
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
    for token in ("one-local", "two-local"):
        response = httpx.get(base_url + "/organization", headers=bearer(token))
        assert response.status_code == 200
    assert response.headers["s-ratelimit-limit"] == "50"
    assert httpx.get(base_url + "/organization", headers=bearer("three")).status_code == 403
    assert_prints_tokens_and_no_other_secret(serve, ["one-local", "two-local"])


@pytest.mark.parametrize("serve", [[]], indirect=True)
def test_serve_without_flags_prints_the_demo_token_and_reports_the_default_budget(
    serve: Served,
) -> None:
    response = httpx.get(serve.base_url + "/organization", headers=bearer("demo-token"))
    assert response.headers["s-ratelimit-limit"] == str(DEFAULT_RATE_LIMIT.limit)
    assert_prints_tokens_and_no_other_secret(serve, ["demo-token"])


@pytest.mark.parametrize("serve", [["--fault-next", "Organization:503=1"]], indirect=True)
def test_serve_switches_faults_on_from_flags(serve: Served) -> None:
    base_url = serve.base_url
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
        (["--webhook-time-scale", "0"], ["webhook time scale must be positive"]),
        (["--webhook-duplicates", "2"], ["duplicate_probability", "[0, 1]"]),
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
def test_serve_on_a_taken_port_says_so(serve: Served) -> None:
    port = serve.base_url.split(":")[2].split("/")[0]
    result = CliRunner().invoke(simulator_app, ["serve", "--port", port, "--scale", "tiny"])
    assert result.exit_code == 1
    assert "already in use" in " ".join(result.output.split())
