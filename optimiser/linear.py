"""Integer linear expressions and rows over a model's columns, held as numpy arrays.

The award model is built here rather than in PuLP: a PuLP variable is a Python object with
a name, a dict entry per row it is in and a hash computed from its name, so a tender of
1000 lots x 500 bidders took seconds and gigabytes to build before any solver saw it, and
HiGHS then needed the same rows read back out of those objects. Here a column is a number,
an expression two arrays (columns and integer coefficients), and HiGHS gets the arrays as
they are; only CBC, which PuLP runs as a separate program, gets a PuLP copy
(:mod:`optimiser.pulp_model`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Columns", "Linear", "Row", "Values"]


@dataclass(frozen=True)
class Columns:
    """A model's columns: names (the column order is theirs), bounds and integrality."""

    names: list[str]
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


class Linear:
    """``sum coefficients[i] * column columns[i]``, integer coefficients, columns distinct.

    Terms keep the order they were given in (the order of the rows sent to the solvers).
    """

    __slots__ = ("coefficients", "columns")

    def __init__(self, columns: np.ndarray | list[int], coefficients: np.ndarray | list[int]):
        self.columns = np.asarray(columns, dtype=np.int64)
        self.coefficients = np.asarray(coefficients, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.columns)

    def __neg__(self) -> Linear:
        return Linear(self.columns, -self.coefficients)

    def __mul__(self, factor: int) -> Linear:
        return Linear(self.columns, self.coefficients * factor)

    __rmul__ = __mul__

    def __add__(self, other: Linear) -> Linear:
        """The sum; a column in both gets one term (solvers refuse repeated columns)."""
        columns = np.concatenate([self.columns, other.columns])
        coefficients = np.concatenate([self.coefficients, other.coefficients])
        unique, first, inverse = np.unique(columns, return_index=True, return_inverse=True)
        if len(unique) == len(columns):
            return Linear(columns, coefficients)
        summed = np.zeros(len(unique), dtype=np.int64)
        np.add.at(summed, inverse, coefficients)
        order = np.argsort(first, kind="stable")
        return Linear(unique[order], summed[order])

    def at_most(self, value: int) -> Row:
        """The row ``self <= value``."""
        return Row(self, None, value)

    def at_least(self, value: int) -> Row:
        """The row ``self >= value``."""
        return Row(self, value, None)

    def equal_to(self, value: int) -> Row:
        """The row ``self == value``."""
        return Row(self, value, value)

    def vector(self, size: int) -> np.ndarray:
        """The coefficients as a dense vector over ``size`` columns (a cost vector)."""
        dense = np.zeros(size)
        dense[self.columns] = self.coefficients
        return dense

    def value(self, values: np.ndarray) -> float:
        """The expression's value at ``values`` (every column's value, in column order)."""
        return float(self.coefficients @ values[self.columns])

    def text(self, names: list[str]) -> str:
        """``+2 x_B1_L1 -1 w`` in term order, for messages and tests."""
        terms = zip(self.columns.tolist(), self.coefficients.tolist(), strict=True)
        return " ".join(f"{c:+d} {names[i]}" for i, c in terms)


@dataclass(frozen=True)
class Row:
    """``lower <= expression <= upper``; ``None`` is no bound on that side."""

    expression: Linear
    lower: int | None
    upper: int | None

    def text(self, names: list[str]) -> str:
        """``1 <= +1 x_B1_L1 +1 v_L1`` style, for messages and tests."""
        body = self.expression.text(names)
        if self.lower is not None and self.lower == self.upper:
            return f"{body} = {self.lower}"
        low = "" if self.lower is None else f"{self.lower} <= "
        high = "" if self.upper is None else f" <= {self.upper}"
        return f"{low}{body}{high}"

    def holds(self, values: np.ndarray) -> bool:
        """Whether ``values`` (every column's, integers) meet the row exactly."""
        value = round(self.expression.value(values))
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value <= self.upper
        )


class Values(Mapping[str, float]):
    """A solve's value of every column, in column order, also readable by column name."""

    def __init__(self, column: Mapping[str, int], vector: np.ndarray) -> None:
        self._column = column
        self._vector = vector

    @property
    def vector(self) -> np.ndarray:
        """The values in column order."""
        return self._vector

    def __getitem__(self, name: str) -> float:
        return float(self._vector[self._column[name]])

    def get(self, name: str, default: float | None = None) -> float | None:  # type: ignore[override]
        """As a dict's (Mapping's goes through ``__getitem__`` and an exception handler)."""
        column = self._column.get(name)
        return default if column is None else float(self._vector[column])

    def __iter__(self) -> Iterator[str]:
        return iter(self._column)

    def __len__(self) -> int:
        return len(self._column)
