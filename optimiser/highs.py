"""The award model held in one HiGHS instance and solved level after level.

PuLP's HiGHS interface builds a new HiGHS model, column by column, at every solve, and
throws away the simplex basis; a lexicographic award solves the same rows five times or
more. Here the rows go to HiGHS once, in bulk, and each solve only changes the objective
(and adds the rows fixing the levels before it), so:

- each level first solves the **linear relaxation**, warm-started from the basis of the
  level before (primal simplex: a changed objective leaves the basis primal feasible). The
  rows of a lot award are mostly an assignment with side rows; where those do not bind, the
  relaxation's optimum is already a 0/1 award and proves the level without a branch;
- the relaxation also proves an incumbent optimal when its value meets the relaxation's
  bound rounded up (every objective here has integer coefficients on integer variables);
- only when neither holds does HiGHS branch (its MIP solver, from the incumbent).

The model is still built in PuLP (:class:`optimiser.model.AwardModel`); this module only
reads its rows. The status rules of :mod:`optimiser.solvers` hold: a time-limited incumbent
is never called optimal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Mapping

import highspy
import numpy as np
import pulp

from optimiser.result import SolveStatus
from optimiser.solvers import SolveOutcome, create_highs_quietly, demote_within_gap

__all__ = ["HighsModel"]

#: A relaxed value this close to an integer counts as that integer.
INTEGRAL = 1e-6
#: Slack taken off a relaxation bound before rounding it up (solver tolerances).
BOUND_SLACK = 1e-6
#: A reduced cost must exceed the gap by this much (in objective units, integers here) to
#: fix its column: far above HiGHS's dual tolerance, so no tie is ever fixed away.
FIX_MARGIN = 0.5

_INF = highspy.kHighsInf
_CONTINUOUS = np.uint8(int(highspy.HighsVarType.kContinuous))
_INTEGER = np.uint8(int(highspy.HighsVarType.kInteger))
_PRIMAL_SIMPLEX = 4
_CHOOSE = 1


class HighsModel:
    """One HiGHS model of an award's variables and rows, re-solved with new objectives.

    Args:
        variables: Every variable, in a fixed order (it is the column order).
        rows: The hard rows.
    """

    def __init__(self, variables: list[pulp.LpVariable], rows: Iterable[pulp.LpConstraint]) -> None:
        self._names = [var.name for var in variables]
        self._column = {name: i for i, name in enumerate(self._names)}
        self._integer = np.array(
            [i for i, var in enumerate(variables) if var.cat == pulp.LpInteger], dtype=np.int32
        )
        holder: list[highspy.Highs] = []
        create_highs_quietly(lambda: holder.append(highspy.Highs()))
        self._highs = highs = holder[0]
        highs.setOptionValue("output_flag", False)
        n = len(variables)
        lower = np.array([_bound(var.lowBound, -_INF) for var in variables], dtype=np.float64)
        upper = np.array([_bound(var.upBound, _INF) for var in variables], dtype=np.float64)
        highs.addVars(n, lower, upper)
        self._relaxed = True
        self._set_integrality(relaxed=False)
        self.add_rows(rows)
        self._n = n
        self._lower, self._upper = lower, upper
        # The last relaxation solved: its bound and reduced costs (see fix_implied).
        self._bound: float | None = None
        self._reduced: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        """The variables' names, in column order."""
        return list(self._names)

    @property
    def version(self) -> str:
        """The HiGHS version, as it reports it."""
        return str(self._highs.version())

    def add_rows(self, rows: Iterable[tuple[str, pulp.LpConstraint]]) -> None:
        """Add rows for good (hard rows, level fixes, the canonical walk's decisions)."""
        lower: list[float] = []
        upper: list[float] = []
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for _, row in rows:
            starts.append(len(index))
            for var, coefficient in row.items():
                if coefficient:
                    index.append(self._column[var.name])
                    value.append(float(coefficient))
            lo, up = row.getLb(), row.getUb()
            lower.append(-_INF if lo is None else float(lo))
            upper.append(_INF if up is None else float(up))
        if not starts:
            return
        self._highs.addRows(
            len(starts),
            np.array(lower),
            np.array(upper),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=np.float64),
        )

    def fix_implied(self, value: float) -> int:
        """Fix every column the last objective, held at ``value`` from now on, decides.

        Reduced-cost fixing: with ``d`` the reduced costs of the last relaxation's optimum
        (bound ``z``), any point of the rows has objective ``z + sum d_j (x_j - bound_j) +
        (nonnegative row terms)``, so a point at ``value`` or better keeps every column with
        ``|d_j| > value - z`` at its bound. The caller adds the row holding the objective at
        ``value``; the fixed bounds follow from it and change no feasible point, but the
        levels after it solve over the few columns left free (the ties), not all of them.

        Returns:
            How many columns were fixed.
        """
        if self._bound is None or self._reduced is None:
            return 0
        threshold = (value - self._bound) + FIX_MARGIN
        reduced = self._reduced
        at_lower = np.nonzero((reduced > threshold) & (self._lower < self._upper))[0]
        at_upper = np.nonzero((reduced < -threshold) & (self._lower < self._upper))[0]
        at_upper = at_upper[np.isfinite(self._upper[at_upper])]
        at_lower = at_lower[np.isfinite(self._lower[at_lower])]
        self._upper[at_lower] = self._lower[at_lower]
        self._lower[at_upper] = self._upper[at_upper]
        changed = np.concatenate([at_lower, at_upper]).astype(np.int32)
        if len(changed):
            self._highs.changeColsBounds(
                len(changed), changed, self._lower[changed], self._upper[changed]
            )
        self._bound = self._reduced = None
        return len(changed)

    def solve(
        self,
        objective: pulp.LpAffineExpression,
        *,
        time_limit: float,
        mip_gap: float,
        start: Mapping[str, float] | None = None,
    ) -> SolveOutcome:
        """Minimise ``objective``: the relaxation first, branching only if it must.

        Args:
            objective: Integer coefficients on the model's variables.
            time_limit: Seconds for this solve, relaxation and branching together.
            mip_gap: Relative gap at which branching may stop.
            start: A feasible value for every variable, by name (the incumbent).

        Returns:
            The outcome, with every variable's value by name when there is an award.
        """
        costs = np.zeros(self._n)
        for var, coefficient in objective.items():
            costs[self._column[var.name]] = float(coefficient)
        self._highs.changeColsCost(self._n, np.arange(self._n, dtype=np.int32), costs)
        self._bound = self._reduced = None
        incumbent = None if start is None else self._vector(start)
        deadline = time.monotonic() + time_limit
        relaxed = self._relaxation(time_limit)
        if relaxed is not None:
            values, bound = relaxed
            if self._integral(values):
                rounded = np.round(values)
                return self._outcome(SolveStatus.OPTIMAL, rounded, float(costs @ rounded), bound)
            if incumbent is not None:
                held = float(costs @ incumbent)
                if held <= math.ceil(bound - BOUND_SLACK):
                    return self._outcome(SolveStatus.OPTIMAL, incumbent, held, held)
        return self._branch(costs, incumbent, deadline - time.monotonic(), mip_gap)

    # --- inside ------------------------------------------------------------------------

    def _vector(self, values: Mapping[str, float]) -> np.ndarray:
        vector = np.zeros(self._n)
        for name, v in values.items():
            vector[self._column[name]] = v
        return vector

    def _set_integrality(self, *, relaxed: bool) -> None:
        if relaxed == self._relaxed or not len(self._integer):
            self._relaxed = relaxed
            return
        kind = _CONTINUOUS if relaxed else _INTEGER
        self._highs.changeColsIntegrality(
            len(self._integer), self._integer, np.full(len(self._integer), kind, dtype=np.uint8)
        )
        self._relaxed = relaxed

    def _relaxation(self, seconds: float) -> tuple[np.ndarray, float] | None:
        """The relaxation's optimum and its value, or ``None`` if it was not solved."""
        highs = self._highs
        self._set_integrality(relaxed=True)
        # With the basis of the solve before, primal simplex only repairs optimality; from
        # nothing, HiGHS's own choice (dual simplex after presolve) is the faster.
        deadline = time.monotonic() + seconds
        warm = highs.getBasis().valid
        highs.setOptionValue("simplex_strategy", _PRIMAL_SIMPLEX if warm else _CHOOSE)
        highs.setOptionValue("time_limit", max(seconds, 0.01))
        highs.run()
        optimal = highspy.HighsModelStatus.kOptimal
        if highs.getModelStatus() != optimal and warm and deadline > time.monotonic():
            # A warm start that went wrong numerically: once more from nothing.
            highs.clearSolver()
            highs.setOptionValue("simplex_strategy", _CHOOSE)
            highs.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
            highs.run()
        if highs.getModelStatus() != optimal:
            return None
        solution = highs.getSolution()
        values = np.array(solution.col_value)
        self._bound = float(highs.getInfo().objective_function_value)
        self._reduced = np.array(solution.col_dual) if solution.dual_valid else None
        return values, self._bound

    def _integral(self, values: np.ndarray) -> bool:
        if not len(self._integer):
            return True
        part = values[self._integer]
        return bool(np.all(np.abs(part - np.round(part)) <= INTEGRAL))

    def _branch(
        self, costs: np.ndarray, incumbent: np.ndarray | None, seconds: float, mip_gap: float
    ) -> SolveOutcome:
        highs = self._highs
        self._set_integrality(relaxed=False)
        highs.setOptionValue("simplex_strategy", _CHOOSE)
        highs.setOptionValue("time_limit", max(seconds, 0.01))
        highs.setOptionValue("mip_rel_gap", mip_gap)
        if incumbent is not None:
            index = np.arange(self._n, dtype=np.int32)
            highs.setSolution(self._n, index, incumbent)
        highs.run()
        info = highs.getInfo()
        model_status = highs.getModelStatus()
        status = _mip_status(model_status, int(info.primal_solution_status))
        if not status.is_ok:
            return SolveOutcome(status, {}, None, None, self.version, str(model_status))
        values = np.array(highs.getSolution().col_value)
        bound = float(info.mip_dual_bound)
        outcome = self._outcome(
            status,
            values,
            float(info.objective_function_value),
            bound if abs(bound) < _INF else None,
        )
        return demote_within_gap(outcome, mip_gap)

    def _outcome(
        self, status: SolveStatus, values: np.ndarray, objective: float, bound: float | None
    ) -> SolveOutcome:
        return SolveOutcome(status, _Named(self._column, values), objective, bound, self.version)


class _Named(Mapping[str, float]):
    """Column values read by variable name, without a dict of every column per solve."""

    def __init__(self, column: dict[str, int], values: np.ndarray) -> None:
        self._column = column
        self._values = values

    def __getitem__(self, name: str) -> float:
        return float(self._values[self._column[name]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._column)

    def __len__(self) -> int:
        return len(self._column)


def _bound(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _mip_status(model_status: highspy.HighsModelStatus, primal: int) -> SolveStatus:
    """Map HiGHS's MIP status; 2 is HiGHS's "feasible" primal solution status."""
    statuses = highspy.HighsModelStatus
    if model_status == statuses.kOptimal:
        return SolveStatus.OPTIMAL
    if model_status == statuses.kInfeasible:
        return SolveStatus.INFEASIBLE
    if model_status in (statuses.kUnbounded, statuses.kUnboundedOrInfeasible):
        return SolveStatus.UNBOUNDED
    stopped = (
        statuses.kTimeLimit,
        statuses.kInterrupt,
        statuses.kIterationLimit,
        statuses.kObjectiveBound,
        statuses.kObjectiveTarget,
        statuses.kSolutionLimit,
    )
    if model_status in stopped:
        return SolveStatus.FEASIBLE_NOT_PROVEN if primal == 2 else SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR
