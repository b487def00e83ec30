"""The ASGI app behind ``/v1``: everything Spruce does around an operation.

In order: a request id; the bearer token (403 on every path, known or not); the
organization's rate budget (429/503 once spent); added latency; the route (404 for an
unknown path); an injected fault, if one is due; the idempotency key of a write; the
handler; the headers. Every answer past the token check carries the rate-limit headers,
whatever its status; a 403 does not: a request without a valid token is no
organization's, so it has no budget to show.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import Receive, Scope, Send

from simulator.faults import RequestFacts
from simulator.routes import API_ROUTES, ApiRoute
from simulator.routes.call import ApiCall, ApiError, bad_parameter, log_failure, not_found
from simulator.routes.replies import WIRE_FAULTS, Reply
from simulator.routes.state import SimulatorState
from simulator.settings import API_PREFIX, IDEMPOTENCY_KEY_MAX_LENGTH, RETRY_AFTER_SECONDS

UNKNOWN_OPERATION = "Unknown"
IDEMPOTENCY_HEADER = "s-idempotency-key"
# Injected error statuses: (status, Spruce-like error type, Retry-After sent).
STATUS_FAULTS: dict[str, tuple[int, str, bool]] = {
    "500": (500, "INTERNAL", False),
    "502": (502, "BAD_GATEWAY", False),
    "503": (503, "SERVICE_UNAVAILABLE", False),
    "504": (504, "GATEWAY_TIMEOUT", False),
    "429": (429, "RATE_LIMITED", True),
    "429-no-retry-after": (429, "RATE_LIMITED", False),
}
THROTTLE_TYPES = {429: "RATE_LIMITED", 503: "SERVICE_UNAVAILABLE"}


class ApiGateway:
    """Serves every path under ``/v1`` for one ``SimulatorState``."""

    def __init__(self, state: SimulatorState) -> None:
        self._state = state
        self._routes = [(compile_path(route.path)[0], route) for route in API_ROUTES]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        counters = self._state.counters
        counters.started()
        operation, status = UNKNOWN_OPERATION, 500
        try:
            request = Request(scope, receive)
            route, path_params = self._match(request)
            operation = route.operation if route else UNKNOWN_OPERATION
            reply = await self._reply(request, route, path_params)
            status = reply.status
            reply.headers.append(("s-request-id", new_request_id()))
        finally:
            # Counted before sending: a client that has its answer sees it counted.
            counters.finished(operation, status)
        await reply.send(send)

    def _match(self, request: Request) -> tuple[ApiRoute | None, dict[str, str]]:
        path = request.url.path.removeprefix(API_PREFIX)
        for pattern, route in self._routes:
            found = pattern.match(path)
            if found and route.method == request.method:
                return route, found.groupdict()
        return None, {}

    async def _reply(
        self, request: Request, route: ApiRoute | None, path_params: dict[str, str]
    ) -> Reply:
        state = self._state
        if not self._authorized(request):
            return Reply.error(forbidden())
        operation = route.operation if route else UNKNOWN_OPERATION
        admission = state.budget.admit(operation)
        if admission.throttled_status is not None:
            return self._throttled(admission.throttled_status, admission.retry_after_seconds,
                                   admission.headers)  # fmt: skip
        await _pause(state.faults.latency())
        reply = await self._routed(request, route, path_params)
        reply.headers.extend(admission.headers)
        return reply

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self._state.tokens:
            return False
        return not self._state.faults.revoked(token)

    def _throttled(
        self, status: int, retry_after: int | None, headers: list[tuple[str, str]]
    ) -> Reply:
        self._state.counters.throttled()
        extra = [("retry-after", str(retry_after))] if retry_after is not None else []
        message = "rate limit exceeded for this organization; slow down and retry later"
        return Reply.error(ApiError(status, THROTTLE_TYPES[status], message), headers + extra)

    async def _routed(
        self, request: Request, route: ApiRoute | None, path_params: dict[str, str]
    ) -> Reply:
        if route is None:
            where = f"{request.method} {request.url.path}"
            return Reply.error(not_found(f"no operation at {where} (the simulator serves the "
                                         "OpenAPI's GET operations, contact search and the "
                                         "webhook endpoints' writes)"))  # fmt: skip
        fault = self._fault(request, route)
        early = self._early_fault(fault)
        if early is not None:
            return early
        try:
            body = self._handled(request, route, await self._call(request, route, path_params))
        except ApiError as error:
            return Reply.error(error)
        except Exception as error:  # noqa: BLE001 (a simulator bug: answer like Spruce)
            log_failure(route.operation, error)
            return Reply.error(ApiError(500, "INTERNAL", "an unexpected error occurred"))
        return Reply(200, _bent(body, fault, request), wire_fault=_wire(fault))

    def _handled(self, request: Request, route: ApiRoute, call: ApiCall) -> dict[str, Any]:
        """The handler's body; a repeated ``s-idempotency-key`` on the path answers 422."""
        key = request.headers.get(IDEMPOTENCY_HEADER) if route.idempotent else None
        if not key:
            return route.handler(call)
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise bad_parameter(f"{IDEMPOTENCY_HEADER} must be at most "
                                f"{IDEMPOTENCY_KEY_MAX_LENGTH} characters")  # fmt: skip
        keys, path = self._state.idempotency, request.url.path
        if not keys.claim(path, key, call.now):
            raise ApiError(422, "DUPLICATE_REQUEST", f"a request with this {IDEMPOTENCY_HEADER} "
                           "was already made on this path")  # fmt: skip
        try:
            return route.handler(call)
        except BaseException:
            keys.release(path, key)  # a failed request did nothing: its key may be used again
            raise

    def _fault(self, request: Request, route: ApiRoute) -> str | None:
        """The fault due for this request, if any, counted as injected."""
        has_token = bool(request.query_params.get("paginationToken"))
        fault = self._state.faults.choose(RequestFacts(route.operation, has_token, route.paged))
        if fault is not None:
            self._state.counters.fault(fault)
        return fault

    def _early_fault(self, fault: str | None) -> Reply | None:
        """Faults that answer instead of the handler."""
        if fault in STATUS_FAULTS:
            status, type_, retry = STATUS_FAULTS[fault]
            headers = [("retry-after", str(RETRY_AFTER_SECONDS))] if retry else []
            return Reply.error(ApiError(status, type_, "an unexpected error occurred"), headers)
        if fault == "expired-token":
            return Reply.error(
                bad_parameter("the paginationToken has expired; start the listing again")
            )
        if fault == "leak-error":
            return Reply.error(bad_parameter(self._leaky_message()))
        return None

    def _leaky_message(self) -> str:
        """An error that echoes patient data, as some APIs do: for leak tests only."""
        contact = self._state.some_contact() or {}
        phones = contact.get("phoneNumbers") or [{}]
        phone = phones[0].get("displayValue") or phones[0].get("value", "")
        return f"invalid input for contact {contact.get('displayName', '')} ({phone})"

    async def _call(
        self, request: Request, route: ApiRoute, path_params: dict[str, str]
    ) -> ApiCall:
        state = self._state
        return ApiCall(
            operation=route.operation,
            path_params=path_params,
            query=dict(request.query_params),
            body=await request.body() if route.method == "POST" else b"",
            now=state.clock(),
            organization=state.organization,
            pagination=state.pagination,
            counters=state.counters,
            data_lock=state.data_lock,
        )


def _bent(body: dict[str, Any], fault: str | None, request: Request) -> dict[str, Any]:
    """Paging bugs: the request's own token handed back, or hasMore without a token."""
    if fault == "repeat-token":
        return {**body, "paginationToken": request.query_params["paginationToken"]}
    if fault == "has-more-without-token":
        return {key: value for key, value in body.items() if key != "paginationToken"} | {
            "hasMore": True
        }
    return body


def _wire(fault: str | None) -> str | None:
    return fault if fault in WIRE_FAULTS else None


def forbidden() -> ApiError:
    """Spruce's answer to a request whose token is missing, wrong or disabled."""
    return ApiError(403, "FORBIDDEN", "the API token is missing, wrong or disabled")


def new_request_id() -> str:
    """A fresh ``s-request-id``, sent on every API answer."""
    return uuid.uuid4().hex[:26].upper()


async def _pause(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


__all__ = ["ApiGateway", "forbidden", "new_request_id"]
