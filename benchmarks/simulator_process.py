"""The simulator in its own process, driven over a pipe.

Issue 6 wants the simulator's CPU kept out of the pipeline's figures and off the
pipeline's GIL, so it runs in a ``spawn`` child that serves HTTP on a free loopback port
and answers a few commands (counters, advance, a snapshot for the request floors) from the parent.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from benchmarks.request_floor import ListingSnapshot, snapshot_from_ground_truth
from simulator import Simulator, SimulatorSettings

_START_TIMEOUT_SECONDS = 180.0
_COMMAND_TIMEOUT_SECONDS = 600.0
_STOP_TIMEOUT_SECONDS = 15.0
_STOP = "stop"


class SimulatorCommandError(RuntimeError):
    """The simulator process could not start or answer a command."""


def _counters(simulator: Simulator) -> dict[str, Any]:
    return simulator.counters().to_dict()


def _advance(simulator: Simulator, change: dict[str, Any]) -> dict[str, Any]:
    return simulator.advance(change)


def _snapshot(simulator: Simulator) -> ListingSnapshot:
    return snapshot_from_ground_truth(simulator.ground_truth())


_COMMANDS: dict[str, Callable[..., Any]] = {
    "counters": _counters,
    "advance": _advance,
    "snapshot": _snapshot,
}


def _serve(settings: SimulatorSettings, connection: Connection) -> None:
    """The child: serve until the parent says stop or goes away."""
    simulator = Simulator(settings)
    with simulator.running() as base_url:
        connection.send(base_url)
        _answer_commands(simulator, connection)


def _answer_commands(simulator: Simulator, connection: Connection) -> None:
    while True:
        try:
            command, arguments = connection.recv()
        except EOFError:
            return
        if command == _STOP:
            return
        try:
            connection.send((True, _COMMANDS[command](simulator, *arguments)))
        except Exception as error:  # reported to the parent, which raises it
            connection.send((False, f"{command}: {type(error).__name__}: {error}"))


class SimulatorProcess:
    """A running simulator in a child process; use as a context manager."""

    def __init__(self, settings: SimulatorSettings) -> None:
        self.settings = settings
        self.base_url = ""
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(settings, child_end), daemon=True)

    def __enter__(self) -> SimulatorProcess:
        self._process.start()
        try:
            if not self._connection.poll(_START_TIMEOUT_SECONDS):
                raise EOFError
            self.base_url = self._connection.recv()
        except EOFError:
            self._stop()
            raise SimulatorCommandError(
                f"the simulator (scale {self.settings.scale!r}) did not start within"
                f" {_START_TIMEOUT_SECONDS:.0f} s (exit code {self._process.exitcode});"
                " its error is above"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def counters(self) -> dict[str, Any]:
        """The simulator's request counters (``Counters.to_dict()``)."""
        return self._call("counters")

    def advance(self, change: dict[str, Any]) -> dict[str, Any]:
        """Change the data (``Simulator.advance``); returns its summary."""
        return self._call("advance", change)

    def listing_snapshot(self) -> ListingSnapshot:
        """What the request floors of the current data are computed from."""
        return self._call("snapshot")

    def _call(self, command: str, *arguments: Any) -> Any:
        self._connection.send((command, arguments))
        if not self._connection.poll(_COMMAND_TIMEOUT_SECONDS):
            raise SimulatorCommandError(f"the simulator did not answer {command!r}")
        ok, value = self._connection.recv()
        if not ok:
            raise SimulatorCommandError(value)
        return value

    def _stop(self) -> None:
        if self._process.is_alive():
            try:
                self._connection.send((_STOP, ()))
            except (BrokenPipeError, OSError):
                pass
            self._process.join(_STOP_TIMEOUT_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(_STOP_TIMEOUT_SECONDS)
