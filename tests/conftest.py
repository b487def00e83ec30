"""Fixtures every test shares: an isolated environment, PostgreSQL, the simulator."""

pytest_plugins = [
    "tests.fixtures.environment",
    "tests.fixtures.postgres",
    "tests.fixtures.simulator",
]
