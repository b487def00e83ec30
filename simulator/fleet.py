"""Many simulated Spruce organizations behind one base URL: the bearer token picks one.

    from simulator.fleet import FleetSimulator, seeded_fleet
    fleet = FleetSimulator(seeded_fleet(3))  # clinic-01..clinic-03, tiny, a token each
    with fleet.running() as base_url:  # "http://127.0.0.1:PORT/v1", one uvicorn thread
        clinic = fleet.organization("clinic-02")
        httpx.get(base_url + "/contacts", headers={"Authorization": f"Bearer {clinic.token}"})
        clinic.set_rate_limit(RateLimitSettings(limit=3)); clinic.ground_truth()

Every organization is a whole single-organization simulator (``SimulatorState`` served
by ``create_app``): its own data, rate and daily budget, noisy neighbour, faults,
counters, pagination tokens and webhooks. The fleet only routes. Under ``/v1`` the
bearer token names the organization, as at Spruce (one organization per token); a token
no organization owns gets the single simulator's 403 and is counted by none of them.
The admin API of organization ``a`` is ``/_sim/organizations/a/...`` (its ``/_sim/...``);
an unknown slug is a 404.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator, Mapping

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import Router
from starlette.types import Receive, Scope, Send

from simulator.app import create_app
from simulator.routes.call import ApiError, not_found
from simulator.routes.gateway import forbidden, new_request_id
from simulator.routes.replies import Reply
from simulator.server import OrganizationControls, ServerThread, simulator_state
from simulator.settings import (
    ADMIN_PREFIX,
    API_PREFIX,
    DEFAULT_HOST,
    SimulatorSettings,
)

ORGANIZATIONS_PREFIX = f"{ADMIN_PREFIX}/organizations"
# A slug is one path segment of the admin API.
SLUG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class FleetOrganization(OrganizationControls):
    """One organization of a fleet: its settings, its tokens and the switches of its wire.

    ``settings.host`` and ``settings.port`` are not used: the fleet serves every
    organization at its own address.
    """

    def __init__(self, slug: str, settings: SimulatorSettings) -> None:
        self.slug = slug
        self.settings = settings
        self._state = simulator_state(settings)
        self.app: Starlette = create_app(self._state)

    @property
    def token(self) -> str:
        """Its first token (``settings.tokens[0]``)."""
        return self.settings.tokens[0]

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every token of the organization, revoked or not; the fleet routes by these."""
        return self.settings.tokens

    def revoke_tokens(self) -> None:
        """From now on every token of the organization answers 403, as a disabled token
        does at Spruce; those requests are still routed here and counted as its own."""
        self._state.tokens = frozenset()


class FleetApp:
    """The ASGI app of a fleet: each request to the app of the organization it names.

    Its lifespan runs every organization's lifespan (noisy neighbour, webhook deliveries).
    """

    def __init__(self, organizations: Mapping[str, FleetOrganization]) -> None:
        self._organizations = dict(organizations)
        self._by_token = {token: organization for organization in organizations.values()
                          for token in organization.tokens}  # fmt: skip
        self._router = Router(default=self._dispatch, lifespan=self._lifespan)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._router(scope, receive, send)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: object) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for organization in self._organizations.values():
                child = organization.app
                await stack.enter_async_context(child.router.lifespan_context(child))
            yield

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``/v1`` by token, ``/_sim/organizations/<slug>`` by slug, a 404 elsewhere."""
        path: str = scope["path"]
        # The child sets its own router: Starlette keeps the first one it finds.
        scope = {key: value for key, value in scope.items() if key != "router"}
        if scope["type"] != "http":
            await self._router.not_found(scope, receive, send)
        elif path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            await self._api(scope, receive, send)
        elif path.startswith(ORGANIZATIONS_PREFIX + "/"):
            await self._admin(scope, receive, send)
        else:
            await _refuse(not_found(f"nothing at {path}; the API is under {API_PREFIX}, the "
                                    f"admin API under {ORGANIZATIONS_PREFIX}/<slug>"), send)  # fmt: skip

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        """To the organization owning the bearer token; the gateway's 403 for no owner."""
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        organization = self._by_token.get(token) if scheme.lower() == "bearer" else None
        if organization is None:
            await _refuse(forbidden(), send)
        else:
            await organization.app(scope, receive, send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``/_sim/organizations/<slug>/rest`` to that organization's ``/_sim/rest``."""
        rest: str = scope["path"].removeprefix(ORGANIZATIONS_PREFIX + "/")
        slug, slash, tail = rest.partition("/")
        organization = self._organizations.get(slug)
        if organization is None:
            known = ", ".join(self._organizations)
            await _refuse(not_found(f"no organization {slug!r}; the fleet has {known}"), send)
            return
        path = ADMIN_PREFIX + slash + tail
        await organization.app({**scope, "path": path, "raw_path": path.encode()}, receive, send)


async def _refuse(error: ApiError, send: Send) -> None:
    """``error`` in Spruce's shape with a request id, as the gateway answers it."""
    await Reply.error(error, [("s-request-id", new_request_id())]).send(send)


class FleetSimulator:
    """Many simulated Spruce organizations behind one base URL; the bearer token picks
    the organization.

    ``organizations`` maps a slug (letters, digits, ``.``, ``_``, ``-``) to that
    organization's settings: seed, scale, tokens, rate limit, faults, webhooks. A token
    belongs to one organization: a token shared by two raises ValueError.
    """

    def __init__(
        self, organizations: Mapping[str, SimulatorSettings], *,
        host: str = DEFAULT_HOST, port: int = 0,
    ) -> None:  # fmt: skip
        _check_slugs(organizations)
        _check_tokens(organizations)
        self._organizations = {slug: FleetOrganization(slug, settings)
                               for slug, settings in organizations.items()}  # fmt: skip
        self.app = FleetApp(self._organizations)
        self._host, self._port = host, port
        self._server: ServerThread | None = None
        self._base_url: str | None = None

    @property
    def slugs(self) -> tuple[str, ...]:
        """The organizations' slugs, in the order given."""
        return tuple(self._organizations)

    def organization(self, slug: str) -> FleetOrganization:
        """The organization ``slug``; KeyError naming the known slugs otherwise."""
        try:
            return self._organizations[slug]
        except KeyError:
            raise KeyError(
                f"no organization {slug!r}; the fleet has {', '.join(self.slugs)}"
            ) from None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/v1`` while running."""
        if self._base_url is None:
            raise RuntimeError("the fleet is not running; use `with fleet.running():`")
        return self._base_url

    def admin_url(self, slug: str) -> str:
        """The admin API of organization ``slug`` (its ``/_sim``), while running."""
        self.organization(slug)
        return self.base_url.removesuffix(API_PREFIX) + f"{ORGANIZATIONS_PREFIX}/{slug}"

    def start(self) -> str:
        """Serve every organization on one port; returns the base URL."""
        server = ServerThread(self.app, self._host, self._port)
        port = server.start()
        self._server, self._base_url = server, f"http://{self._host}:{port}{API_PREFIX}"
        return self._base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server, self._base_url = None, None

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        """Serve for the duration of the block; yields the base URL."""
        try:
            yield self.start()
        finally:
            self.stop()


def _check_slugs(organizations: Mapping[str, SimulatorSettings]) -> None:
    if not organizations:
        raise ValueError("a fleet needs at least one organization")
    for slug in organizations:
        if not SLUG_PATTERN.fullmatch(slug):
            raise ValueError(f"the slug {slug!r} must be letters, digits, '.', '_' or '-'")


def _check_tokens(organizations: Mapping[str, SimulatorSettings]) -> None:
    """One organization per token; the error names the organizations, not the token."""
    owners: dict[str, str] = {}
    for slug, settings in organizations.items():
        for token in settings.tokens:
            owner = owners.setdefault(token, slug)
            if owner != slug:
                raise ValueError(f"organizations {owner!r} and {slug!r} share a token; "
                                 "a token belongs to one organization")  # fmt: skip


def seeded_fleet(
    count: int, scale: str = "tiny", *, first_seed: int = 101
) -> dict[str, SimulatorSettings]:
    """``count`` organizations ``clinic-01``, ``clinic-02``.. (wider numbers past 99) with
    seeds ``first_seed``, ``first_seed + 1``.., so different data and ids, and one token
    each, ``sim-token-<slug>``; every other setting is the default."""
    if count < 1:
        raise ValueError(f"a fleet needs at least one organization, got {count}")
    width = max(2, len(str(count)))
    slugs = [f"clinic-{number:0{width}d}" for number in range(1, count + 1)]
    return {slug: SimulatorSettings(seed=first_seed + index, scale=scale,
                                    tokens=(f"sim-token-{slug}",))
            for index, slug in enumerate(slugs)}  # fmt: skip


__all__ = ["FleetApp", "FleetOrganization", "FleetSimulator", "seeded_fleet"]
