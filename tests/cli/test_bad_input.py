"""Each bad input ends with one clear message, exit code 2, and no token in the output."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from tests.cli.conftest import SECRET_TOKEN, SpruceSync, assert_no_leak

TOKEN_ENV = {"SOURCES__SPRUCE__API_TOKEN": SECRET_TOKEN}

VALID = "profiles:\n  default:\n    concurrency: 4\n    duckdb_path: spruce_sync.duckdb\n"
# Appended to every configuration: a second profile for the messages that list them.
BACKFILL_PROFILE = "  backfill:\n    concurrency: 2\n"


def assert_usage_error(
    spruce_sync: SpruceSync,
    write_config: Callable[[str], Path],
    args: Sequence[str],
    expected: Sequence[str],
    yaml_text: str = VALID,
    env: Mapping[str, str] = TOKEN_ENV,
) -> None:
    """``spruce-sync args`` on ``yaml_text`` exits 2 with every ``expected`` fragment on
    stderr, nothing on stdout, and neither the token nor a traceback anywhere."""
    write_config(yaml_text + BACKFILL_PROFILE)
    result = spruce_sync(*args, env=dict(env))
    assert result.exit_code == 2, result.output
    for fragment in expected:
        assert fragment in result.stderr
    assert result.stdout == ""
    assert_no_leak(result)


def test_a_missing_token_is_a_usage_error_saying_where_the_token_goes(
    spruce_sync: SpruceSync, write_config: Callable[[str], Path]
) -> None:
    assert_usage_error(
        spruce_sync, write_config, ["run"],
        ["no Spruce API token", "SOURCES__SPRUCE__API_TOKEN", ".dlt/secrets.toml"], env={},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        pytest.param(
            "profiles:\n  default:\n    concurrncy: 4\n",
            ["spruce-sync.yaml", "profiles.default.concurrncy", "unknown key",
             "did you mean `concurrency`", "allowed keys"],
            id="unknown-yaml-key",
        ),
        pytest.param(
            "profiles:\n  default:\n    concurrency: many\n",
            ["spruce-sync.yaml", "profiles.default.concurrency", "valid integer", "'many'"],
            id="wrong-type",
        ),
        pytest.param(
            "profiles:\n  default:\n    lookback: soon\n",
            ["profiles.default.lookback", "a duration such as 90s, 10m, 2h or 30d"],
            id="bad-duration",
        ),
        pytest.param(
            f"profiles:\n  default:\n    api_token: {SECRET_TOKEN}\n",
            ["profiles.default.api_token", "secrets never go in YAML", "SOURCES__SPRUCE__API_TOKEN"],
            id="secret-in-yaml",
        ),
        pytest.param(
            "profiles:\n  default:\n    concurrency: [4\n",
            ["spruce-sync.yaml", "not valid YAML", "line 4"],
            id="broken-yaml",
        ),
    ],
)
def test_a_bad_profile_is_a_usage_error_naming_the_file_and_the_key(
    spruce_sync: SpruceSync,
    write_config: Callable[[str], Path],
    yaml_text: str,
    expected: list[str],
) -> None:
    assert_usage_error(spruce_sync, write_config, ["run"], expected, yaml_text=yaml_text)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["run", "--profile", "nightly"],
            ["no profile `nightly`", "backfill", "default"],
            id="unknown-profile",
        ),
        pytest.param(
            ["run", "--resources", "contacts,messages"],
            ["unknown resource messages", "conversation_items"],
            id="unknown-resource",
        ),
        pytest.param(
            ["run", "--resources", "contcts"],
            ["unknown resource contcts; did you mean `contacts`?", "conversation_items"],
            id="misspelt-resource",
        ),
        pytest.param(
            ["run", "--duckdb-path", "clinic.duckdb", "--dataset", "clinic"],
            ["'clinic.duckdb' is named like the dataset 'clinic'", "Rename one of them"],
            id="duckdb-file-named-like-dataset",
        ),
        pytest.param(
            ["backfill", "--since", "2025-13-01"],
            ["Invalid value for '--since'", "'2025-13-01' is not a date", "YYYY-MM-DD"],
            id="bad-since-date",
        ),
        pytest.param(
            ["backfill", "--since", "2025-02-01", "--until", "2025-01-01"],
            ["--until 2025-01-01", "is not after --since 2025-02-01"],
            id="until-before-since",
        ),
    ],
)
def test_a_bad_flag_is_a_usage_error_with_a_clear_message(
    spruce_sync: SpruceSync,
    write_config: Callable[[str], Path],
    args: list[str],
    expected: list[str],
) -> None:
    assert_usage_error(spruce_sync, write_config, args, expected)


def test_a_usage_error_under_json_also_reports_on_stdout(
    spruce_sync: SpruceSync, write_config: Callable[[str], Path]
) -> None:
    write_config("profiles:\n  default:\n    destination: mysql\n")
    result = spruce_sync("run", "--json", env=TOKEN_ENV)
    assert result.exit_code == 2
    assert '"exit_code": 2' in result.stdout
    assert "profiles.default.destination" in result.stdout
    assert_no_leak(result)
