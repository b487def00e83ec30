"""A running simulator: uvicorn on a background thread, and the Python API tests use."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from simulator.app import create_app
from simulator.contract import JsonRecord, Organization
from simulator.counters import Counters
from simulator.faults import FaultInjector
from simulator.pagination import PaginationTokens
from simulator.ratelimit import RateBudget
from simulator.routes.state import Clock, SimulatorState, utc_now
from simulator.settings import API_PREFIX, FaultSettings, RateLimitSettings, SimulatorSettings
from simulator.webhook_delivery import WebhookDispatcher

_START_TIMEOUT_SECONDS = 30.0
_STOP_TIMEOUT_SECONDS = 10.0


class ServerThread:
    """uvicorn serving one app on a daemon thread; ``start`` returns the bound port.

    The socket is bound here, in the caller's thread, so that a taken port raises
    ``OSError`` to the caller instead of ending the server thread.
    """

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False,
            lifespan="on", timeout_graceful_shutdown=1,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._socket = _bound_socket(host, port)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]},
            name="spruce-simulator", daemon=True,
        )  # fmt: skip

    def start(self) -> int:
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulator's server did not start")
            time.sleep(0.01)
        return int(self._socket.getsockname()[1])

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT_SECONDS)
        self._socket.close()


def _bound_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    bound = socket.socket(family, socket.SOCK_STREAM)
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        bound.bind((host, port))
    except OSError:
        bound.close()
        raise
    return bound


class OrganizationControls:
    """What a test drives of one served organization: its data, counters, faults, budget
    and webhooks. `Simulator` and a fleet's `FleetOrganization` both have one state."""

    _state: SimulatorState

    def advance(self, change: dict[str, Any]) -> dict[str, Any]:
        """Change its data (keys: ``simulator.data.changes``); a summary of what changed."""
        return self._state.advance(change)

    def ground_truth(self) -> dict[str, list[JsonRecord]]:
        return self._state.ground_truth()

    def counters(self) -> Counters:
        """Its own API requests only."""
        return self._state.counters_snapshot()

    def reset_counters(self) -> None:
        self._state.counters.reset()

    def set_faults(self, faults: FaultSettings) -> None:
        self._state.set_faults(faults)

    @property
    def webhooks(self) -> WebhookDispatcher:
        """The webhook deliveries: ``snapshot()``, ``configure``, ``hold``, ``release``."""
        return self._state.webhooks

    def set_rate_limit(self, rate_limit: RateLimitSettings | None) -> None:
        """Swap its budget; None: back to ``DEFAULT_RATE_LIMIT``."""
        self._state.set_rate_limit(rate_limit)


class Simulator(OrganizationControls):
    """A local Spruce: one organization, its tokens, and every switch of the wire.

    ``organization`` defaults to the seeded ``SimulatedOrganization``; ``clock`` is the
    simulator's time (records, tokens and totalCount refreshes all read it).
    """

    def __init__(
        self,
        settings: SimulatorSettings | None = None,
        *,
        organization: Organization | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings or SimulatorSettings()
        self.organization = organization or _seeded_organization(self.settings)
        self._state = simulator_state(self.settings, self.organization, clock)
        self.app = create_app(self._state)
        self._server: ServerThread | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/v1`` while running."""
        if self._base_url is None:
            raise RuntimeError("the simulator is not running; use `with sim.running():`")
        return self._base_url

    @property
    def admin_url(self) -> str:
        return self.base_url.removesuffix(API_PREFIX) + "/_sim"

    def start(self) -> str:
        server = ServerThread(self.app, self.settings.host, self.settings.port)
        port = server.start()
        self._server, self._base_url = server, f"http://{self.settings.host}:{port}{API_PREFIX}"
        return self._base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server, self._base_url = None, None

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve for the duration of the block; yields the base URL."""
        try:
            yield self.start()
        finally:
            self.stop()


def simulator_state(
    settings: SimulatorSettings, organization: Organization | None = None, clock: Clock = utc_now
) -> SimulatorState:
    """The live state of one organization served with ``settings``: its tokens, budget,
    faults, pagination tokens and webhooks; ``organization`` defaults to the seeded one."""
    return SimulatorState(
        organization=organization or _seeded_organization(settings),
        tokens=frozenset(settings.tokens),
        pagination=PaginationTokens(secrets.token_bytes(32), settings.token_lifetime_seconds),
        budget=RateBudget(settings.rate_limit),
        faults=FaultInjector(settings.faults),
        clock=clock,
        webhook_settings=settings.webhooks,
    )


def _seeded_organization(settings: SimulatorSettings) -> Organization:
    # Imported here: the data side is heavy and a caller may bring its own organization.
    from simulator.organization import SimulatedOrganization

    delay = timedelta(seconds=settings.consistency_delay_seconds)
    return SimulatedOrganization(settings.seed, settings.scale, consistency_delay=delay)
