"""The one line a failure prints: what went wrong, where, and what to do.

dlt's own configuration errors are rewritten: a missing setting names the environment
variable and the TOML section that would provide it; a malformed TOML file names the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipelines.runner.failures import ExitCode
from pipelines.settings import MAX_MESSAGE_CHARS

PREFIXES = {
    ExitCode.CONFIG: "configuration error",
    ExitCode.AUTH: "authentication failed",
    ExitCode.DESTINATION: "destination unreachable",
    ExitCode.RATE_BUDGET: "rate budget exhausted",
    ExitCode.BUSY: "another run is in progress",
    ExitCode.API_UNAVAILABLE: "Spruce API unavailable, retry later",
    ExitCode.FAILURE: "failed",
}
INTERRUPTED = (
    "interrupted: nothing of the unfinished step was committed; "
    "the next run resumes from the last successful load"
)
POSTGRES_DSN_HINT = (
    "postgresql://user:password@host:5432/database (dlt needs a password in the DSN; "
    "where the server trusts the connection, any placeholder will do)"
)


def error_message(code: ExitCode, cause: BaseException) -> str:
    """One line that says what went wrong and what to do."""
    if code is ExitCode.INTERRUPTED:
        return INTERRUPTED
    detail = _missing_settings(cause) or _unreadable_toml(cause) or _text(cause)
    if code is ExitCode.FAILURE:
        detail = f"{type(cause).__name__}: {detail[:MAX_MESSAGE_CHARS]} (--debug shows more)"
    return f"{PREFIXES[code]}: {detail}"


def _text(cause: BaseException) -> str:
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return "; ".join(lines) or type(cause).__name__


def _missing_settings(cause: BaseException) -> str | None:
    """dlt's ConfigFieldMissingException, as the settings that would provide the values."""
    traces = getattr(cause, "traces", None)
    spec = getattr(cause, "spec_name", None)
    if not isinstance(traces, dict) or not spec:
        return None
    wanted = [_setting_name(list(_paths(entries))) for entries in traces.values()]
    hint = f" = {POSTGRES_DSN_HINT}" if "Postgres" in spec else ""
    return f"missing {'; '.join(wanted)}{hint}"


def _paths(entries: object) -> Iterator[list[str]]:
    """The key paths dlt looked a field up under: ``[*sections, key]`` for a value; for a
    nested setting (credentials), the sections its own fields were looked up in."""
    for entry in entries if isinstance(entries, list) else [entries]:
        nested = getattr(entry, "traces", None)
        if isinstance(nested, dict):
            yield from (path[:-1] for group in nested.values() for path in _paths(group))
        elif isinstance(getattr(entry, "key", None), str):
            yield [*entry.sections, entry.key]


def _setting_name(paths: list[list[str]]) -> str:
    """``VAR`` (env) or ``[section] key`` in .dlt/secrets.toml, as the README names them:
    the path under ``destination``/``sources`` (dlt also tries pipeline-scoped ones)."""
    path = next((p for p in paths if p[:1] in (["destination"], ["sources"])),
                paths[0] if paths else ["?"])
    return f"{'__'.join(path).upper()} (or [{'.'.join(path[:-1])}] {path[-1]} in .dlt/secrets.toml)"


def _unreadable_toml(cause: BaseException) -> str | None:
    """dlt's TomlProviderReadException: which file, what is wrong, what to do."""
    paths = getattr(cause, "full_paths", None)
    if not isinstance(paths, list):
        return None
    existing = [path for path in paths if Path(path).is_file()] or paths
    problem = str(cause).strip().splitlines()[-1]
    return (f"{', '.join(map(str, existing))} is not valid TOML: {problem}; fix the file "
            "(.dlt/secrets.toml.example shows the format)")
