"""Each bad input ends with one clear message, exit code 2, and no token in the output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import SECRET_TOKEN, SpruceSync, assert_no_leak

TOKEN_ENV = {"SOURCES__SPRUCE__API_TOKEN": SECRET_TOKEN}

VALID = "profiles:\n  default:\n    concurrency: 4\n    duckdb_path: spruce_sync.duckdb\n"


@pytest.mark.parametrize(
    ("args", "yaml_text", "env", "expected"),
    [
        pytest.param(
            ["run"], VALID, {},
            ["no Spruce API token", "SOURCES__SPRUCE__API_TOKEN", ".dlt/secrets.toml"],
            id="missing-token",
        ),
        pytest.param(
            ["run"], "profiles:\n  default:\n    concurrncy: 4\n", TOKEN_ENV,
            ["spruce-sync.yaml", "profiles.default.concurrncy", "unknown key",
             "did you mean `concurrency`", "allowed keys"],
            id="unknown-yaml-key",
        ),
        pytest.param(
            ["run"], "profiles:\n  default:\n    concurrency: many\n", TOKEN_ENV,
            ["spruce-sync.yaml", "profiles.default.concurrency", "valid integer", "'many'"],
            id="wrong-type",
        ),
        pytest.param(
            ["run"], "profiles:\n  default:\n    lookback: soon\n", TOKEN_ENV,
            ["profiles.default.lookback", "a duration such as 90s, 10m, 2h or 30d"],
            id="bad-duration",
        ),
        pytest.param(
            ["run"], f"profiles:\n  default:\n    api_token: {SECRET_TOKEN}\n", TOKEN_ENV,
            ["profiles.default.api_token", "secrets never go in YAML", "SOURCES__SPRUCE__API_TOKEN"],
            id="secret-in-yaml",
        ),
        pytest.param(
            ["run"], "profiles:\n  default:\n    concurrency: [4\n", TOKEN_ENV,
            ["spruce-sync.yaml", "not valid YAML", "line 4"],
            id="broken-yaml",
        ),
        pytest.param(
            ["run", "--profile", "nightly"], VALID, TOKEN_ENV,
            ["no profile `nightly`", "backfill", "default"],
            id="unknown-profile",
        ),
        pytest.param(
            ["run", "--resources", "contacts,messages"], VALID, TOKEN_ENV,
            ["unknown resource messages", "conversation_items"],
            id="unknown-resource",
        ),
        pytest.param(
            ["run", "--duckdb-path", "clinic.duckdb", "--dataset", "clinic"], VALID, TOKEN_ENV,
            ["'clinic.duckdb' is named like the dataset 'clinic'", "Rename one of them"],
            id="duckdb-file-named-like-dataset",
        ),
        pytest.param(
            ["backfill", "--since", "2025-13-01"], VALID, TOKEN_ENV,
            ["Invalid value for '--since'", "'2025-13-01' is not a date", "YYYY-MM-DD"],
            id="bad-since-date",
        ),
        pytest.param(
            ["backfill", "--since", "2025-02-01", "--until", "2025-01-01"], VALID, TOKEN_ENV,
            ["--until 2025-01-01", "is not after --since 2025-02-01"],
            id="until-before-since",
        ),
    ],
)
def test_bad_input_is_a_usage_error_with_a_clear_message(
    spruce_sync: SpruceSync,
    write_config: Callable[[str], Path],
    args: list[str],
    yaml_text: str,
    env: dict[str, str],
    expected: list[str],
) -> None:
    write_config(yaml_text + "  backfill:\n    concurrency: 2\n")
    result = spruce_sync(*args, env=env)
    assert result.exit_code == 2, result.output
    for fragment in expected:
        assert fragment in result.stderr
    assert result.stdout == ""
    assert_no_leak(result)


def test_a_usage_error_under_json_also_reports_on_stdout(
    spruce_sync: SpruceSync, write_config: Callable[[str], Path]
) -> None:
    write_config("profiles:\n  default:\n    destination: mysql\n")
    result = spruce_sync("run", "--json", env=TOKEN_ENV)
    assert result.exit_code == 2
    assert '"exit_code": 2' in result.stdout
    assert "profiles.default.destination" in result.stdout
    assert_no_leak(result)
