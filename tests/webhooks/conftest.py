"""Receivers started as users start them: one per module where tests only send, one per
test where a test stops, kills or configures it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.webhooks.receivers import Receiver, start_receiver


def make_project(folder: Path) -> Path:
    """A project folder: ``.dlt/`` marks it (dlt and the CLI look for it)."""
    (folder / ".dlt").mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def shared_receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    """A receiver for the tests that only send deliveries; stopped after the module."""
    receiver = start_receiver(make_project(tmp_path_factory.mktemp("receiver")))
    yield receiver
    receiver.stop()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """This test's project folder."""
    return make_project(tmp_path / "project")


@pytest.fixture
def receiver(project: Path) -> Iterator[Receiver]:
    """A receiver of this test alone, in ``project``; stopped (if still running) after it."""
    started = start_receiver(project)
    yield started
    started.stop()
