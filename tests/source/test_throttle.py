"""The header-driven limiter's arithmetic, on a fake clock (no server, no real sleeps)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sources.spruce.exceptions import RateBudgetExhausted
from sources.spruce.throttle import RateBudget
from tests.source.budget_model import FakeClock, FixedWindowOrganization

NOON = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def limiter(clock: FakeClock, reserve_share: float = 0.2, window: float = 10.0) -> RateBudget:
    return RateBudget(
        reserve_share=reserve_share, window_seconds=window, daily_window_seconds=100.0,
        clock=clock, sleep=clock.sleep, wall_clock=lambda: NOON,
    )


def spend(budget: RateBudget, organization: FixedWindowOrganization, requests: int) -> None:
    for _ in range(requests):
        budget.acquire()
        budget.observe(organization.request())


@pytest.mark.parametrize(
    ("limit", "reserve_share", "neighbour_share"),
    [(10, 0.2, 0.0), (30, 0.2, 0.0), (30, 0.0, 0.0), (30, 0.3, 0.2), (60, 0.25, 0.25)],
)
def test_no_request_is_refused_and_the_reserve_is_left(
    limit: int, reserve_share: float, neighbour_share: float
) -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit, 10.0, neighbour_share)
    budget = limiter(clock, reserve_share)

    spend(budget, organization, requests=limit * 5)

    assert organization.refused == 0
    assert organization.most_in_any_window() <= limit - budget.minute.reserve


def test_pacing_spreads_the_window_evenly() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=11, window=10.0)
    budget = limiter(clock, reserve_share=0.0)

    spend(budget, organization, requests=11)

    gaps = [later - earlier for earlier, later in zip(organization.sent, organization.sent[1:])]
    assert max(gaps) - min(gaps) < 0.01  # even, not a burst then a long wait
    assert organization.sent[-1] <= 10.0  # and the whole window's budget is used


def test_nothing_is_sent_while_remaining_is_zero() -> None:
    clock = FakeClock(now=3.0)
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe({"s-ratelimit-limit": "5", "s-ratelimit-remaining": "0"})

    budget.acquire()

    assert clock.now >= 3.0 + 10.0  # waited for the window that started at 3.0 to end


def test_a_neighbour_spending_the_budget_stretches_the_pacing() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe({"s-ratelimit-limit": "100", "s-ratelimit-remaining": "99"})
    budget.acquire()
    alone = clock.now
    budget.observe({"s-ratelimit-limit": "100", "s-ratelimit-remaining": "49"})  # neighbour

    budget.acquire()

    assert clock.now - alone > 2 * alone  # half the budget left: sends much further apart


def test_missing_headers_mean_unlimited() -> None:
    clock = FakeClock()
    budget = limiter(clock)
    for _ in range(1000):
        budget.acquire()
        budget.observe({})
    assert clock.now == 0.0


def test_requests_in_flight_count_before_their_answers() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0, window=1000.0)
    budget.acquire()
    budget.observe({"s-ratelimit-limit": "20", "s-ratelimit-remaining": "10"})
    for _ in range(3):
        budget.acquire()  # three in flight, none answered yet
    assert budget.minute.estimate == 7

    budget.observe({"s-ratelimit-limit": "20", "s-ratelimit-remaining": "9"})  # the first lands

    assert budget.minute.estimate == 7  # the two still in flight are not forgotten


def test_a_reset_is_learnt_from_a_rising_remaining() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe({"s-ratelimit-limit": "10", "s-ratelimit-remaining": "2"})
    clock.now = 4.0
    budget.acquire()
    budget.observe({"s-ratelimit-limit": "10", "s-ratelimit-remaining": "9"})

    assert budget.minute.anchor == 4.0
    assert budget.minute.estimate == 9


def test_daily_budget_down_to_the_reserve_stops_with_a_resume_time() -> None:
    clock = FakeClock(now=20.0)
    budget = limiter(clock, reserve_share=0.2)
    budget.acquire()
    budget.observe({"s-ratelimit-daily-limit": "10", "s-ratelimit-daily-remaining": "2"})

    with pytest.raises(RateBudgetExhausted) as stopped:
        budget.acquire()

    assert stopped.value.resume_at == NOON + timedelta(seconds=100.0)
    assert "daily" in str(stopped.value)


def test_daily_headers_absent_on_a_response_do_not_count_against_the_day() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe({"s-ratelimit-daily-limit": "10", "s-ratelimit-daily-remaining": "5"})
    for _ in range(50):  # requests the daily window does not apply to
        budget.acquire()
        budget.observe({})
    assert budget.daily.estimate == 5


@pytest.mark.parametrize("share", [-0.1, 1.0])
def test_an_impossible_reserve_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="reserve_share"):
        RateBudget(reserve_share=share)
