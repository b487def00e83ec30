"""What an operator reads: progress lines, the end summary, error messages and exit codes."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from rich.console import Console

from pipelines.commands.secrets import Masked
from pipelines.output import documents, logs, messages, render
from pipelines.runner.errors import DestinationUnreachable, PipelineBusy
from pipelines.runner.failures import ExitCode, classify
from pipelines.runner.summary import RunSummary
from sources.spruce.exceptions import (
    ConfigurationError,
    RateBudgetExhausted,
    SpruceAuthError,
)
from sources.spruce.phi import PhiPolicyError
from sources.spruce.stats import RunStats
from tests.cli.conftest import SECRET_TOKEN

RESUME_AT = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)


def _text(renderable: object) -> str:
    console = Console(record=True, width=160)
    console.print(renderable)
    return console.export_text()


def test_a_progress_line_counts_pages_rows_and_requests_per_resource() -> None:
    stats = RunStats()
    for _ in range(2):
        stats.record_request("contacts", waited_s=0.5)
        stats.record_page("contacts", rows=500)
    stats.record_throttled()
    line = logs.progress_line(stats.snapshot())
    assert "contacts 2 pages 1000 rows" in line
    assert "requests 2" in line and "throttled 1" in line and "rate limit wait 1.0 s" in line


def test_the_summary_says_where_the_data_is_and_what_is_incomplete() -> None:
    summary = RunSummary(
        destination="duckdb", location="/srv/spruce_sync.duckdb", dataset_name="spruce",
        rows_per_table={"contacts": 600, "conversations": 200}, requests=41, retries=2,
        throttled=0, rate_limit_wait_s=3.25, duration_s=12.5, load_ids=["1", "2"], windows=2,
        completeness_gaps=[{"resource": "contacts", "scope": "all", "expected": 601,
                            "loaded": 600}],
    )  # fmt: skip
    text = _text(render.render_summary(summary.to_dict()))
    assert "sync finished in 12.5 s: 2 window(s), 2 load(s)" in text
    assert "data: duckdb /srv/spruce_sync.duckdb, dataset spruce" in text
    assert "requests 41, retries 2, throttled 0, rate-limit wait 3.2 s" in text
    assert "completeness: 1 listing(s) differ" in text
    assert "601" in text and "conversations" in text


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigurationError("bad option"), ExitCode.CONFIG),
        (SpruceAuthError("403"), ExitCode.AUTH),
        (DestinationUnreachable("down"), ExitCode.DESTINATION),
        (RateBudgetExhausted("spent", RESUME_AT), ExitCode.RATE_BUDGET),
        (PipelineBusy("locked"), ExitCode.BUSY),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (PhiPolicyError("phi_policy: hashing needs a key"), ExitCode.CONFIG),
        (ValueError("surprise"), ExitCode.FAILURE),
    ],
)
def test_each_error_has_its_exit_code(error: BaseException, code: ExitCode) -> None:
    assert classify(error)[0] is code


def test_an_error_wrapped_by_another_keeps_its_exit_code() -> None:
    try:
        try:
            raise SpruceAuthError("403 on /contacts")
        except SpruceAuthError as auth:
            raise RuntimeError("step failed") from auth
    except RuntimeError as wrapper:
        code, cause = classify(wrapper)
    assert code is ExitCode.AUTH and str(cause) == "403 on /contacts"


def test_a_spent_rate_budget_says_when_to_resume(capsys: pytest.CaptureFixture[str]) -> None:
    # As the rate limiter words it: the time once, in the message; exactly in the JSON.
    error = RateBudgetExhausted(
        f"the daily budget is spent. Run again after {RESUME_AT:%Y-%m-%d %H:%M} UTC.", RESUME_AT)
    message = messages.error_message(ExitCode.RATE_BUDGET, error)
    assert message.count("2026-11-30") == 1 and "Run again after 2026-11-30 06:00 UTC" in message
    documents.print_error(ExitCode.RATE_BUDGET, message, error, json_output=True)
    document = json.loads(capsys.readouterr().out)
    assert document == {"status": "failed", "exit_code": 5, "error": message,
                        "resume_at": "2026-11-30T06:00:00+00:00"}


def test_secrets_are_masked_in_any_text_the_cli_prints() -> None:
    masked = Masked()
    masked.add(SECRET_TOKEN)
    masked.add("abc")  # too short to be a secret: masking it would garble the output
    text = masked.scrub(f"GET /contacts with Bearer {SECRET_TOKEN} failed: abc")
    assert text == "GET /contacts with Bearer *** failed: abc"
