"""The simulator's ASGI app: Spruce's API under ``/v1``, the admin API under ``/_sim``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount

from simulator.admin import admin_routes
from simulator.ratelimit import NoisyNeighbour
from simulator.routes.gateway import ApiGateway
from simulator.routes.state import SimulatorState
from simulator.settings import ADMIN_PREFIX, API_PREFIX


def create_app(state: SimulatorState) -> Starlette:
    """An app serving ``state``; its lifespan runs the noisy neighbour and the webhook
    deliveries."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        neighbour = asyncio.create_task(NoisyNeighbour(state.budget, state.counters).run())
        await state.webhooks.start()
        try:
            yield
        finally:
            await state.webhooks.stop()
            neighbour.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await neighbour

    return Starlette(
        routes=[
            Mount(API_PREFIX, app=ApiGateway(state)),
            Mount(ADMIN_PREFIX, routes=admin_routes(state)),
        ],
        exception_handlers={404: _not_found},
        lifespan=lifespan,
    )


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    message = f"nothing at {request.url.path}; the API is under {API_PREFIX}"
    return JSONResponse({"statusCode": 404, "type": "NOT_FOUND", "message": message}, 404)
