"""The admin API under ``/_sim``: change the data, read the truth, switch behaviours.

No bearer token, loopback clients only, and never counted as API requests. Bodies are
JSON; settings bodies use the dataclass field names of ``simulator.settings``, e.g.
``PUT /_sim/faults {"schedules": [{"fault": "503", "count": 2, "operation": "ListContacts"}]}``
and ``PUT /_sim/rate-limit {"limit": 10, "window_seconds": 2}`` (``null``: back to the
default budget, ``simulator.settings.DEFAULT_RATE_LIMIT``).

Webhooks: ``GET /_sim/webhooks`` (delivery counts, ``outstanding`` among them, and the
settings), ``PUT /_sim/webhooks {"duplicate_probability": 1}`` (``WebhookSettings``),
``POST /_sim/webhooks/hold`` then ``/release {"order": "reversed"}`` (sent | reversed |
shuffled), ``POST /_sim/webhooks/endpoints/{id}/secrets`` (a new signing secret: rotation).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.contract import InvalidParameter, NotFound
from simulator.routes.call import log_failure
from simulator.routes.state import SimulatorState
from simulator.routes.webhooks import SECRET_BYTES
from simulator.settings import (
    WEBHOOK_ORDERS,
    FaultSchedule,
    FaultSettings,
    RateLimitSettings,
    WebhookSettings,
    literal_member,
)

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
SettingsT = TypeVar("SettingsT")
AdminHandler = Callable[[Request], Awaitable[Response]]
# JSON types accepted for the settings' scalar fields (an int is a valid float).
_SCALARS: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (int, float), "bool": (bool,), "str": (str,),
}  # fmt: skip


class AdminInputError(ValueError):
    """A body the admin API cannot use; the message says which field and why."""


class AdminApi:
    """The ``/_sim`` handlers of one simulator's state; ``routes()`` is the route table."""

    def __init__(self, state: SimulatorState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        table = [("/advance", self.advance, "POST"), ("/ground-truth", self.ground_truth, "GET"),
                 ("/counters", self.counters, "GET"), ("/counters/reset", self.reset, "POST"),
                 ("/faults", self.faults, "PUT"), ("/rate-limit", self.rate_limit, "PUT"),
                 ("/webhooks", self.webhooks, "GET"), ("/webhooks", self.webhook_settings, "PUT"),
                 ("/webhooks/hold", self.hold, "POST"), ("/webhooks/release", self.release, "POST"),
                 ("/webhooks/endpoints/{endpointId}/secrets", self.add_secret, "POST")]  # fmt: skip
        return [Route(path, _guarded(handler), methods=[method]) for path, handler, method in table]

    async def advance(self, request: Request) -> Response:
        change = await _json(request)
        try:
            return _reply(self._state.advance(change))
        except (InvalidParameter, NotFound, KeyError, ValueError, TypeError) as error:
            raise AdminInputError(f"the change was not applied: {error}") from error

    async def ground_truth(self, request: Request) -> Response:
        return _reply(self._state.ground_truth())

    async def counters(self, request: Request) -> Response:
        return _reply(self._state.counters_snapshot().to_dict())

    async def reset(self, request: Request) -> Response:
        self._state.counters.reset()
        return await self.counters(request)

    async def faults(self, request: Request) -> Response:
        self._state.set_faults(fault_settings(await _json(request)))
        return _reply(dataclasses.asdict(self._state.faults.settings))

    async def rate_limit(self, request: Request) -> Response:
        self._state.set_rate_limit(rate_limit_settings(await _json(request)))
        return _reply(_settings_json(self._state.budget.settings))


    async def webhooks(self, request: Request) -> Response:
        return _reply(self._state.webhooks.snapshot())

    async def webhook_settings(self, request: Request) -> Response:
        settings = _build(WebhookSettings, _fields_of(WebhookSettings, await _json(request) or {}))
        self._state.webhooks.configure(settings)
        return await self.webhooks(request)

    async def hold(self, request: Request) -> Response:
        self._state.webhooks.hold()
        return await self.webhooks(request)

    async def release(self, request: Request) -> Response:
        order = _fields_of(_Release, await _json(request) or {}).get("order", "sent")
        member = literal_member(order, WEBHOOK_ORDERS)
        if member is None:
            raise AdminInputError(f"order must be one of {', '.join(WEBHOOK_ORDERS)}")
        self._state.webhooks.release(member)
        return await self.webhooks(request)

    async def add_secret(self, request: Request) -> Response:
        """A new signing secret for an endpoint created through the API (rotation)."""
        endpoint_id = request.path_params["endpointId"]
        with self._state.data_lock:
            try:
                secret = self._state.organization.webhooks.add_secret(
                    endpoint_id, secrets.token_urlsafe(SECRET_BYTES))
            except NotFound as error:
                raise AdminInputError(str(error)) from error
        return _reply(secret)


@dataclasses.dataclass(frozen=True)
class _Release:
    """The body of ``POST /_sim/webhooks/release``."""

    order: str = "sent"


def admin_routes(state: SimulatorState) -> list[Route]:
    """The ``/_sim`` routes bound to one simulator's state."""
    return AdminApi(state).routes()


def _guarded(handler: AdminHandler) -> AdminHandler:
    """Loopback callers only; bad input answers 400 with the reason, never a traceback."""

    async def endpoint(request: Request) -> Response:
        if request.client is None or request.client.host not in LOOPBACK:
            return _reply({"message": "the admin API only answers loopback clients"}, 403)
        try:
            return await handler(request)
        except AdminInputError as error:
            return _reply({"message": str(error)}, 400)
        except Exception as error:  # noqa: BLE001 (a simulator bug: say so in JSON)
            log_failure(f"admin {request.url.path}", error)
            return _reply({"message": f"the simulator failed: {type(error).__name__}"}, 500)

    return endpoint


async def _json(request: Request) -> Any:
    try:
        return orjson.loads(await request.body() or b"null")
    except orjson.JSONDecodeError as error:
        raise AdminInputError(f"the body is not JSON: {error}") from error


def _reply(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _settings_json(settings: RateLimitSettings) -> dict[str, Any]:
    values = dataclasses.asdict(settings)
    values["daily_operations"] = sorted(settings.daily_operations)
    return values


def rate_limit_settings(data: Any) -> RateLimitSettings | None:
    """``RateLimitSettings`` from a JSON object, or None (the default budget) from ``null``."""
    if data is None:
        return None
    values = _fields_of(RateLimitSettings, data)
    if "daily_operations" in values:
        values["daily_operations"] = frozenset(values["daily_operations"])
    return _build(RateLimitSettings, values)


def fault_settings(data: Any) -> FaultSettings:
    """``FaultSettings`` from a JSON object (the dataclasses check kinds and ranges)."""
    values = _fields_of(FaultSettings, data or {})
    schedules = [_fields_of(FaultSchedule, item) for item in values.get("schedules", [])]
    values["schedules"] = tuple(_build(FaultSchedule, item) for item in schedules)
    for kinds in _mapping(values.get("probabilities", {}), "probabilities").values():
        for kind, probability in _mapping(kinds, "probabilities[operation]").items():
            if isinstance(probability, bool) or not isinstance(probability, (int, float)):
                raise AdminInputError(f"the probability of {kind} must be a number from 0 to 1")
    return _build(FaultSettings, values)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AdminInputError(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _fields_of(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise AdminInputError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise AdminInputError(
            f"{cls.__name__} has no field {', '.join(unknown)}; fields: {', '.join(sorted(names))}"
        )
    return dict(data)


def _build(cls: type[SettingsT], values: dict[str, Any]) -> SettingsT:
    _check_scalars(cls, values)
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise AdminInputError(f"{cls.__name__}: {error}") from error


def _check_scalars(cls: type, values: dict[str, Any]) -> None:
    """Numbers, flags and names have the field's JSON type (``int | None`` allows null)."""
    for field in dataclasses.fields(cls):
        kind, _, optional = str(field.type).partition(" | ")
        value = values.get(field.name)
        if field.name not in values or kind not in _SCALARS or (optional and value is None):
            continue
        if isinstance(value, bool) != (kind == "bool") or not isinstance(value, _SCALARS[kind]):
            raise AdminInputError(f"{field.name} must be {field.type}, got {value!r}")
