"""The award model copied into PuLP, for CBC: PuLP writes it out for the CBC program.

HiGHS takes the model's arrays directly (:mod:`optimiser.highs`); CBC runs as a separate
program on a file PuLP writes, so it needs PuLP's objects. The copy keeps the column names
and the row names and order, so the file is the one the model describes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pulp

from optimiser.linear import Columns, Linear, Row, Values

__all__ = ["PulpModel"]


class PulpModel:
    """One ``LpProblem`` holding a model's columns, with rows added as they come.

    Args:
        columns: The model's columns.
        name: The problem's name (in the file written for the solver).
    """

    def __init__(self, columns: Columns, name: str) -> None:
        self.problem = pulp.LpProblem(name, pulp.LpMinimize)
        self.names = list(columns.names)
        self._column = {name: i for i, name in enumerate(self.names)}
        self.variables = [
            self.problem.add_variable(
                name,
                float(low) if np.isfinite(low) else None,
                float(high) if np.isfinite(high) else None,
                cat=pulp.LpInteger if integer else pulp.LpContinuous,
            )
            for name, low, high, integer in zip(
                self.names,
                columns.lower.tolist(),
                columns.upper.tolist(),
                columns.integer.tolist(),
                strict=True,
            )
        ]

    def expression(self, linear: Linear) -> pulp.LpAffineExpression:
        """``linear`` over this problem's variables."""
        variables = self.variables
        return pulp.LpAffineExpression(
            [
                (variables[column], coefficient)
                for column, coefficient in zip(
                    linear.columns.tolist(), linear.coefficients.tolist(), strict=True
                )
            ]
        )

    def add_rows(self, rows: Iterable[tuple[str, Row]]) -> None:
        """Add rows for good, under their names."""
        for name, row in rows:
            expression = self.expression(row.expression)
            if row.lower is not None and row.lower == row.upper:
                constraint = pulp.LpConstraint(expression, pulp.LpConstraintEQ, rhs=row.lower)
            elif row.upper is not None and row.lower is None:
                constraint = pulp.LpConstraint(expression, pulp.LpConstraintLE, rhs=row.upper)
            elif row.lower is not None and row.upper is None:
                constraint = pulp.LpConstraint(expression, pulp.LpConstraintGE, rhs=row.lower)
            else:
                raise ValueError(f"row {name}: one bound or an equality is needed, not both")
            self.problem.addConstraint(constraint, name)

    def set_objective(self, objective: Linear) -> None:
        """Minimise ``objective``."""
        self.problem.setObjective(self.expression(objective))

    def by_name(self, vector: np.ndarray) -> dict[str, float]:
        """Column values in column order as values by name (PuLP's warm start)."""
        return dict(zip(self.names, vector.tolist(), strict=True))

    def values(self, by_name: dict[str, float]) -> Values:
        """Values by name (PuLP's solution; a column in no row reads 0) in column order."""
        vector = np.zeros(len(self.names))
        for name, value in by_name.items():
            column = self._column.get(name)
            if column is not None:
                vector[column] = value
        return Values(self._column, vector)
