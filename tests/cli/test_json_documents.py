"""``--json``: whatever happens, stdout is exactly one line, one JSON object, ``status`` first.

A scheduler appends that line to a ``.jsonl`` file and parses it line by line, so every
command holds to it when it succeeds, when it fails, and when its flags are wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from pipelines.runner.failures import ExitCode
from simulator import Simulator
from tests.cli.conftest import SECRET_TOKEN, CliResult, SpruceSync, assert_no_leak
from tests.fixtures.simulator import TEST_TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("project")]


@dataclass(frozen=True)
class Case:
    """``spruce-sync args --json`` after the commands ``before`` (each without ``--json``),
    with ``token`` in the environment: it must end with ``code``."""

    args: tuple[str, ...]
    code: ExitCode = ExitCode.SUCCESS
    before: tuple[tuple[str, ...], ...] = ()
    token: str = TEST_TOKEN


AFTER_A_RUN = (("run",),)

CASES = [
    pytest.param(Case(("run",)), id="run"),
    pytest.param(Case(("backfill", "--since", "2025-01-01")), id="backfill"),
    pytest.param(Case(("status",), before=AFTER_A_RUN), id="status"),
    pytest.param(Case(("check",)), id="check"),
    pytest.param(Case(("transform",), before=AFTER_A_RUN), id="transform"),
    pytest.param(Case(("demo", "--folder", "demo", "--scale", "tiny")), id="demo"),
    pytest.param(Case(("run",), ExitCode.AUTH, token=SECRET_TOKEN), id="run-wrong-token"),
    pytest.param(Case(("backfill", "--since", "yesterday"), ExitCode.CONFIG),
                 id="backfill-since-not-a-date"),
    pytest.param(Case(("run", "--destination", "snowflake"), ExitCode.CONFIG),
                 id="run-unknown-destination"),
    pytest.param(Case(("status", "--profile", "nightly"), ExitCode.CONFIG),
                 id="status-unknown-profile"),
    pytest.param(Case(("check", "--no-such-flag"), ExitCode.CONFIG), id="check-unknown-flag"),
    pytest.param(Case(("check",), ExitCode.AUTH, token=SECRET_TOKEN), id="check-wrong-token"),
    pytest.param(Case(("transform",), ExitCode.CONFIG), id="transform-before-any-run"),
    pytest.param(Case(("demo", "--scale", "enormous"), ExitCode.CONFIG),
                 id="demo-unknown-scale"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_json_output_is_one_line_holding_one_document_with_the_status_first(
    spruce_sync_process: SpruceSync, simulator: Simulator, case: Case
) -> None:
    env = {"SOURCES__SPRUCE__API_TOKEN": case.token,
           "SOURCES__SPRUCE__BASE_URL": simulator.base_url}  # fmt: skip
    for command in case.before:
        assert spruce_sync_process(*command, env=env).exit_code == 0

    result = spruce_sync_process(*case.args, "--json", env=env)

    assert result.exit_code == case.code, result.output
    document = one_json_line(result)
    if case.code is ExitCode.SUCCESS:
        assert document["status"] == "succeeded"
        assert "exit_code" not in document and "error" not in document
    else:
        assert (document["status"], document["exit_code"]) == ("failed", int(case.code))
        assert isinstance(document["error"], str) and document["error"] in result.stderr
    assert_no_leak(result, SECRET_TOKEN, TEST_TOKEN)


def one_json_line(result: CliResult) -> dict[str, object]:
    """stdout as the single JSON object it must be, with ``status`` as its first key."""
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict), result.stdout
    assert next(iter(document)) == "status", result.stdout
    return document

