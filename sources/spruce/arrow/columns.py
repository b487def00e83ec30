"""Typed Arrow columns for flattened rows, with the types dlt's normalizer would give.

A column the schema knows keeps its type. A new one gets the type dlt infers from its
first value (its ``detections``: an ISO timestamp string becomes a timestamp). A value
that does not fit the type (a changed type, a string that is not a timestamp) raises
`UnsupportedPage`: the page then takes dlt's own path, which makes a variant column or
applies the table's schema contract exactly as before. A column with only nulls is left
out, as dlt creates no column from nulls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
from dlt.common.data_types.typing import TDataType
from dlt.common.schema.typing import TColumnSchema
from dlt.common.schema.utils import autodetect_sc_type

from sources.spruce.arrow.flatten import Row, UnsupportedPage

TIMESTAMP = pa.timestamp("us", tz="UTC")
# dlt's type -> how an array pyarrow inferred from the values becomes that type.
_Convert = Callable[[pa.Array], pa.Array]


def _as_is(array: pa.Array) -> pa.Array:
    return array


def _timestamps(array: pa.Array) -> pa.Array:
    return array.cast(TIMESTAMP)


def _doubles(array: pa.Array) -> pa.Array:
    return array.cast(pa.float64())


# (dlt type, Arrow type pyarrow inferred) -> conversion; a pair not listed does not fit.
_FITS: Mapping[tuple[TDataType | None, pa.DataType], _Convert] = {
    ("text", pa.string()): _as_is,
    ("timestamp", pa.string()): _timestamps,
    ("bigint", pa.int64()): _as_is,
    ("double", pa.float64()): _as_is,
    ("double", pa.int64()): _doubles,
    ("bool", pa.bool_()): _as_is,
}
# The type dlt gives a new column from a value's Python type, after its detections.
_INFERRED: Mapping[pa.DataType, TDataType] = {
    pa.string(): "text", pa.int64(): "bigint", pa.float64(): "double", pa.bool_(): "bool",
}


class ColumnTyper:
    """Types the columns of one table: ``known`` are the schema's columns of it."""

    def __init__(self, known: Mapping[str, TColumnSchema], detections: Sequence[str]):
        self._known = known
        self._detections = detections

    def array(self, name: str, values: list[Any]) -> pa.Array | None:
        """The column ``name`` as Arrow, None when it holds only nulls."""
        try:
            inferred = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as mixed:
            raise UnsupportedPage(f"mixed types in column {name}") from mixed
        if inferred.null_count == len(inferred):
            return None
        target = self._target_type(name, inferred)
        convert = _FITS.get((target, inferred.type))
        if convert is None:
            raise UnsupportedPage(f"column {name}: {inferred.type} does not fit {target}")
        try:
            return convert(inferred)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as unfit:
            raise UnsupportedPage(f"column {name}: a value does not fit {target}") from unfit

    def _target_type(self, name: str, inferred: pa.Array) -> TDataType | None:
        """The schema's type of ``name``; for a new column, dlt's inference from the first
        value (what its normalizer sees first)."""
        known = self._known.get(name, {}).get("data_type")
        if known is not None:
            return known
        if inferred.type == pa.string() and self._detections:
            first = next(value for value in inferred if value.is_valid).as_py()
            detected = autodetect_sc_type(self._detections, str, first)  # type: ignore[arg-type]
            if detected is not None:
                return detected
        return _INFERRED.get(inferred.type)


def table_arrays(rows: list[Row], typer: ColumnTyper) -> dict[str, pa.Array]:
    """Each column of ``rows`` (the union of their keys, in order of appearance) as Arrow."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    arrays = {}
    for name in names:
        array = typer.array(name, [row.get(name) for row in rows])
        if array is not None:
            arrays[name] = array
    return arrays
