"""``spruce-sync simulator serve``: a local Spruce on the command line.

Mounted by the project's CLI as ``simulator``; also runs alone as
``python -m simulator.cli serve``. Its stdout is the base URL on the first line, then one
``token: TOKEN`` line per token it accepts (the only secret it prints: its pagination
key, say, never is); a summary of what it serves goes to stderr.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer

from simulator.settings import (
    ANY_OPERATION,
    DEFAULT_HOST,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    FAULT_KINDS,
    RATE_WINDOW_SECONDS,
    FaultKind,
    FaultSchedule,
    FaultSettings,
    RateLimitSettings,
    SimulatorSettings,
    WebhookSettings,
    checked_exhausted_status,
    literal_member,
)

simulator_app = typer.Typer(
    help="A local Spruce Health API for tests and demos.", no_args_is_help=True
)


@simulator_app.callback()
def _group() -> None:
    """A local Spruce Health API for tests and demos."""


def _parse_fault(text: str, value_kind: type[float | int]) -> tuple[str, FaultKind, float]:
    """``[OPERATION:]KIND=VALUE`` -> (operation, kind, value)."""
    target, _, value = text.partition("=")
    operation, _, name = target.rpartition(":")
    kind = literal_member(name, FAULT_KINDS)
    if kind is None or not value:
        raise typer.BadParameter(
            f"{text!r}: expected [OPERATION:]KIND=VALUE with KIND one of {', '.join(FAULT_KINDS)}"
        )
    try:
        number = value_kind(value)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: {value!r} is not a {value_kind.__name__}") from None
    return operation or ANY_OPERATION, kind, number


def fault_settings(
    faults: list[str], schedules: list[str], seed: int, latency: float, jitter: float,
    revoke_after: int | None, revoke_token: str | None,
) -> FaultSettings:  # fmt: skip
    """FaultSettings from the ``--fault``/``--fault-next`` texts and the other flags."""
    probabilities: dict[str, dict[FaultKind, float]] = {}
    for operation, kind, probability in (_parse_fault(text, float) for text in faults):
        probabilities.setdefault(operation, {})[kind] = probability
    next_faults = tuple(
        FaultSchedule(fault=kind, count=int(count), operation=operation)
        for operation, kind, count in (_parse_fault(text, int) for text in schedules)
    )
    return FaultSettings(
        seed, probabilities, next_faults, latency, jitter, revoke_after, revoke_token
    )


def rate_limit_settings(
    limit: int | None, window: float, daily_limit: int | None, daily_operations: list[str],
    exhausted_status: int, retry_after: bool, noisy_neighbour: float,
) -> RateLimitSettings:  # fmt: skip
    """RateLimitSettings from the rate flags; the default budget without ``--rate-limit``
    (the other rate flags shape a configured limit only)."""
    if limit is None:
        return DEFAULT_RATE_LIMIT
    return RateLimitSettings(
        limit, window, daily_limit, daily_operations=frozenset(daily_operations),
        exhausted_status=checked_exhausted_status(exhausted_status), retry_after=retry_after,
        noisy_neighbour_share=noisy_neighbour,
    )  # fmt: skip


def webhook_settings(
    time_scale: float, duplicates: float, out_of_order: float, event_ids: bool, seed: int
) -> WebhookSettings:
    """WebhookSettings from the ``--webhook-*`` flags (the fault seed drives their faults)."""
    return WebhookSettings(
        seed=seed, duplicate_probability=duplicates, delay_probability=out_of_order,
        event_ids=event_ids,
    ).scaled(time_scale)  # fmt: skip


# The flags of ``serve``; each parameter's name is its flag (``rate_limit``: --rate-limit).
Port = Annotated[int, typer.Option(help="Port; 0 picks a free one.")]
Host = Annotated[str, typer.Option(help="Interface to bind.")]
Seed = Annotated[int, typer.Option(help="Seed of the generated organization.")]
Scale = Annotated[str, typer.Option(help="Data scale: tiny, small, demo, ...")]
Tokens = Annotated[list[str] | None, typer.Option(help="Accepted bearer token (repeatable).")]
RateLimit = Annotated[
    int | None,
    typer.Option(help="Requests per window; the other rate flags apply only with it. Unset: "
                 f"{DEFAULT_RATE_LIMIT_PER_MINUTE:,} a minute, a budget nothing meets, still "
                 "reported in the rate-limit headers of every response."),
]  # fmt: skip
Window = Annotated[float, typer.Option(help="Rate window in seconds.")]
DailyLimit = Annotated[int | None, typer.Option(help="Requests per daily window.")]
DailyOperations = Annotated[
    list[str] | None,
    typer.Option(help="operationId the daily limit applies to (repeatable; none = all)."),
]
ExhaustedStatusFlag = Annotated[
    int, typer.Option(help="Status when the budget is spent: 429 or 503.")
]
RetryAfter = Annotated[bool, typer.Option(help="Send Retry-After when throttling.")]
NoisyNeighbour = Annotated[
    float, typer.Option(help="Share (0-1) of each window spent by another integration.")
]
Latency = Annotated[float, typer.Option(help="Added latency per request, seconds.")]
Jitter = Annotated[float, typer.Option(help="Extra random latency up to this, seconds.")]
Faults = Annotated[
    list[str] | None, typer.Option(help="[OPERATION:]KIND=PROBABILITY, e.g. 503=0.05 (repeatable).")
]
NextFaults = Annotated[
    list[str] | None,
    typer.Option(help="[OPERATION:]KIND=COUNT: the next COUNT requests fail so (repeatable)."),
]
FaultSeed = Annotated[int, typer.Option(help="Seed of the fault RNG (webhook faults too).")]
RevokeAfter = Annotated[int | None, typer.Option(help="Revoke a token after this many requests.")]
RevokeToken = Annotated[
    str | None, typer.Option(help="The token --revoke-after applies to; unset = every token.")
]
ConsistencyDelay = Annotated[
    float, typer.Option(help="Seconds before new items and conversations are listed.")
]
TokenLifetime = Annotated[float, typer.Option(help="Pagination token lifetime, seconds.")]
WebhookTimeScale = Annotated[
    float, typer.Option(help="Multiplies Spruce's webhook timeout (5 s) and retry interval "
                        "(2 min), e.g. 0.05 for tests.")]  # fmt: skip
WebhookDuplicates = Annotated[
    float, typer.Option(help="Chance (0-1) that a delivered webhook is sent once more.")
]
WebhookOutOfOrder = Annotated[
    float, typer.Option(help="Chance (0-1) that a webhook is held back 1 s, so later ones "
                        "overtake it.")]  # fmt: skip
WebhookEventIds = Annotated[
    bool, typer.Option(help="Put the event log's id in webhook bodies (Spruce documents none).")
]


@simulator_app.command()
def serve(
    port: Port = 8765, host: Host = DEFAULT_HOST, seed: Seed = 7, scale: Scale = "demo",
    token: Tokens = None,
    rate_limit: RateLimit = None, window: Window = RATE_WINDOW_SECONDS,
    daily_limit: DailyLimit = None, daily_operation: DailyOperations = None,
    exhausted_status: ExhaustedStatusFlag = 429, retry_after: RetryAfter = True,
    noisy_neighbour: NoisyNeighbour = 0.0,
    latency: Latency = 0.0, jitter: Jitter = 0.0,
    fault: Faults = None, fault_next: NextFaults = None, fault_seed: FaultSeed = 0,
    revoke_after: RevokeAfter = None, revoke_token: RevokeToken = None,
    consistency_delay: ConsistencyDelay = 0.0,
    token_lifetime: TokenLifetime = DEFAULT_TOKEN_LIFETIME_SECONDS,
    webhook_time_scale: WebhookTimeScale = 1.0, webhook_duplicates: WebhookDuplicates = 0.0,
    webhook_out_of_order: WebhookOutOfOrder = 0.0, webhook_event_ids: WebhookEventIds = False,
) -> None:  # fmt: skip
    """Serve a simulated Spruce organization until Ctrl-C; prints its base URL, then the
    token(s) it accepts."""
    with _settings_checks_as_bad_flags():
        settings = SimulatorSettings(
            seed=seed, scale=scale, tokens=tuple(token or ["demo-token"]),
            rate_limit=rate_limit_settings(rate_limit, window, daily_limit, daily_operation or [],
                                           exhausted_status, retry_after, noisy_neighbour),
            faults=fault_settings(fault or [], fault_next or [], fault_seed, latency, jitter,
                                  revoke_after, revoke_token),
            consistency_delay_seconds=consistency_delay, token_lifetime_seconds=token_lifetime,
            host=host, port=port,
            webhooks=webhook_settings(webhook_time_scale, webhook_duplicates,
                                      webhook_out_of_order, webhook_event_ids, fault_seed),
        )  # fmt: skip
    _serve_until_stopped(settings)


@contextmanager
def _settings_checks_as_bad_flags() -> Iterator[None]:
    """The settings' own checks (e.g. a share above 1) fail as a bad flag, not a traceback."""
    try:
        yield
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _serve_until_stopped(settings: SimulatorSettings) -> None:
    from simulator.server import Simulator  # the data side loads only when serving

    try:
        simulator = Simulator(settings)
    except (KeyError, ValueError) as error:
        raise typer.BadParameter(f"cannot build the organization: {error}") from None
    stopped = _stop_on_signals()  # before the URL is printed: a caller may stop us at once
    try:
        base_url = simulator.start()
    except OSError as error:
        typer.echo(f"cannot serve on {settings.host}:{settings.port}: {error.strerror}. "
                   "Try another --port, or --port 0 for a free one.", err=True)  # fmt: skip
        raise typer.Exit(1) from None
    try:
        _announce(base_url, settings)
        while not stopped.wait(0.5):
            pass
    finally:
        simulator.stop()


def _announce(base_url: str, settings: SimulatorSettings) -> None:
    """What a caller needs to use the simulator: stdout for scripts, the rest on stderr."""
    typer.echo(base_url)
    for token in settings.tokens:
        typer.echo(f"token: {token}")
    sys.stdout.flush()
    budget = settings.rate_limit
    typer.echo(f"serving scale {settings.scale!r} seed {settings.seed}; rate limit "
               f"{budget.limit:,} a {budget.window_seconds:g} s window; Ctrl-C stops",
               err=True)  # fmt: skip


def _stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM, for a clean stop instead of a traceback."""
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopped


if __name__ == "__main__":
    simulator_app()
