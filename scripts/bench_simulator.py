"""How fast the simulator serves, and what it costs to start at the largest scale.

    .venv/bin/python scripts/bench_simulator.py [--scale medium] [--runs 5] [--concurrency 8]

Throughput: the simulator runs in its own process (``simulator serve``, so that the
client does not share its interpreter); a concurrent httpx client pages the items of the
conversations that fill 200-item pages, ``--runs`` times; the median items/s is reported.
Start-up: ``serve --scale large`` from spawn to its printed URL, with the peak RSS
(VmHWM) of the process then. Figures go to stdout as one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
PAGE_SIZE = 200
logger = logging.getLogger("bench_simulator")


@contextmanager
def served(scale: str) -> Iterator[tuple[str, subprocess.Popen[str], float]]:
    """``simulator serve`` in a child; yields its base URL, the process, seconds to start."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--scale", scale,
         "--token", TOKEN], cwd=ROOT, text=True, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http"):
            raise RuntimeError(f"the simulator did not start at scale {scale}")
        yield base_url, process, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(30)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def full_conversations(client: httpx.AsyncClient) -> list[str]:
    """Conversations with at least one full page of items."""
    found: list[str] = []
    params: dict[str, str | int] = {"orderBy": "created", "pageSize": 200}
    while True:
        page = orjson.loads((await client.get("/conversations", params=params)).content)
        for conversation in page["conversations"]:
            first = await client.get(f"/conversations/{conversation['id']}/items",
                                     params={"pageSize": 1})  # fmt: skip
            if orjson.loads(first.content)["totalCount"] >= PAGE_SIZE:
                found.append(conversation["id"])
        if not page["hasMore"]:
            return found
        params = {"orderBy": "created", "pageSize": 200, "paginationToken": page["paginationToken"]}


async def page_items(client: httpx.AsyncClient, conversation_id: str) -> int:
    """Items read by paging one conversation to its end."""
    params: dict[str, str | int] = {"pageSize": PAGE_SIZE, "order": "oldest_first"}
    count = 0
    while True:
        page = orjson.loads((await client.get(f"/conversations/{conversation_id}/items",
                                              params=params)).content)  # fmt: skip
        count += len(page["conversationItems"])
        if not page["hasMore"]:
            return count
        params = {"pageSize": PAGE_SIZE, "paginationToken": page["paginationToken"]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def client_pass(base_url: str, conversations: list[str], concurrency: int) -> int:
    """One client: page every conversation to its end, ``concurrency`` requests at a time."""
    gate = asyncio.Semaphore(concurrency)
    async with _client(base_url, concurrency) as client:

        async def bounded(conversation_id: str) -> int:
            async with gate:
                return await page_items(client, conversation_id)

        return sum(await asyncio.gather(*(bounded(c) for c in conversations)))


def _client_process(base_url: str, conversations: list[str], concurrency: int) -> int:
    return asyncio.run(client_pass(base_url, conversations, concurrency))


def _client(base_url: str, concurrency: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"},
        limits=httpx.Limits(max_connections=concurrency), timeout=60,
    )  # fmt: skip


def one_run(
    pool: ProcessPoolExecutor, base_url: str, conversations: list[str], concurrency: int,
    clients: int, server_pid: int,
) -> tuple[float, float]:  # fmt: skip
    """(items/s the clients received, items per CPU-second of the server) over one pass.

    Each client process pages every full conversation; httpx's parsing is the costly
    side on two shared cores, so the second figure is the server's own capacity.
    """
    started, cpu_before = time.perf_counter(), cpu_seconds(server_pid)
    passes = [pool.submit(_client_process, base_url, conversations, concurrency)
              for _ in range(clients)]  # fmt: skip
    items = sum(future.result() for future in passes)
    server_cpu = max(cpu_seconds(server_pid) - cpu_before, 1e-9)
    return items / (time.perf_counter() - started), items / server_cpu


def throughput(
    base_url: str, runs: int, concurrency: int, clients: int, pid: int
) -> dict[str, object]:
    async def discover() -> list[str]:
        async with _client(base_url, concurrency) as client:
            return await full_conversations(client)

    conversations = asyncio.run(discover())
    with ProcessPoolExecutor(clients) as pool:
        results = [one_run(pool, base_url, conversations, concurrency, clients, pid)
                   for _ in range(runs)]  # fmt: skip
    seen, capacity = zip(*results)
    return {"conversations": len(conversations), "runs_items_per_s": [round(r) for r in seen],
            "median_items_per_s": round(statistics.median(seen)),
            "median_items_per_server_cpu_s": round(statistics.median(capacity))}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", help="scale served for throughput")
    parser.add_argument("--startup-scale", default="large", help="scale whose start is timed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight per client")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    arguments = parser.parse_args()
    figures: dict[str, object] = {
        "scale": arguments.scale,
        "clients": arguments.clients,
        "concurrency_per_client": arguments.concurrency,
    }
    with served(arguments.scale) as (base_url, process, _):
        figures.update(
            throughput(
                base_url, arguments.runs, arguments.concurrency, arguments.clients, process.pid
            )
        )
        figures["serving_peak_rss_mb"] = round(peak_rss_mb(process.pid))
    with served(arguments.startup_scale) as (_, process, seconds):
        figures["startup_scale"] = arguments.startup_scale
        figures["startup_seconds"] = round(seconds, 2)
        figures["startup_peak_rss_mb"] = round(peak_rss_mb(process.pid))
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
