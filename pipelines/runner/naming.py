"""Which dlt pipeline a run is: the profile's name, else one per destination.

Before pipelines were named per destination, every profile used ``spruce_sync``; a
PostgreSQL warehouse synced then holds its state under that name. Its next run keeps the
name (and the state: no full re-sync) and says how to move to a name of its own.
"""

from __future__ import annotations

import dataclasses
import logging

from pipelines.configuration.options import SyncOptions, default_pipeline_name
from pipelines.settings import DEFAULT_PIPELINE_NAME

logger = logging.getLogger(__name__)


def named(options: SyncOptions) -> SyncOptions:
    """``options`` with the pipeline name resolved (an explicit one is kept)."""
    if options.pipeline_name is not None:
        return options
    name = default_pipeline_name(options.destination)
    if name != DEFAULT_PIPELINE_NAME and _holds_state_of(options, DEFAULT_PIPELINE_NAME, name):
        logger.warning(
            "the %s dataset %r holds the state of pipeline %r from before pipelines were named"
            " per destination: keeping that name. To give this profile its own, set"
            " pipeline_name: %s in its profile (the next run then syncs in full once).",
            options.destination, options.dataset_name, DEFAULT_PIPELINE_NAME, name,
        )
        name = DEFAULT_PIPELINE_NAME
    return dataclasses.replace(options, pipeline_name=name)


def _holds_state_of(options: SyncOptions, legacy: str, derived: str) -> bool:
    """Whether the destination's dataset has state of ``legacy`` and none of ``derived``."""
    from dlt.common.configuration.exceptions import ConfigFieldMissingException

    from pipelines.runner.destinations import build_target
    from pipelines.runner.pipeline import build_pipeline, destination_errors
    from pipelines.runner.warehouse import query_table

    probe = build_pipeline(dataclasses.replace(options, pipeline_name=derived),
                           build_target(options))
    unanswered: tuple[type[BaseException], ...] = (
        *destination_errors(), ConfigFieldMissingException,
    )
    try:
        rows = query_table(probe, "_dlt_pipeline_state",
                           "SELECT DISTINCT pipeline_name FROM {table}")
    except unanswered:
        return False  # unreachable or unconfigured: the run's own check says why
    names = {str(row[0]) for row in rows or ()}
    return legacy in names and derived not in names
