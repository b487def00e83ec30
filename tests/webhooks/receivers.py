"""``spruce-sync webhooks serve`` as its own process, and deliveries signed like Spruce's.

The receiver runs the way a user runs it (the console entry point, a project folder with
``.dlt/``, the secret in the environment); its stdout and stderr go to files, so that a
test can scan everything it printed after it stopped or was killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from pipelines.webhooks.receiver import organization_path
from pipelines.webhooks.signature import sign

# The CLI's entry point with the venv's interpreter (no reliance on PATH).
CLI = [sys.executable, "-c", "from pipelines.cli import main; main()"]
SIGNING_SECRET = "whsec-current-0123456789abcdef"
# The secret being rotated out: still configured, so deliveries signed with it pass.
OLD_SIGNING_SECRET = "whsec-previous-fedcba9876543210"
# A value no output may contain: it stands for a patient's name in every payload.
PATIENT_MARKER = "Zebulon-Quaxworth-7781"
# A hang guard, not a timing assertion: startup imports dlt (seconds on a busy machine).
START_TIMEOUT_S = 90.0
HTTP_TIMEOUT_S = 30.0
# Variables of the developer's environment that would change what the receiver reads.
_LEAKY_PREFIXES = ("SOURCES__", "DESTINATION__", "SPRUCE_SYNC_", "PIPELINES__")


def envelope(
    kind: str = "contact.updated", resource_id: str = "entity_1", event_id: str | None = None,
    event_time: str = "2025-03-01T12:00:00.000Z", **resource: Any,
) -> bytes:  # fmt: skip
    """The raw body of one delivery, as Spruce sends it; the resource's fields are given
    in snake_case (``given_name=``) and sent in the API's camelCase (``givenName``)."""
    fields = {_camel(name): value for name, value in resource.items()}
    event: dict[str, Any] = {"object": "event", "type": kind, "eventTime": event_time,
                             "data": {"object": {"id": resource_id, **fields}}}
    if event_id is not None:
        event["id"] = event_id
    return orjson.dumps(event)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def project_env(project: Path, **extra: str) -> dict[str, str]:
    """The environment of a receiver run in ``project``: nothing inherited that configures
    spruce-sync, dlt's telemetry off, the signing secrets of a rotation in progress."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(_LEAKY_PREFIXES)}
    env.update(DLT_PROJECT_DIR=str(project), RUNTIME__DLTHUB_TELEMETRY="false",
               DLT_DATA_DIR=str(project / "dlt-data"),
               SOURCES__SPRUCE__WEBHOOK_SIGNING_SECRET=f"{SIGNING_SECRET},{OLD_SIGNING_SECRET}")
    env.update(extra)
    return env


@dataclass
class Receiver:
    """One running ``webhooks serve``: where it listens, its inbox, what it printed."""

    project: Path
    process: subprocess.Popen[bytes]
    endpoints: dict[str, str]
    inbox: Path
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=HTTP_TIMEOUT_S))

    @property
    def base_url(self) -> str:
        return next(iter(self.endpoints.values())).rsplit("/webhooks/", 1)[0]

    def post(self, body: bytes, signature: str | bytes | None = "sign", slug: str = "default",
             secret: str = SIGNING_SECRET) -> httpx.Response:
        """POST ``body``; ``signature`` "sign" signs it with ``secret``, None sends none."""
        headers: dict[bytes, bytes] = {b"content-type": b"application/json"}
        if signature is not None:
            value = sign(body, secret) if signature == "sign" else signature
            headers[b"x-spruce-signature"] = value.encode() if isinstance(value, str) else value
        url = self.endpoints.get(slug) or self.base_url + organization_path(slug)
        return self.client.post(url, content=body, headers=headers)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(self.base_url + path)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the process; its exit code."""
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=START_TIMEOUT_S)

    def output(self) -> str:
        """Everything the process printed on stdout and stderr."""
        return "".join((self.project / name).read_text(encoding="utf-8", errors="replace")
                       for name in ("receiver.stdout", "receiver.stderr"))


def start_receiver(project: Path, *args: str, env: Mapping[str, str] | None = None) -> Receiver:
    """Start ``spruce-sync webhooks serve --port 0 --json`` in ``project`` and wait until
    it announces where it listens (its first stdout line)."""
    stdout, stderr = project / "receiver.stdout", project / "receiver.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [*CLI, "webhooks", "serve", "--port", "0", "--json", *args],
            cwd=project, env=dict(env or project_env(project)), stdout=out, stderr=err,
        )  # fmt: skip
    announcement = _first_line(stdout, process)
    return Receiver(project, process, announcement["endpoints"], Path(announcement["inbox"]))


def _first_line(stdout: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        text = stdout.read_text(encoding="utf-8")
        if text.endswith("\n"):
            document: dict[str, Any] = orjson.loads(text.splitlines()[0])
            return document
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the receiver did not start (exit code {process.wait()}): "
                       f"{stdout.with_suffix('.stderr').read_text(encoding='utf-8')}")
