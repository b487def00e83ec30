"""Rows that fail on main today: NOT collected by pytest (the file name has no test_ prefix).

Each test below is the row's test as it should be; each fails against the code as it is,
for the reason and with the fix named in its docstring (also in the report to the lead).
Once the fix lands, move the test into its module (named in the docstring) and delete it
here. Run them on purpose with::

    .venv/bin/python -m pytest tests/reliability/pending_rows.py -p no:cacheprovider
"""

from __future__ import annotations

import logging

import pytest

from tests.reliability.conftest import SyncHarness
from tests.reliability.test_data_edges import NEW_COLUMN, NEW_FIELD, _columns


def test_row24_a_new_field_under_discard_value_is_dropped_and_named_in_the_log(
    harness: SyncHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """test_data_edges.py. Fails: the column is dropped silently. Fix in pipelines/sync.py
    WindowRunner._run_window: after each load, compare the normalized schema update
    (info / pipeline.last_trace) with the source's columns and log a WARNING naming each
    discarded table.column, for tables whose contract is freeze/discard_*."""
    harness.run()
    harness.simulator.advance({"new_field": NEW_FIELD})

    harness.run(schema_contracts={"contacts": "discard_value"})

    assert NEW_COLUMN not in _columns(harness, "contacts")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any(NEW_FIELD["name"] in m or NEW_COLUMN in m for m in warnings)
