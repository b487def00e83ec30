"""Messages for a profile file that does not validate: file, key path, what is allowed.

A key that looks like a secret is refused whatever its value, and no value found under
such a key is ever repeated in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipelines.configuration.errors import ConfigError, did_you_mean
from pipelines.settings import SECRET_KEYS

SECRETS_HINT = (
    "secrets never go in YAML files (they are meant for git): put the API token in "
    ".dlt/secrets.toml as [sources.spruce] api_token or in SOURCES__SPRUCE__API_TOKEN, "
    "and Postgres credentials as [destination.postgres] credentials or in "
    "DESTINATION__POSTGRES__CREDENTIALS"
)


def refuse_secrets(path: Path, document: Mapping[str, Any]) -> None:
    """Raise when a top-level or profile-level key looks like a secret (value unread)."""
    for key in document:
        _refuse_secret_key(path, str(key))
    profiles = document.get("profiles")
    if isinstance(profiles, Mapping):
        for name, profile in profiles.items():
            for key in profile if isinstance(profile, Mapping) else ():
                _refuse_secret_key(path, f"profiles.{name}.{key}")


def _refuse_secret_key(path: Path, key_path: str) -> None:
    if key_path.rsplit(".", 1)[-1].lower() in SECRET_KEYS:
        raise ConfigError(f"{path}: {key_path}: {SECRETS_HINT}")


def validation_error(
    path: Path, error: ValidationError, models: Mapping[int, type[BaseModel]]
) -> ConfigError:
    """One error listing every problem; ``models`` names the model at each key depth."""
    problems = [_describe(problem, models) for problem in error.errors(include_url=False)]
    return ConfigError(f"{path}: " + f"\n{path}: ".join(problems))


def _describe(problem: Mapping[str, Any], models: Mapping[int, type[BaseModel]]) -> str:
    location = tuple(str(part) for part in problem["loc"] if part != "[key]")
    key_path = _key_path(problem["loc"])
    if problem["type"] == "extra_forbidden":
        return f"{key_path}: unknown key; {_allowed_keys(location, models)}"
    message = str(problem["msg"]).removeprefix("Value error, ")
    if "[key]" in problem["loc"]:
        return f"{key_path}: unknown key; {message.replace('Input', 'the key')}"
    return f"{key_path}: {message} (got {_short(problem.get('input'))})"


def _key_path(loc: tuple[int | str, ...]) -> str:
    """``organizations[1].slug``: keys joined by dots, positions in a list in brackets."""
    parts = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc if part != "[key]"]
    return "".join(parts).removeprefix(".")


def _allowed_keys(location: tuple[str, ...], models: Mapping[int, type[BaseModel]]) -> str:
    allowed = [key for key in models[len(location) - 1].model_fields]
    return f"{did_you_mean([location[-1]], allowed)}allowed keys: {', '.join(allowed)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
