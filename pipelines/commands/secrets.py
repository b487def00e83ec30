"""Secrets at the command line: the API token read once, and everything printed scrubbed.

The token comes from dlt's secrets (``.dlt/secrets.toml`` or the environment), never a
flag; it and the other configured secrets are masked in every log line and message.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from pipelines.configuration.errors import ConfigError
from pipelines.settings import MIN_MASKED_LENGTH, OTHER_SECRETS


class Masked:
    """Values that must never be printed (the API token), and the means to scrub text."""

    def __init__(self) -> None:
        self._values: list[str] = []

    def add(self, value: str) -> str:
        """Remember ``value`` as secret (unless it is too short to be one) and return it."""
        if len(value) >= MIN_MASKED_LENGTH:
            self._values.append(value)
        return value

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for value in self._values:
            text = text.replace(value, "***")
        return text


class ScrubFilter(logging.Filter):
    """Masks secrets in log records: defence in depth, the source never logs them."""

    def __init__(self, masked: Masked) -> None:
        super().__init__()
        self.masked = masked

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.masked.scrub(record.getMessage()), None
        return True


def mask_configured_secrets(masked: Masked) -> None:
    """Mask the hash key and the Postgres DSN and password, if configured."""
    import dlt

    for key in OTHER_SECRETS:
        value: object = dlt.secrets.get(key)
        if isinstance(value, str):
            masked.add(value)
            masked.add(urlsplit(value).password or "")


def api_token(masked: Masked) -> str:
    """The token from dlt's secrets, masked from now on; a clear error when there is none."""
    import dlt

    token: object = dlt.secrets.get("sources.spruce.api_token")
    if not token:
        raise ConfigError(
            "no Spruce API token: put it in .dlt/secrets.toml as [sources.spruce] "
            "api_token = \"...\" or set SOURCES__SPRUCE__API_TOKEN "
            "(see .dlt/secrets.toml.example)"
        )
    return masked.add(str(token))
