"""The baseline: dlt's generic ``rest_api`` source configured for Spruce.

This is what a competent user writes instead of this project, in a few dozen lines:
contacts, conversations ordered by ``last_message`` with a ``startFrom`` incremental,
items as a child resource of conversations, the largest page sizes, merge on ``id``,
dlt's parquet loader (PERF-NOTES: the default insert-values loader is 4x slower into
DuckDB; any user reading dlt's performance docs switches) and, since issue 14, the items
transformer ``parallelized``, as dlt's docs advise for a child resource that makes one
request per parent: dlt then fetches the items of several conversations at once on its
extract thread pool (``extract.workers``, 5 by default, left as a user would leave it).
The sequential configuration stays as a second baseline (``parallelized=False``). It is
not tuned to lose, and not tuned to win either: dlt's default retries and workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.sources.helpers.requests import Request
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from dlt.sources.rest_api import rest_api_source
from dlt.sources.rest_api.typing import (
    Endpoint,
    EndpointResource,
    IncrementalConfig,
    RESTAPIConfig,
)

PIPELINE_NAME = "spruce_baseline"
# Before the first run: every conversation ever.
INITIAL_START_FROM = "1970-01-01T00:00:00Z"


class SpruceTokenPaginator(JSONResponseCursorPaginator):
    """Spruce's token paging, with ``startFrom`` on the first page only.

    Spruce answers 400 when ``startFrom`` and ``paginationToken`` come together, and
    dlt's incremental puts its start parameter on every page: a user hits that 400 on
    the first run and writes these lines.
    """

    def __init__(self) -> None:
        super().__init__(
            cursor_path="paginationToken",
            cursor_param="paginationToken",
            has_more_path="hasMore",
        )

    def update_request(self, request: Request) -> None:
        super().update_request(request)
        # The parent has just made ``params`` a dict if it was not one (to set the cursor).
        if isinstance(request.params, dict):
            request.params.pop("startFrom", None)


def spruce_rest_api_config(
    base_url: str, api_token: str, parallelized: bool = True
) -> RESTAPIConfig:
    """The rest_api configuration; ``base_url`` ends with ``/v1``.

    ``parallelized``: each conversation's items are fetched in a deferred call that dlt
    runs on its thread pool (rest_api passes the flag to its dependent-resource pager).
    """
    return {
        "client": {
            "base_url": base_url.rstrip("/") + "/",
            "auth": {"type": "bearer", "token": api_token},
            "paginator": SpruceTokenPaginator(),
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            _listing("contacts", "contacts", {"pageSize": 500}),
            _conversations(),
            _conversation_items(parallelized),
        ],
    }


def _listing(
    name: str,
    path: str,
    params: dict[str, Any],
    data_selector: str | None = None,
    incremental: IncrementalConfig | None = None,
) -> EndpointResource:
    """A resource paging ``path``; its records are under ``data_selector`` (default: name)."""
    endpoint: Endpoint = {"path": path, "params": params, "data_selector": data_selector or name}
    if incremental is not None:
        endpoint["incremental"] = incremental
    return {"name": name, "endpoint": endpoint}


def _conversation_items(parallelized: bool) -> EndpointResource:
    items = _listing(
        "conversation_items",
        "conversations/{resources.conversations.id}/items",
        {"pageSize": 200, "order": "oldest_first"},
        data_selector="conversationItems",
    )
    items["parallelized"] = parallelized
    return items


def _conversations() -> EndpointResource:
    incremental: IncrementalConfig = {
        "start_param": "startFrom",
        "cursor_path": "lastMessageAt",
        "initial_value": INITIAL_START_FROM,
    }
    params = {"pageSize": 200, "orderBy": "last_message"}
    return _listing("conversations", "conversations", params, incremental=incremental)


def run_baseline(
    base_url: str, api_token: str, duckdb_path: Path, pipelines_dir: Path, parallelized: bool = True
) -> LoadInfo:
    """One run of the baseline into the DuckDB file (dataset ``spruce``)."""
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=dlt.destinations.duckdb(str(duckdb_path)),
        dataset_name="spruce",
        pipelines_dir=str(pipelines_dir),
    )
    source = rest_api_source(spruce_rest_api_config(base_url, api_token, parallelized))
    return pipeline.run(source, loader_file_format="parquet")
