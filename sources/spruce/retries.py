"""The retries of one request: which failures, how long to wait, when to give up.

Retriable failures (see `exceptions`) are retried by tenacity with exponential backoff and
jitter, honouring ``Retry-After`` up to `settings.RETRY_AFTER_CAP_S`, within a bounded
number of attempts and total time (`RetryPolicy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import tenacity

from sources.spruce import settings
from sources.spruce.exceptions import RetriableError
from sources.spruce.options import SourceOptions
from sources.spruce.throttle import Sleep

BeforeRetry = Callable[[tenacity.RetryCallState], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retries of one request, in seconds (from `SourceOptions`)."""

    attempts: int
    initial_wait_s: float
    max_wait_s: float
    total_s: float
    jitter_s: float

    @classmethod
    def for_options(cls, options: SourceOptions) -> RetryPolicy:
        """The policy the options configure (the jitter is fixed: it only spreads clients)."""
        return cls(
            attempts=options.retry_attempts,
            initial_wait_s=options.retry_initial_wait.total_seconds(),
            max_wait_s=options.retry_max_wait.total_seconds(),
            total_s=options.retry_total.total_seconds(),
            jitter_s=settings.RETRY_JITTER_S,
        )


DEFAULT_RETRY_POLICY = RetryPolicy.for_options(SourceOptions())


def retrying(policy: RetryPolicy, sleep: Sleep, before_retry: BeforeRetry) -> tenacity.Retrying:
    """A tenacity loop for one request; when it gives up it raises `tenacity.RetryError`."""
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(RetriableError),
        stop=tenacity.stop_after_attempt(policy.attempts)
        | tenacity.stop_after_delay(policy.total_s),
        wait=_WaitRetryAfterOrBackoff(policy),
        sleep=sleep,
        before_sleep=before_retry,
        reraise=False,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class _WaitRetryAfterOrBackoff(tenacity.wait.wait_base):
    """Wait what the server asked (Retry-After) or else exponential backoff with jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._backoff = tenacity.wait_exponential_jitter(
            initial=policy.initial_wait_s, max=policy.max_wait_s, jitter=policy.jitter_s
        )

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, RetriableError) and error.retry_after is not None:
            return min(error.retry_after, settings.RETRY_AFTER_CAP_S)
        return float(self._backoff(retry_state))
