"""Errors of the Spruce source. Messages never carry a token or a response body.

::

    SpruceSyncError                     base of everything a sync raises on purpose
    ├── RetriableError                  worth another attempt (the fetcher retries these)
    │   ├── SpruceThrottled             429, or 503 with Retry-After
    │   ├── SpruceServerError           500, 502, 503, 504
    │   ├── SpruceTransportError        timeouts, dropped or reset connections
    │   └── SpruceBadBody               truncated, undecodable or non-JSON 200 bodies
    └── FatalError                      retrying will not help
        ├── SpruceAuthError             403: wrong, disabled or revoked token
        ├── SpruceApiError              any other 4xx, with Spruce's type and request id
        │   ├── SpruceNotFound          404: the id does not exist (anymore)
        │   └── PaginationTokenRejected 400 on a page request: the token expired
        │                               (the listing restarts from its first page)
        ├── SpruceUnavailable           a retriable error outlived the retry budget
        ├── PaginationLoopError         the same token twice, or hasMore without a token
        ├── RateBudgetExhausted         the daily budget cannot cover the run (resumable)
        ├── InsecureBaseUrl             http:// to a host that is not loopback
        ├── UntrustedCertificate        the server's TLS certificate failed verification
        └── ConfigurationError          an option value the source cannot use
"""

from __future__ import annotations

from datetime import datetime


class SpruceSyncError(Exception):
    """Base of every error the sync raises on purpose."""


class RetriableError(SpruceSyncError):
    """A failure that another attempt may cure."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SpruceThrottled(RetriableError):
    """The API refused the request for rate limiting (429, or 503 with Retry-After)."""


class SpruceServerError(RetriableError):
    """A 5xx answer."""


class SpruceTransportError(RetriableError):
    """The request or its response was lost on the way (timeout, reset, refused)."""


class SpruceBadBody(RetriableError):
    """A success status whose body is not the JSON object the contract promises."""


class FatalError(SpruceSyncError):
    """A failure that retrying cannot cure."""


class SpruceAuthError(FatalError):
    """403: the token is wrong, disabled or revoked."""


class SpruceApiError(FatalError):
    """A 4xx other than 403 and 429, with what Spruce said about it.

    ``str()`` names the status, Spruce's error ``type``, the path and ``s-request-id``;
    Spruce's ``message`` is kept in ``api_message`` only, because an error body can echo
    the patient data of the request: show it to the operator deliberately, never log it.
    """

    def __init__(
        self, status: int, error_type: str, message: str, request_id: str | None, path: str
    ) -> None:
        super().__init__(
            f"Spruce answered {status} {error_type or 'error'} on {path}"
            f" (s-request-id {request_id or 'missing'})"
        )
        self.status = status
        self.error_type = error_type
        self.api_message = message
        self.request_id = request_id
        self.path = path


class SpruceNotFound(SpruceApiError):
    """404: the id (or the parent id of a listing) does not exist, e.g. deleted meanwhile."""


class PaginationTokenRejected(SpruceApiError):
    """A 400 on a request that carried a paginationToken: the token expired or is invalid.

    The listing restarts from its first page (a bounded number of times); merge on id
    removes what is read twice.
    """


class SpruceUnavailable(FatalError):
    """A retriable failure that lasted beyond the retry budget."""


class PaginationLoopError(FatalError):
    """A listing would never end: a repeated token, or hasMore without a token."""


class RateBudgetExhausted(FatalError):
    """The organization's daily budget (minus the reserve) cannot cover the rest of the run.

    Work committed before this point is kept; ``resume_at`` says when the budget refills.
    """

    def __init__(self, message: str, resume_at: datetime) -> None:
        super().__init__(message)
        self.resume_at = resume_at


class InsecureBaseUrl(FatalError):
    """A base URL that would send the token in clear text to a non-loopback host."""


class UntrustedCertificate(FatalError):
    """The server's TLS certificate could not be verified; there is no insecure fallback."""


class ConfigurationError(FatalError):
    """An option value the source cannot work with."""
