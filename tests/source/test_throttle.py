"""The header-driven limiter's arithmetic, on a fake clock (no server, no real sleeps)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from sources.spruce.exceptions import RateBudgetExhausted
from sources.spruce.throttle import RateBudget
from sources.spruce.window_budget import WindowBudget
from tests.source.budget_model import FakeClock, FixedWindowOrganization

NOON = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def limiter(clock: FakeClock, reserve_share: float = 0.2, window: float = 10.0) -> RateBudget:
    return RateBudget(
        reserve_share=reserve_share, window_seconds=window, daily_window_seconds=100.0,
        clock=clock, sleep=clock.sleep, wall_clock=lambda: NOON,
    )


def spend(
    budget: RateBudget, organization: FixedWindowOrganization, requests: int,
    round_trip: float = 0.0,
) -> None:
    """``requests`` one after another, each admitted ``round_trip`` after it left."""
    for _ in range(requests):
        budget.acquire()
        organization.clock.now += round_trip
        budget.observe(organization.request())


def headers(limit: int, remaining: int) -> dict[str, str]:
    return {"s-ratelimit-limit": str(limit), "s-ratelimit-remaining": str(remaining)}


@pytest.mark.parametrize(
    ("limit", "reserve_share", "neighbour_share"),
    [(10, 0.2, 0.0), (30, 0.2, 0.0), (30, 0.0, 0.0), (30, 0.3, 0.2), (60, 0.25, 0.25),
     (60, 0.0, 1 / 3), (20, 0.0, 0.5)],
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


def test_most_of_a_windows_budget_goes_at_once_and_all_of_it_before_its_end() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=60, window=10.0)
    budget = limiter(clock, reserve_share=0.0)

    spend(budget, organization, requests=59)

    assert organization.sent.count(0.0) >= 40  # all but the others' assumed share and a tail
    assert organization.sent[-1] < 10.0
    assert organization.refused == 0


def test_the_budget_is_spent_window_after_window_with_no_time_lost() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=60, window=10.0)
    budget = limiter(clock, reserve_share=0.0)

    spend(budget, organization, requests=59 * 3 + 1)

    assert organization.refused == 0
    assert organization.per_window() == {0: 59, 1: 59, 2: 59, 3: 1}  # one kept as margin
    assert organization.sent[-1] == 30.0  # each window's first request goes as it resets


def test_once_a_reset_is_seen_the_tail_waits_for_the_windows_last_moments() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=60, window=10.0)
    budget = limiter(clock, reserve_share=0.0)
    spend(budget, organization, requests=60)  # the 60th sees the reset at 10.0

    spend(budget, organization, requests=59)

    error = budget.minute.phase_error
    assert error is not None and error <= 0.5
    later = [moment for moment in organization.sent if 10.0 < moment < 20.0]
    assert later and min(later) >= 19.5  # the last 5% of the window


def test_nothing_is_sent_while_remaining_is_zero() -> None:
    clock = FakeClock(now=3.0)
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe({"s-ratelimit-limit": "5", "s-ratelimit-remaining": "0"})

    budget.acquire()

    assert clock.now >= 3.0 + 10.0  # waited for the window that started at 3.0 to end


def test_a_neighbour_racing_to_zero_makes_the_next_request_wait_for_the_reset() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe(headers(10, 9))
    budget.acquire()
    budget.observe(headers(10, 5))  # the others spent 3 meanwhile
    clock.now = 1.0  # ...and may have spent as many again since

    budget.acquire()

    assert clock.now >= 10.0  # so the 5 left are not raced for: wait for the reset


def test_a_neighbour_lowering_remaining_never_leads_to_a_send_at_zero() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=30, window=10.0, neighbour_share=0.5)
    budget = limiter(clock, reserve_share=0.0)

    spend(budget, organization, requests=200)

    assert organization.refused == 0


def test_the_share_a_neighbour_spends_evenly_is_left_to_it() -> None:
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=60, window=10.0, neighbour_share=1 / 3)
    budget = limiter(clock, reserve_share=0.0)

    spend(budget, organization, requests=400)

    neighbour = Counter(int(moment // 10.0) for moment in organization.neighbour_sent)
    assert organization.refused == 0
    # Once it has been seen, it keeps most of its 20: what it spends after our last answer
    # in a window goes unseen, and the rate we keep for it is measured over whole windows.
    assert all(neighbour[window] >= 17 for window in range(3, 8))
    assert all(organization.per_window()[window] >= 39 for window in range(3, 8))


@pytest.mark.parametrize("late_start", [4.0, 7.0])
def test_a_run_starting_in_a_window_the_neighbour_opened_does_not_stall(
    late_start: float,
) -> None:
    """What the neighbour spent before our first answer is spread over the whole window:
    read over the second since we saw the window, it looked like a flood, everything was
    kept back for it, and a run sent one probe a window for minutes."""
    clock = FakeClock()
    organization = FixedWindowOrganization(clock, limit=60, window=10.0, neighbour_share=1 / 3)
    clock.now = late_start
    budget = limiter(clock, reserve_share=0.0)

    spend(budget, organization, requests=200)

    assert organization.refused == 0
    assert clock.now - late_start <= 8 * 10.0  # 5 windows of 40 at best


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
    budget.observe(headers(20, 19))
    for _ in range(3):
        budget.acquire()  # three in flight, none answered yet
    assert budget.minute.estimate == 16

    budget.observe(headers(20, 18))  # the first lands

    assert budget.minute.estimate == 16  # the two still in flight are not forgotten


def test_a_reset_is_learnt_from_a_rising_remaining() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0)
    for remaining in range(9, 1, -1):  # our own requests bring the window down to 2
        budget.acquire()
        budget.observe(headers(10, remaining))
    clock.now = 4.0
    budget.acquire()
    answered = clock.now
    budget.observe(headers(10, 9))

    assert budget.minute.anchor == answered
    assert budget.minute.estimate == 9
    assert budget.minute.phase_error is not None


def test_an_answer_overtaken_by_a_later_one_is_not_taken_for_a_reset() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0, window=1000.0)
    budget.acquire()
    budget.observe(headers(60, 59))
    # The limiter pairs an answer with its request by the thread that acquired: one
    # single-thread pool per request interleaves their answers deterministically.
    with ThreadPoolExecutor(1) as first, ThreadPoolExecutor(1) as second:
        first.submit(budget.acquire).result()
        second.submit(budget.acquire).result()
        second.submit(budget.observe, headers(60, 57)).result()  # admitted last, answered first
        clock.now = 1.0
        first.submit(budget.observe, headers(60, 58)).result()

    assert budget.minute.anchor == 0.0  # no reset
    assert budget.minute.estimate == 57  # and, both in, nothing counted twice


def test_an_answer_from_before_a_reset_does_not_count_against_the_new_window() -> None:
    clock = FakeClock()
    budget = limiter(clock, reserve_share=0.0)
    budget.acquire()
    budget.observe(headers(10, 9))
    with ThreadPoolExecutor(1) as early, ThreadPoolExecutor(1) as probe:
        early.submit(budget.acquire).result()  # sent in the first window, answered late
        clock.now = 10.0
        probe.submit(budget.acquire).result()  # the window must have reset: a probe goes
        early.submit(budget.observe, headers(10, 2)).result()  # the old window's count
        probe.submit(budget.observe, headers(10, 8)).result()

    assert budget.minute.estimate == 8  # the new window's, not dragged down by the old


def test_answers_from_before_a_reset_that_show_the_new_window_count_in_it() -> None:
    window = WindowBudget(length=10.0, reserve_share=0.0)
    window.observe(20, 10, now=0.0, others_in_flight=0, sent_at=0.0, mark=window.mark())
    first, second = window.mark(), window.mark()  # two requests leave; the window resets
    window.observe(20, 19, now=3.0, others_in_flight=1, sent_at=0.0, mark=first)  # the reset
    window.observe(20, 18, now=3.0, others_in_flight=0, sent_at=0.0, mark=second)
    window.observe(20, 17, now=3.1, others_in_flight=0, sent_at=3.0, mark=window.mark())

    assert window.others_seen(in_flight=0) == 0  # all three were ours


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
