"""What a handler receives (``ApiCall``) and how it refuses a request (``ApiError``)."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.contract import Gone, InvalidParameter, NotFound, Organization
from simulator.counters import RequestCounters
from simulator.pagination import PaginationTokens

logger = logging.getLogger("simulator")


def log_failure(where: str, error: Exception) -> None:
    """Log a simulator bug by type and frames: its message may hold record values (PHI)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("%s failed with %s at\n%s", where, type(error).__name__, frames)


class ApiError(Exception):
    """An answer in Spruce's error shape: ``{"statusCode", "type", "message"}``."""

    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"statusCode": self.status, "type": self.type, "message": self.message}


def bad_parameter(message: str) -> ApiError:
    return ApiError(400, "BAD_PARAMETER", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


@dataclass(frozen=True)
class ApiCall:
    """One authenticated, admitted request, as the handlers see it.

    ``data_lock`` serialises reads of the organization with changes made by
    ``Simulator.advance`` from another thread.
    """

    operation: str
    path_params: dict[str, str]
    query: dict[str, str]
    body: bytes
    now: datetime
    organization: Organization
    pagination: PaginationTokens
    counters: RequestCounters
    data_lock: threading.Lock

    @property
    def pagination_token(self) -> str | None:
        """The request's token; Spruce treats an empty one as absent."""
        return self.query.get("paginationToken") or None


@contextmanager
def organization_errors(what: str) -> Iterator[None]:
    """Turn the organization's exceptions into Spruce's 400/404 answers about ``what``."""
    try:
        yield
    except NotFound as error:
        raise not_found(str(error) or f"{what} not found") from None
    except Gone as error:
        raise not_found(str(error)) from None
    except InvalidParameter as error:
        raise bad_parameter(str(error) or f"invalid parameter for {what}") from None
