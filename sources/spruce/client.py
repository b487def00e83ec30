"""The fetcher: a few httpx sessions per run, retries in one place, one shared limiter.

Every request goes through `RateBudget.acquire` before it is sent and feeds the response's
headers back to it. Retriable failures (see `exceptions`) are retried as `retries` says,
honouring ``Retry-After``, within a bounded number of attempts and total time; then
`SpruceUnavailable` says what happened. Nothing here logs a token, a header or a body:
only method, path, status and ``s-request-id``.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator, Mapping
from functools import partial
from ipaddress import ip_address
from types import TracebackType
from typing import Any

import httpx
import orjson
import tenacity
from typing_extensions import Self

from sources.spruce import settings
from sources.spruce.exceptions import (
    InsecureBaseUrl,
    PaginationTokenRejected,
    SpruceApiError,
    SpruceAuthError,
    SpruceBadBody,
    SpruceNotFound,
    SpruceServerError,
    SpruceSyncError,
    SpruceThrottled,
    SpruceTransportError,
    SpruceUnavailable,
    UntrustedCertificate,
)
from sources.spruce.options import SourceOptions
from sources.spruce.paging import Paginator, QueryParams
from sources.spruce.retries import (
    DEFAULT_RETRY_POLICY,
    RetryPolicy,
    parse_retry_after,
    retrying,
)
from sources.spruce.sessions import Sessions
from sources.spruce.stats import RunStats
from sources.spruce.throttle import RateBudget, Sleep
from sources.spruce.waiting import interruptible_sleep

logger = logging.getLogger(__name__)

JsonBody = dict[str, Any]


def require_secure_base_url(base_url: str) -> httpx.URL:
    """Parse the base URL; plain http only for loopback hosts, so the token never travels
    in clear text."""
    url = httpx.URL(base_url)
    if url.scheme == "https" or (url.scheme == "http" and _is_loopback(url.host)):
        return url
    raise InsecureBaseUrl(
        f"Refusing base URL {url.scheme}://{url.host}: the API token must travel over https"
        " (plain http is accepted only for a loopback address such as the local simulator)."
        " Fix SOURCES__SPRUCE__BASE_URL or base_url in .dlt/config.toml."
    )


def _is_loopback(host: str) -> bool:
    if host in settings.LOOPBACK_HOSTS:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class SpruceClient:
    """A Spruce API session: auth, timeouts, pooling, throttle, retries, paging.

    ``max_connections`` is the number of requests in flight at once and of connections,
    however many threads call `get`: each request borrows one of as many single-connection
    sessions (`Sessions`, where the reason is told) until its response is read.
    ``keepalive_expiry_s`` is for tests that need connections to expire quickly.
    """

    def __init__(
        self,
        api_token: str,
        base_url: str,
        budget: RateBudget,
        stats: RunStats,
        max_connections: int = settings.DEFAULT_CONCURRENCY,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        sleep: Sleep = interruptible_sleep,
        transport: httpx.BaseTransport | None = None,
        read_timeout_s: float = settings.READ_TIMEOUT_S,
        keepalive_expiry_s: float = settings.KEEPALIVE_EXPIRY_S,
    ) -> None:
        self.base_url = require_secure_base_url(base_url)
        self.budget = budget
        self.stats = stats
        self._retry = retry
        self._sleep = sleep
        make = partial(_http_client, self.base_url, api_token, transport,
                       _timeout(read_timeout_s), keepalive_expiry_s,
                       httpx.create_ssl_context())  # one for all sessions: it reads the CAs
        self._sessions = Sessions(max_connections, make)
        # Once Spruce refuses the token, no other thread sends it again: each request
        # would be refused too, and a revoked token should cost the API one request.
        self._refused: SpruceAuthError | None = None

    @classmethod
    def for_plan(
        cls, api_token: str, base_url: str, plan: SourceOptions, budget: RateBudget,
        stats: RunStats,
    ) -> SpruceClient:
        """A client with the plan's concurrency, retries and read timeout."""
        return cls(api_token, base_url, budget, stats, plan.concurrency,
                   retry=RetryPolicy.for_options(plan),
                   read_timeout_s=plan.read_timeout.total_seconds())

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._sessions.close()

    def get(self, path: str, params: QueryParams, resource: str) -> JsonBody:
        """GET one JSON object, retrying what is retriable; raises the fatal errors."""
        attempts = retrying(self._retry, self._sleep, self._before_retry)
        try:
            return attempts(self._get_once, path, params, resource)
        except tenacity.RetryError as gave_up:
            last = gave_up.last_attempt.exception()
            raise SpruceUnavailable(
                f"{self.base_url.host}: GET {path} kept failing after"
                f" {gave_up.last_attempt.attempt_number} attempts: {last}. Nothing of this run"
                " was committed past the last finished window; run again later."
            ) from last

    def pages(self, path: str, paginator: Paginator, resource: str) -> Iterator[JsonBody]:
        """Every page body of one listing, in order."""
        params: QueryParams | None = paginator.first_params()
        while params is not None:
            body = self.get(path, params, resource)
            yield body
            params = paginator.next_params(body)

    def _before_retry(self, retry_state: tenacity.RetryCallState) -> None:
        self.stats.record_retry()
        error = retry_state.outcome.exception() if retry_state.outcome else None
        logger.warning("retrying after %s (attempt %d)", error, retry_state.attempt_number)

    def _get_once(self, path: str, params: QueryParams, resource: str) -> JsonBody:
        response = self._exchange(path, params, resource)
        return self._decode(response, path, "paginationToken" in params)

    def _exchange(self, path: str, params: QueryParams, resource: str) -> httpx.Response:
        """One request and its whole response, on a borrowed session; the session is taken
        before the limiter's ticket, so that waiting for it is not counted as round trip."""
        with self._sessions.lend() as session:
            waited = self.budget.acquire()
            if self._refused is not None:
                self.budget.release()
                raise SpruceAuthError(*self._refused.args)
            self.stats.record_request(resource, waited)
            try:
                response = session.get(path.lstrip("/"), params=params)
            except BaseException as lost:
                self.budget.release()  # whatever happened, this request is no longer in flight
                if isinstance(lost, httpx.TransportError):
                    raise _transport_error(lost, path) from None
                raise
            self.budget.observe(response.headers)
            return response

    def _decode(self, response: httpx.Response, path: str, paged: bool) -> JsonBody:
        request_id = response.headers.get(settings.HEADER_REQUEST_ID)
        logger.debug("GET %s -> %d (s-request-id %s)", path, response.status_code, request_id)
        if response.status_code == 200:
            return _json_object(response, path, request_id)
        raise self._error_for(response, path, request_id, paged)

    def _error_for(
        self, response: httpx.Response, path: str, request_id: str | None, paged: bool
    ) -> Exception:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 429 or (status == 503 and retry_after is not None):
            self.stats.record_throttled()
            return SpruceThrottled(f"GET {path} throttled ({status})", retry_after)
        if status >= 500:
            return SpruceServerError(
                f"GET {path} answered {status} (s-request-id {request_id})", retry_after
            )
        if status == 403:
            self._refused = _auth_error(path, request_id)
            return self._refused
        return _api_error(response, path, request_id, paged)


def _http_client(
    url: httpx.URL, api_token: str, transport: httpx.BaseTransport | None,
    timeout: httpx.Timeout, keepalive_expiry_s: float, ssl_context: ssl.SSLContext,
) -> httpx.Client:
    """One session of one connection: the token on every request, the timeouts."""
    return httpx.Client(
        base_url=str(url).rstrip("/") + "/",
        headers={"Authorization": f"Bearer {api_token}", "Accept": "application/json"},
        timeout=timeout,
        limits=httpx.Limits(max_connections=1, keepalive_expiry=keepalive_expiry_s),
        verify=ssl_context,
        transport=transport,
        follow_redirects=False,
    )


def _timeout(read_timeout_s: float) -> httpx.Timeout:
    """The timeouts of `settings`, with the run's read timeout."""
    return httpx.Timeout(connect=settings.CONNECT_TIMEOUT_S, read=read_timeout_s,
                         write=settings.WRITE_TIMEOUT_S, pool=settings.POOL_TIMEOUT_S)


def _auth_error(path: str, request_id: str | None) -> SpruceAuthError:
    return SpruceAuthError(
        f"Spruce refused the API token (403 on {path}, s-request-id {request_id})."
        " Check that SOURCES__SPRUCE__API_TOKEN or api_token in .dlt/secrets.toml"
        " holds a current token of this organization and that the API integration"
        " is still enabled in Spruce."
    )


def _api_error(
    response: httpx.Response, path: str, request_id: str | None, paged: bool
) -> SpruceApiError:
    """Any other 4xx; a 400 on a page request means its pagination token was rejected."""
    status = response.status_code
    error_type, message = _error_fields(response)
    kind = SpruceNotFound if status == 404 else SpruceApiError
    if status == 400 and paged:
        kind = PaginationTokenRejected
    logger.error("GET %s -> %d %s (s-request-id %s)", path, status, error_type, request_id)
    return kind(status, error_type, message, request_id, path)


def _json_object(response: httpx.Response, path: str, request_id: str | None) -> JsonBody:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        kind = response.headers.get("content-type", "unknown type")
        raise SpruceBadBody(
            f"GET {path} answered 200 with a body that is not a JSON object ({kind},"
            f" s-request-id {request_id})"
        )
    return body


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    """Spruce's error ``type`` and ``message``; the message may echo patient data, so it is
    kept on the exception for the operator and never logged here."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "", "(no JSON error body)"
    if not isinstance(body, Mapping):
        return "", "(no JSON error body)"
    return str(body.get("type", "")), str(body.get("message", ""))


def _transport_error(lost: httpx.TransportError, path: str) -> SpruceSyncError:
    """A dropped connection is worth another attempt; a certificate that fails
    verification is not (it fails the same way every time, and must never be bypassed)."""
    cause: BaseException | None = lost
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return UntrustedCertificate(
                f"GET {path}: the server's TLS certificate could not be verified "
                f"({cause.verify_message}). Check the base URL; if your network inspects TLS, "
                "add its CA to the system trust store (SSL_CERT_FILE). No request was sent."
            )
        cause = cause.__cause__ or cause.__context__
    reason = str(lost).strip().splitlines()[0] if str(lost).strip() else "no detail"
    return SpruceTransportError(f"GET {path} failed: {type(lost).__name__} ({reason})")
