"""A fleet: many organizations behind one base URL, each token reaching its own only.

Most tests run on two tiny clinics (``seeded_fleet(2)``) and are parametrized over which
one is limited, revoked or asked, so that routing every token to one organization fails.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import replace
from typing import Protocol

import httpx
import pytest

from simulator import FleetSimulator, RateLimitSettings, Simulator, SimulatorSettings, seeded_fleet
from tests.simulator.http.test_auth import BAD_HEADERS
from tests.simulator.http.wire import (
    QueryParams,
    api_client,
    assert_spruce_error,
    bearer,
    read_pages,
)

CLINICS = seeded_fleet(2)
SLUGS = tuple(CLINICS)
RATE_HEADERS = ("s-ratelimit-limit", "s-ratelimit-remaining")
DAILY_HEADERS = ("s-ratelimit-daily-limit", "s-ratelimit-daily-remaining")
# (path, envelope, query, ground-truth key): listings read whole through the fleet.
LISTINGS: dict[str, tuple[str, str, QueryParams, str]] = {
    "contacts": ("/contacts", "contacts", {"pageSize": 7}, "contacts"),
    "conversations": ("/conversations", "conversations", {"orderBy": "created", "pageSize": 6},
                      "conversations"),
}  # fmt: skip


class FleetFactory(Protocol):
    """``factory(rate_limits)``: the two clinics running, with ``rate_limits`` by slug."""

    def __call__(
        self, rate_limits: Mapping[str, RateLimitSettings] | None = None, /
    ) -> FleetSimulator: ...


@pytest.fixture
def fleet_factory() -> Iterator[FleetFactory]:
    """Start fleets of ``CLINICS`` for the duration of the test."""
    with ExitStack() as running:

        def start(rate_limits: Mapping[str, RateLimitSettings] | None = None, /) -> FleetSimulator:
            limits = rate_limits or {}
            fleet = FleetSimulator({slug: replace(settings, rate_limit=limits.get(
                slug, settings.rate_limit)) for slug, settings in CLINICS.items()})  # fmt: skip
            running.enter_context(fleet.running())
            return fleet

        yield start


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetSimulator]:
    """One fleet of ``CLINICS`` shared by the tests that only read."""
    shared = FleetSimulator(CLINICS)
    with shared.running():
        yield shared


def client_of(fleet: FleetSimulator, slug: str) -> httpx.Client:
    """A client of the fleet's ``/v1`` with organization ``slug``'s token; close it."""
    token = fleet.organization(slug).token
    return httpx.Client(base_url=fleet.base_url, headers=bearer(token), timeout=30.0)


def admin_of(fleet: FleetSimulator, slug: str) -> httpx.Client:
    return httpx.Client(base_url=fleet.admin_url(slug), timeout=30.0)


def other(slug: str) -> str:
    return next(each for each in SLUGS if each != slug)


@pytest.mark.parametrize("listing", LISTINGS)
def test_each_token_lists_its_own_organizations_records_only(
    fleet: FleetSimulator, listing: str
) -> None:
    path, envelope, query, truth_key = LISTINGS[listing]
    seen: list[set[str]] = []
    for slug in SLUGS:
        with client_of(fleet, slug) as client:
            ids = [record["id"] for record in read_pages(client, path, envelope, dict(query))]
        truth = fleet.organization(slug).ground_truth()[truth_key]
        assert ids == [record["id"] for record in truth] and ids
        seen.append(set(ids))
    assert not seen[0] & seen[1]


@pytest.mark.parametrize("slug", SLUGS)
def test_another_organizations_ids_and_pagination_tokens_are_unknown(
    fleet: FleetSimulator, slug: str
) -> None:
    with client_of(fleet, other(slug)) as theirs, client_of(fleet, slug) as ours:
        page = theirs.get("/contacts", params={"pageSize": 2}).json()
        contact_id = page["contacts"][0]["id"]
        assert_spruce_error(ours.get(f"/contacts/{contact_id}"), 404)
        follow: QueryParams = {"pageSize": 2, "paginationToken": page["paginationToken"]}
        assert_spruce_error(ours.get("/contacts", params=follow), 400, "paginationToken")


def refusal(response: httpx.Response) -> tuple[int, object, bool]:
    """What a 403 shows: status, body, and whether it reports a rate budget."""
    return response.status_code, response.json(), "s-ratelimit-limit" in response.headers


@pytest.mark.parametrize("headers", BAD_HEADERS)
@pytest.mark.parametrize("path", ["/contacts", "/organization", "/no/such/path"])
def test_a_token_no_organization_owns_gets_the_single_simulators_403(
    fleet: FleetSimulator, served: Simulator, path: str, headers: dict[str, str]
) -> None:
    for slug in SLUGS:
        fleet.organization(slug).reset_counters()
    response = httpx.get(fleet.base_url + path, headers=headers)
    assert_spruce_error(response, 403, "token")
    assert refusal(response) == refusal(httpx.get(served.base_url + path, headers=headers))
    assert [fleet.organization(slug).counters().total_requests for slug in SLUGS] == [0, 0]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_revoked_token_gets_the_same_403_and_the_other_organization_still_answers(
    fleet_factory: FleetFactory, served: Simulator, slug: str
) -> None:
    fleet = fleet_factory()
    organization = fleet.organization(slug)
    organization.revoke_tokens()
    with client_of(fleet, slug) as revoked, client_of(fleet, other(slug)) as still:
        response = revoked.get("/organization")
        assert still.get("/organization").status_code == 200
    assert_spruce_error(response, 403, "token")
    with api_client(served, "wrong-token") as wrong:
        assert refusal(response) == refusal(wrong.get("/organization"))
    assert organization.counters().by_status == {403: 1}  # still its own request


@pytest.mark.parametrize("slug", SLUGS)
def test_rate_budgets_are_per_organization(fleet_factory: FleetFactory, slug: str) -> None:
    fleet = fleet_factory({slug: RateLimitSettings(limit=3, window_seconds=60),
                           other(slug): RateLimitSettings(limit=5, window_seconds=60)})  # fmt: skip
    with client_of(fleet, slug) as limited, client_of(fleet, other(slug)) as spare:
        statuses = [limited.get("/organization").status_code for _ in range(4)]
        throttled = limited.get("/organization")
        answered = spare.get("/organization")
    assert statuses == [200, 200, 200, 429]
    assert_spruce_error(throttled, 429, "rate limit")
    assert [throttled.headers[name] for name in RATE_HEADERS] == ["3", "0"]
    assert answered.status_code == 200
    assert [answered.headers[name] for name in RATE_HEADERS] == ["5", "4"]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_daily_limit_applies_to_its_organization_only(
    fleet_factory: FleetFactory, slug: str
) -> None:
    fleet = fleet_factory({slug: RateLimitSettings(limit=100, daily_limit=2)})
    with client_of(fleet, slug) as daily, client_of(fleet, other(slug)) as free:
        responses = [daily.get("/organization") for _ in range(3)]
        others = [free.get("/organization") for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert [responses[0].headers[name] for name in DAILY_HEADERS] == ["2", "1"]
    assert [response.status_code for response in others] == [200, 200, 200]
    assert not any(name in response.headers for response in others for name in DAILY_HEADERS)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_noisy_neighbour_spends_its_own_organizations_budget(
    fleet_factory: FleetFactory, slug: str
) -> None:
    # 100 neighbour requests per 10 s window: one every 0.1 s, and no roll-over meanwhile.
    noisy = RateLimitSettings(limit=200, window_seconds=10, noisy_neighbour_share=0.5)
    fleet = fleet_factory({slug: noisy, other(slug): replace(noisy, noisy_neighbour_share=0)})
    deadline = time.monotonic() + 5
    while not fleet.organization(slug).counters().neighbour_requests:
        assert time.monotonic() < deadline, "the neighbour never spent a request"
        time.sleep(0.05)
    with client_of(fleet, slug) as shared, client_of(fleet, other(slug)) as alone:
        assert int(shared.get("/organization").headers["s-ratelimit-remaining"]) < 199
        assert alone.get("/organization").headers["s-ratelimit-remaining"] == "199"
    assert fleet.organization(other(slug)).counters().neighbour_requests == 0


@pytest.mark.parametrize("slug", SLUGS)
def test_counters_count_their_organizations_requests_only(
    fleet_factory: FleetFactory, slug: str
) -> None:
    fleet = fleet_factory()
    with client_of(fleet, slug) as ours, client_of(fleet, other(slug)) as theirs:
        ours.get("/contacts", params={"pageSize": 3}), ours.get("/organization")
        theirs.get("/organization")
        httpx.get(fleet.base_url + "/organization", headers=bearer("nobody"))
    counters = fleet.organization(slug).counters()
    assert counters.by_operation == {"ListContacts": 1, "Organization": 1}
    assert fleet.organization(other(slug)).counters().by_operation == {"Organization": 1}
    fleet.organization(slug).reset_counters()
    assert fleet.organization(slug).counters().total_requests == 0
    assert fleet.organization(other(slug)).counters().total_requests == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_the_admin_api_serves_each_organizations_ground_truth(
    fleet: FleetSimulator, slug: str
) -> None:
    with admin_of(fleet, slug) as admin:
        truth = admin.get("/ground-truth").json()
    expected = fleet.organization(slug).ground_truth()
    assert [row["id"] for row in truth["contacts"]] == [row["id"] for row in expected["contacts"]]
    assert truth["organization"] == expected["organization"]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_admin_api_switches_one_organization(fleet_factory: FleetFactory, slug: str) -> None:
    fleet = fleet_factory()
    with admin_of(fleet, slug) as admin:
        assert admin.put("/rate-limit", json={"limit": 1}).status_code == 200
        advanced = admin.post("/advance", json={"new_contacts": 2}).json()
        counters = admin.get("/counters").json()
    with client_of(fleet, slug) as ours, client_of(fleet, other(slug)) as theirs:
        assert [ours.get("/organization").status_code for _ in range(2)] == [200, 429]
        assert theirs.get("/organization").status_code == 200
    assert len(advanced["contacts"]["created"]) == 2 and counters["total_requests"] == 0
    sizes = {each: len(fleet.organization(each).ground_truth()["contacts"]) for each in SLUGS}
    assert sizes[slug] == sizes[other(slug)] + 2  # seeded_fleet: the same scale for both


@pytest.mark.parametrize("path", ["/_sim/organizations/nobody/ground-truth",
                                  "/_sim/organizations/", "/_sim/ground-truth", "/"])  # fmt: skip
def test_the_admin_api_of_an_unknown_organization_is_a_404(
    fleet: FleetSimulator, path: str
) -> None:
    response = httpx.get(fleet.base_url.removesuffix("/v1") + path)
    assert_spruce_error(response, 404)


@pytest.mark.parametrize(
    ("organizations", "words"),
    [
        ({}, "at least one organization"),
        ({"a": SimulatorSettings(tokens=("t1",)), "b": SimulatorSettings(tokens=("t2", "t1"))},
         "'a' and 'b' share a token"),
        ({"a/b": SimulatorSettings()}, "slug 'a/b'"),
    ],
)  # fmt: skip
def test_a_fleet_is_checked_where_it_is_made(
    organizations: dict[str, SimulatorSettings], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        FleetSimulator(organizations)


def test_a_seeded_fleet_has_distinct_slugs_seeds_and_tokens() -> None:
    clinics = seeded_fleet(12, "small", first_seed=5)
    assert list(clinics)[:2] == ["clinic-01", "clinic-02"] and list(clinics)[-1] == "clinic-12"
    assert [settings.seed for settings in clinics.values()] == list(range(5, 17))
    assert {settings.tokens for settings in clinics.values()} == {
        (f"sim-token-{slug}",) for slug in clinics
    }
    assert {settings.scale for settings in clinics.values()} == {"small"}
    assert list(seeded_fleet(100))[-1] == "clinic-100"
