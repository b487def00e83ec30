"""``webhooks serve`` put together: the receiver built from the configuration, on uvicorn.

uvicorn's access log is off (it would log each request's path and query string, and a
user's endpoint URL may carry a token in its query); the receiver logs refusals itself.
uvicorn never logs bodies or headers.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.configuration.errors import ConfigError
from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.organizations import SigningSecrets
from pipelines.webhooks.receiver import Receiver, create_app, organization_path
from pipelines.webhooks.settings import DEFAULT_INBOX
from sources.spruce.phi import PhiPolicy

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions

log = logging.getLogger("spruce_sync.webhooks")
# uvicorn waits this long for deliveries under way when stopped (SIGTERM, Ctrl-C): each
# commit takes milliseconds, and Spruce retries whatever was not answered.
GRACEFUL_SHUTDOWN_S = 5


@dataclass(frozen=True)
class Listening:
    """Where the receiver listens, for the announcement (``--json`` or text)."""

    endpoints: dict[str, str]
    inbox: str

    def to_dict(self) -> dict[str, object]:
        return {"endpoints": self.endpoints, "inbox": self.inbox}


def inbox_path(given: Path | None) -> Path:
    """The inbox file: ``given`` (relative to the working directory), else
    ``var/webhooks/inbox.sqlite`` of the project folder."""
    from pipelines.configuration.dlt_settings import in_project

    return given.resolve() if given else in_project(DEFAULT_INBOX)


def build_receiver(inbox: Path, secrets: SigningSecrets, policy: PhiPolicy | None) -> Receiver:
    """The receiver over ``inbox`` applying ``policy`` (with dlt's PHI hash key)."""
    from sources.spruce.phi import RecordProtector, resolve_hash_key
    from sources.spruce.phi.settings import EVENT_OBJECT_RESOURCES

    # The table given here is unused: `protect` names each event's table itself. Built
    # before the inbox is opened, so that a policy without its hash key opens nothing.
    protector = RecordProtector(policy or PhiPolicy(), "contacts", resolve_hash_key())
    return Receiver(Inbox.open(inbox), secrets, protector, EVENT_OBJECT_RESOURCES)


@contextmanager
def applying(
    options: SyncOptions, inbox: Path, organization: str, every: timedelta | None,
    served: SigningSecrets,
) -> Iterator[None]:  # fmt: skip
    """``organization``'s events applied every ``every`` while the block runs (the
    receiver serves): an `ApplyLoop` started first, stopped after its apply under way.
    ``every`` None applies nothing. An organization the receiver does not serve would
    never have events: `ConfigError`."""
    if every is None:
        yield
        return
    if organization not in served:
        raise ConfigError(f"--organization {organization!r} is not served; the receiver serves "
                          f"{', '.join(sorted(served))}")
    from pipelines.webhooks.apply_loop import ApplyLoop

    loop = ApplyLoop(options, inbox, organization, every).start()
    try:
        yield
    finally:
        loop.stop()


def serve(
    receiver: Receiver, host: str, port: int, announce: Callable[[Listening], None]
) -> None:
    """Listen on ``host:port`` (0: a free port), announce where, serve until stopped."""
    import uvicorn

    try:
        listener = _listening_socket(host, port)
    except ConfigError:
        receiver.close()
        raise
    config = uvicorn.Config(
        create_app(receiver), log_config=None, access_log=False, lifespan="off",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, server_header=False,
    )  # fmt: skip
    base = _base_url(listener)
    try:
        announce(Listening({slug: base + organization_path(slug) for slug in receiver.slugs},
                           str(receiver.inbox.path)))
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:
        # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again: a
        # stop asked for is the end of a server's work, not a failure.
        log.info("stopped")
    finally:
        receiver.close()
        listener.close()


def _listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening before the announcement: a delivery sent at once waits in the
    backlog until uvicorn accepts it, rather than being refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen()
    except OSError as error:  # a port taken or not ours: the user picks another
        listener.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}; "
                          "choose another --port (0 picks a free one)") from None
    return listener


def _base_url(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
