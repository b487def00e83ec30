"""The raw lower bound: the same pages, no framework.

httpx fetches the listings (items of many conversations concurrently, like our
pipeline), orjson parses, ``TableRows`` flattens root and child rows, and DuckDB
ingests them through Arrow in bounded chunks. No merge, no state, no schema: what is
left is the least any sync of this data must pay on this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson

from benchmarks.arrow_load import insert_arrow, rows_to_arrow
from benchmarks.flatten import Row, TableRows
from benchmarks.settings import DATASET

# Rows held in Python before they go to DuckDB: bounds the memory of the raw path.
CHUNK_ROWS = 100_000
# Conversations whose items are fetched before their rows are flattened.
CONVERSATION_BATCH = 256
_TIMEOUT = httpx.Timeout(30.0)
# Spruce answers 400 when these come with a pagination token.
FIRST_PAGE_ONLY = frozenset({"startFrom"})


class RawFetcher:
    """Token-paged listings over one pooled httpx client."""

    def __init__(self, base_url: str, api_token: str, concurrency: int) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_token}"},
            limits=httpx.Limits(max_connections=concurrency),
            timeout=_TIMEOUT,
        )

    def close(self) -> None:
        self._client.close()

    def listing(self, path: str, params: dict[str, Any], key: str) -> Iterator[list[Row]]:
        """Every page of ``path``; first-page-only parameters are dropped after it."""
        query = dict(params)
        while True:
            response = self._client.get(path, params=query)
            response.raise_for_status()
            body = orjson.loads(response.content)
            yield body[key]
            if not body.get("hasMore"):
                return
            query = {name: value for name, value in params.items() if name not in FIRST_PAGE_ONLY}
            query["paginationToken"] = body["paginationToken"]

    def conversation_items(self, conversation_id: str) -> list[Row]:
        pages = self.listing(
            f"conversations/{conversation_id}/items",
            {"pageSize": 200, "order": "oldest_first"},
            "conversationItems",
        )
        return [item for page in pages for item in page]


def run_raw_bound(base_url: str, api_token: str, duckdb_path: Path, concurrency: int) -> None:
    """Fetch, flatten and load contacts, conversations and their items."""
    fetcher = RawFetcher(base_url, api_token, concurrency)
    loader = ChunkedLoader(duckdb_path)
    try:
        for page in fetcher.listing("contacts", {"pageSize": 500}, "contacts"):
            loader.add("contacts", page)
        conversation_ids: list[str] = []
        conversations = {"pageSize": 200, "orderBy": "last_message"}
        for page in fetcher.listing("conversations", conversations, "conversations"):
            loader.add("conversations", page)
            conversation_ids += [conversation["id"] for conversation in page]
        _load_items(fetcher, loader, conversation_ids, concurrency)
        loader.flush()
    finally:
        fetcher.close()
        loader.close()


def _load_items(
    fetcher: RawFetcher, loader: ChunkedLoader, conversation_ids: list[str], concurrency: int
) -> None:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for start in range(0, len(conversation_ids), CONVERSATION_BATCH):
            batch = conversation_ids[start : start + CONVERSATION_BATCH]
            for items in pool.map(fetcher.conversation_items, batch):
                loader.add("conversation_items", items)


class ChunkedLoader:
    """Flattens records and inserts them into DuckDB whenever a chunk is full."""

    def __init__(self, duckdb_path: Path) -> None:
        self._connection = duckdb.connect(str(duckdb_path))
        self._connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{DATASET}"')
        self._rows = TableRows()

    def add(self, table: str, records: list[Row]) -> None:
        self._rows.add_records(table, records)
        if self._rows.row_count() >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        for table, rows in self._rows.drain().items():
            insert_arrow(self._connection, DATASET, table, rows_to_arrow(rows))

    def close(self) -> None:
        self._connection.close()
