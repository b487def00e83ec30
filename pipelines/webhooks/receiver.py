"""The receiver's Starlette app: verify, parse, protect, store, and only then answer 2xx.

| answer | when |
|--------|------|
| 200    | the event is in the inbox (``stored``), or was already (``duplicate``) |
| 400    | a correctly signed body that is not a Spruce event (Spruce retries it; noticed) |
| 401    | the signature is missing or matches none of the organization's secrets |
| 404    | a path of no configured organization |
| 413    | a body (declared or read) over ``MAX_BODY_BYTES``; reading stops at the limit |
| 503    | the inbox cannot take the write now (Spruce retries in 2 minutes) |

The signature is checked on the raw bytes before anything parses them. Parsing, the PHI
policy and the inbox's commit (which waits for an fsync) run on one writer thread, so the
event loop keeps accepting deliveries meanwhile. Nothing of a request is logged but its
path and the answer's status and reason: no body, header, secret or signature.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipelines.webhooks.events import InvalidEvent, ResourceProtector, received_event
from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.organizations import SigningSecrets
from pipelines.webhooks.settings import (
    DEFAULT_ORGANIZATION,
    DEFAULT_PATH,
    INBOX_WRITER_THREADS,
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
)
from pipelines.webhooks.signature import verify

log = logging.getLogger("spruce_sync.webhooks")


class BodyTooLarge(Exception):
    """The body is over the limit (declared or read so far)."""


def organization_path(slug: str) -> str:
    """Where Spruce posts an organization's deliveries."""
    return DEFAULT_PATH if slug == DEFAULT_ORGANIZATION else f"{DEFAULT_PATH}/{slug}"


class Receiver:
    """The handlers, over one inbox, the organizations' secrets and the PHI policy."""

    def __init__(
        self, inbox: Inbox, secrets: SigningSecrets, protector: ResourceProtector,
        resources: Mapping[str, str], max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:  # fmt: skip
        self.inbox = inbox
        self._secrets = secrets
        self.slugs = tuple(secrets)
        self._protector = protector
        self._resources = resources
        self._max_body_bytes = max_body_bytes
        self._writer = ThreadPoolExecutor(INBOX_WRITER_THREADS, thread_name_prefix="inbox")

    async def deliver(self, request: Request) -> JSONResponse:
        """``POST`` of one delivery to an organization's path."""
        slug = request.path_params.get("slug", DEFAULT_ORGANIZATION)
        secrets = self._secrets.get(slug)
        if secrets is None:
            return _answer(request, 404, "no organization is configured at this path")
        try:
            body = await _limited_body(request, self._max_body_bytes)
        except BodyTooLarge:
            return _answer(request, 413, f"the body is over {self._max_body_bytes} bytes")
        if not verify(body, request.headers.get(SIGNATURE_HEADER), secrets):
            return _answer(request, 401, "the signature is missing or wrong")
        return await self._store(request, body, slug)

    async def _store(self, request: Request, body: bytes, slug: str) -> JSONResponse:
        """Parse, protect and commit on the writer thread; the answer once committed."""
        try:
            stored = await self._on_writer(self._accept, body, slug)
        except InvalidEvent as error:
            return _answer(request, 400, str(error))
        except sqlite3.Error as error:  # its message names the file, never the data
            log.error("the inbox cannot take a write: %s", error)
            return _answer(request, 503, "the inbox cannot take the event now")
        log.debug("%s: %s", request.url.path, "stored" if stored else "duplicate")
        return JSONResponse({"status": "stored" if stored else "duplicate"})

    def _accept(self, body: bytes, slug: str) -> bool:
        """The event of ``body`` in the inbox; False when it was there already."""
        return self.inbox.store(received_event(body, slug, self._protector, self._resources))

    async def healthz(self, request: Request) -> JSONResponse:
        """The process is up and serving."""
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> JSONResponse:
        """The inbox can take a write (its write lock obtained and released)."""
        try:
            await self._on_writer(self.inbox.check_writable)
        except sqlite3.Error as error:
            log.error("not ready: the inbox cannot take a write: %s", error)
            return JSONResponse({"status": "not ready"}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def _on_writer(self, function: Any, *arguments: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._writer, function, *arguments)

    def close(self) -> None:
        """Finish the writes under way, then close the inbox."""
        self._writer.shutdown(wait=True)
        self.inbox.close()


def create_app(receiver: Receiver) -> Starlette:
    """The ASGI app: the default organization's path, one per fleet slug, the probes."""
    return Starlette(routes=[
        Route(DEFAULT_PATH, receiver.deliver, methods=["POST"]),
        Route(DEFAULT_PATH + "/{slug}", receiver.deliver, methods=["POST"]),
        Route("/healthz", receiver.healthz, methods=["GET"]),
        Route("/readyz", receiver.readyz, methods=["GET"]),
    ])  # fmt: skip


async def _limited_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and abandoned as soon as it passes ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(request: Request, status: int, reason: str) -> JSONResponse:
    """A refusal, logged by path, status and reason only."""
    log.warning("refused a delivery to %s: %d %s", request.url.path, status, reason)
    return JSONResponse({"error": reason}, status_code=status)
