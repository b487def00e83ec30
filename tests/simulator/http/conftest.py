"""Fixtures of the HTTP tests that only read: one simulator per module, a client of it, and
one valid request per read operation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulator import Simulator
from tests.fixtures.simulator import TEST_SETTINGS
from tests.simulator.http.samples import SampleRequest, sample_requests
from tests.simulator.http.wire import api_client


@pytest.fixture(scope="module")
def served() -> Iterator[Simulator]:
    """One small simulator shared by a module whose tests only read."""
    simulator = Simulator(TEST_SETTINGS)
    with simulator.running():
        yield simulator


@pytest.fixture(scope="module")
def client(served: Simulator) -> Iterator[httpx.Client]:
    """A client of ``served`` with ``TEST_TOKEN``."""
    with api_client(served) as client:
        yield client


@pytest.fixture(scope="module")
def samples(client: httpx.Client) -> dict[str, SampleRequest]:
    """operationId -> a request that must answer 200 (ids discovered through ``client``)."""
    return sample_requests(client)
