"""Weighted random choice with the cumulative weights computed once, not per call."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

Choice = TypeVar("Choice")


class Weighted(Generic[Choice]):
    """A fixed distribution; ``pick`` costs one random number and one bisect."""

    def __init__(self, choices: Sequence[Choice], weights: Sequence[float]) -> None:
        self._choices = tuple(choices)
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, rng: Random) -> Choice:
        return self._choices[bisect_right(self._cumulative, rng.random() * self._total)]


def pick(rng: Random, choices: Sequence[Choice]) -> Choice:
    """A uniform choice, cheaper than ``Random.choice`` (one ``random()`` call)."""
    return choices[int(rng.random() * len(choices))]
