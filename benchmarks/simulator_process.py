"""The simulator in its own process, driven over a pipe.

Issue 6 wants the simulator's CPU kept out of the pipeline's figures and off the
pipeline's GIL, so it runs in a ``spawn`` child that serves HTTP on a free loopback port
and answers a few commands (counters, advance, a snapshot for the request floors) from the parent.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
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
class ChildCommand(Generic[AnswerT]):
    """What the child runs on its simulator; the pipe carries only the name."""

    name: str
    run: Callable[..., AnswerT]


def _counters(simulator: Simulator) -> Counters:
    return simulator.counters()


def _advance(simulator: Simulator, change: dict[str, Any]) -> dict[str, Any]:
    return simulator.advance(change)


def _snapshot(simulator: Simulator) -> ListingSnapshot:
    return snapshot_from_ground_truth(simulator.ground_truth())


_COUNTERS = ChildCommand("counters", _counters)
_ADVANCE = ChildCommand("advance", _advance)
_SNAPSHOT = ChildCommand("snapshot", _snapshot)
_COMMANDS = (_COUNTERS, _ADVANCE, _SNAPSHOT)


def _serve(
    build: Callable[[Any], Any], settings: object,
    commands: Mapping[str, Callable[..., object]], connection: Connection,
) -> None:  # fmt: skip
    """The child: serve ``build(settings)`` until the parent says stop or goes away."""
    served = build(settings)
    with served.running() as base_url:
        connection.send(base_url)
        _answer_commands(served, commands, connection)


def _answer_commands(
    served: object, commands: Mapping[str, Callable[..., object]], connection: Connection
) -> None:
    while True:
        try:
            command, arguments = connection.recv()
        except EOFError:
            return
        if command == _STOP:
            return
        try:
            connection.send((True, commands[command](served, *arguments)))
        except Exception as error:
            # Any error of a command is the parent's to raise; its traceback stays here, on
            # the stderr both processes share, since the parent gets only this line.
            logger.exception("the simulator's %r command failed", command)
            connection.send((False, f"{command}: {type(error).__name__}: {error}"))


class ChildServer:
    """A simulator (``build(settings)``) served by a ``spawn`` child, answering
    ``commands`` over a pipe; use as a context manager. ``described`` names it in errors."""

    def __init__(
        self, build: Callable[[Any], Any], settings: object,
        commands: Sequence[ChildCommand[Any]], described: str,
    ) -> None:  # fmt: skip
        self.base_url = ""
        self._described = described
        context = multiprocessing.get_context("spawn")
        self._connection, child_end = context.Pipe()
        table = {command.name: command.run for command in commands}
        self._process = context.Process(
            target=_serve, args=(build, settings, table, child_end), daemon=True)

    def __enter__(self) -> Self:
        self._process.start()
        try:
            if not self._connection.poll(_START_TIMEOUT_SECONDS):
                raise EOFError
            self.base_url = self._connection.recv()
        except EOFError:
            self._stop()
            raise SimulatorCommandError(
                f"{self._described} did not start within {_START_TIMEOUT_SECONDS:.0f} s"
                f" (exit code {self._process.exitcode}); its error is above"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def _call(self, command: ChildCommand[AnswerT], *arguments: object) -> AnswerT:
        """``command``'s answer from the child; SimulatorCommandError for its error."""
        self._connection.send((command.name, arguments))
        if not self._connection.poll(_COMMAND_TIMEOUT_SECONDS):
            raise SimulatorCommandError(f"{self._described} did not answer {command.name!r}")
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


class SimulatorProcess(ChildServer):
    """A running simulator in a child process; use as a context manager."""

    def __init__(self, settings: SimulatorSettings) -> None:
        super().__init__(Simulator, settings, _COMMANDS,
                         f"the simulator (scale {settings.scale!r})")  # fmt: skip
        self.settings = settings

    def counters(self) -> Counters:
        """The simulator's request counters (``Simulator.counters``)."""
        return self._call(_COUNTERS)

    def advance(self, change: dict[str, Any]) -> dict[str, Any]:
        """Change the data (``Simulator.advance``); returns its summary."""
        return self._call(_ADVANCE, change)

    def listing_snapshot(self) -> ListingSnapshot:
        """What the request floors of the current data are computed from."""
        return self._call(_SNAPSHOT)
