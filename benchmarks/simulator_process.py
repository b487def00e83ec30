"""The simulator in its own process, driven over a pipe.

Issue 6 wants the simulator's CPU kept out of the pipeline's figures and off the
pipeline's GIL, so it runs in a ``spawn`` child that serves HTTP on a free loopback port
and answers a few commands (counters, advance, a snapshot for the request floors) from the parent.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from benchmarks.request_floor import ListingSnapshot, snapshot_from_ground_truth
from simulator import Counters, Simulator, SimulatorSettings

_START_TIMEOUT_SECONDS = 180.0
_COMMAND_TIMEOUT_SECONDS = 600.0
_STOP_TIMEOUT_SECONDS = 15.0
_STOP = "stop"
AnswerT = TypeVar("AnswerT")
logger = logging.getLogger(__name__)


class SimulatorCommandError(RuntimeError):
    """The simulator process could not start or answer a command."""


@dataclass(frozen=True)
class _Command(Generic[AnswerT]):
    """What the child runs on its simulator; the pipe carries only the name."""

    name: str
    run: Callable[..., AnswerT]


def _counters(simulator: Simulator) -> Counters:
    return simulator.counters()


def _advance(simulator: Simulator, change: dict[str, Any]) -> dict[str, Any]:
    return simulator.advance(change)


def _snapshot(simulator: Simulator) -> ListingSnapshot:
    return snapshot_from_ground_truth(simulator.ground_truth())


_COUNTERS = _Command("counters", _counters)
_ADVANCE = _Command("advance", _advance)
_SNAPSHOT = _Command("snapshot", _snapshot)
_COMMANDS: dict[str, Callable[..., object]] = {
    command.name: command.run for command in (_COUNTERS, _ADVANCE, _SNAPSHOT)
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
        except Exception as error:
            # Any error of a command is the parent's to raise; its traceback stays here, on
            # the stderr both processes share, since the parent gets only this line.
            logger.exception("the simulator's %r command failed", command)
            connection.send((False, f"{command}: {type(error).__name__}: {error}"))


class SimulatorProcess:
    """A running simulator in a child process; use as a context manager."""

    def __init__(self, settings: SimulatorSettings) -> None:
        self.settings = settings
        self.base_url = ""
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(settings, child_end), daemon=True)

    def __enter__(self) -> Self:
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

    def counters(self) -> Counters:
        """The simulator's request counters (``Simulator.counters``)."""
        return self._call(_COUNTERS)

    def advance(self, change: dict[str, Any]) -> dict[str, Any]:
        """Change the data (``Simulator.advance``); returns its summary."""
        return self._call(_ADVANCE, change)

    def listing_snapshot(self) -> ListingSnapshot:
        """What the request floors of the current data are computed from."""
        return self._call(_SNAPSHOT)

    def _call(self, command: _Command[AnswerT], *arguments: object) -> AnswerT:
        """``command``'s answer from the child; SimulatorCommandError for its error."""
        self._connection.send((command.name, arguments))
        if not self._connection.poll(_COMMAND_TIMEOUT_SECONDS):
            raise SimulatorCommandError(f"the simulator did not answer {command.name!r}")
        ok, value = self._connection.recv()
        if not ok:
            raise SimulatorCommandError(value)
        answer: AnswerT = value  # the pipe is untyped: the child sent what command.run returned
        return answer

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
