"""Writing a reply to the wire, faithfully or broken on purpose.

The broken forms: ``truncated-json`` (200, a JSON body cut in half), ``html`` (200, a
proxy's HTML page) and ``disconnect`` (the headers and half of the body sent with the
full Content-Length, then the connection aborted; uvicorn closes the socket when the app
raises after the response started).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.types import Send

from simulator.routes.call import ApiError

JSON = b"application/json"
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server is unavailable.</p></body></html>"
)
WIRE_FAULTS = frozenset({"truncated-json", "html", "disconnect"})


class SimulatedDisconnect(Exception):
    """Raised after a partial body so that the server aborts the connection."""


class _QuietDisconnects(logging.Filter):
    """Keep uvicorn from logging a traceback for every disconnect we asked for."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedDisconnect)


logging.getLogger("uvicorn.error").addFilter(_QuietDisconnects())


@dataclass
class Reply:
    """A response before it is written: status, JSON-ready body, extra headers."""

    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)
    wire_fault: str | None = None

    @classmethod
    def error(cls, error: ApiError, headers: list[tuple[str, str]] | None = None) -> Reply:
        return cls(error.status, error.body(), list(headers or []))

    async def send(self, send: Send) -> None:
        payload = orjson.dumps(self.body)
        content_type = JSON
        if self.wire_fault == "truncated-json":
            payload = payload[: len(payload) // 2]
        elif self.wire_fault == "html":
            payload, content_type = HTML_PAGE, b"text/html; charset=utf-8"
        declared = len(payload)
        if self.wire_fault == "disconnect":
            payload = payload[: declared // 2]
        await send({"type": "http.response.start", "status": self.status,
                    "headers": self._raw_headers(content_type, declared)})  # fmt: skip
        more = self.wire_fault == "disconnect"
        await send({"type": "http.response.body", "body": payload, "more_body": more})
        if more:
            raise SimulatedDisconnect("connection closed mid-response on purpose")

    def _raw_headers(self, content_type: bytes, length: int) -> list[tuple[bytes, bytes]]:
        raw = [(b"content-type", content_type), (b"content-length", str(length).encode())]
        return raw + [(name.encode(), value.encode()) for name, value in self.headers]
