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

A large award's first relaxation, from no basis, is solved by **sifting** over the columns
grouped by lot: a second HiGHS model holds every row still bounded but only the
incumbent's columns, each lot's best few and the columns outside the groups that a row
needs (the other columns are held at their lower bound); the reduced costs of the held
columns, priced from its row duals, then say which could improve it, each lot's most
promising are let in, and this repeats until none could. The last relaxation is then the
optimum of the whole one: every held column prices out; its basis is kept for the next
solve. On 1000 lots x 500 bidders this takes under 3 s where the whole relaxation took
over ten, and 16 s at 2000 x 1000. The levels after are
sifted too, each from the columns the one before let in and from its basis (a warm-started
simplex over the whole model pays for every held column at each pivot). When the first
relaxation is fractional, HiGHS branches first over the sifted columns only, the others held
at zero: a much smaller MIP whose best award is feasible for the whole model and often
proves it (its value meets the bound). Otherwise the columns whose reduced cost shows they
cannot beat that award are fixed at zero, and HiGHS branches over what is left of the whole
model.

The model comes as arrays (:class:`optimiser.model.AwardModel`, :mod:`optimiser.linear`),
which go to HiGHS as they are. The status rules of :mod:`optimiser.solvers` hold: a
time-limited incumbent is never called optimal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

import highspy
import numpy as np

from optimiser.linear import Columns, Linear, Row, Values
from optimiser.result import SolveStatus
from optimiser.solvers import (
    SolveOutcome,
    create_highs_quietly,
    demote_within_gap,
    highs_threads,
)

__all__ = ["HighsModel"]

#: A relaxed value this close to an integer counts as that integer.
INTEGRAL = 1e-6
#: Slack taken off a relaxation bound before rounding it up (solver tolerances).
BOUND_SLACK = 1e-6
#: A reduced cost must exceed the gap by this much (in objective units, integers here) to
#: fix its column: far above HiGHS's dual tolerance, so no tie is ever fixed away.
FIX_MARGIN = 0.5
#: Seconds left below which a solve does not start HiGHS's MIP solver (see _out_of_time).
MIN_BRANCH_SECONDS = 0.05
#: Grouped columns from which the first relaxation is solved by sifting (fewer: whole).
SIFT_FROM = 20_000
#: Each group's best columns (by objective) in the first sifting round...
SIFT_START = 30
#: ... and its most promising held columns let in at each round after.
SIFT_ADD = 20
#: A held column whose reduced cost is below minus this could improve the relaxation.
PRICE_TOLERANCE = 1e-7

_INF = highspy.kHighsInf
_CONTINUOUS = np.uint8(int(highspy.HighsVarType.kContinuous))
_INTEGER = np.uint8(int(highspy.HighsVarType.kInteger))
_PRIMAL_SIMPLEX = 4
_CHOOSE = 1
_STATUS = {int(state): state for state in highspy.HighsBasisStatus.__members__.values()}
_AT_LOWER = int(highspy.HighsBasisStatus.kLower)
_BASIC = highspy.HighsBasisStatus.kBasic
_FREE_AT_ZERO = highspy.HighsBasisStatus.kZero


class HighsModel:
    """One HiGHS model of an award's columns and rows, re-solved with new objectives.

    Args:
        columns: Every column, with its bounds and integrality.
        rows: The hard rows.
        groups: For sifting, the group (a lot) of each assignment column as a number, -1
            for columns always in the sifted relaxation; ``None``: no groups.
    """

    def __init__(
        self,
        columns: Columns,
        rows: Iterable[tuple[str, Row]],
        *,
        groups: np.ndarray | None = None,
    ) -> None:
        self._names = list(columns.names)
        self._column_index: dict[str, int] | None = None
        n = len(columns)
        self._group = (
            np.full(n, -1, dtype=np.int64) if groups is None else np.asarray(groups, np.int64)
        )
        self._integer = np.flatnonzero(columns.integer).astype(np.int32)
        self._highs = highs = _new_highs()
        lower = np.array(columns.lower, dtype=np.float64)
        upper = np.array(columns.upper, dtype=np.float64)
        highs.addVars(n, lower, upper)
        self._lower, self._upper = lower, upper
        self._relaxed = True
        self._set_integrality(relaxed=False)
        self._n = n
        self._row_of: dict[str, int] = {}
        # The rows' bounds as HiGHS has them (each sifting's subset starts from them).
        self._row_lower = np.zeros(0)
        self._row_upper = np.zeros(0)
        # The last sifting's basis, where the next starts: each column's status as a number,
        # each row's (see _sifted).
        self._basis: tuple[np.ndarray, list[highspy.HighsBasisStatus]] | None = None
        self.add_rows(rows)
        # The last relaxation solved: its bound and reduced costs (see fix_implied).
        self._bound: float | None = None
        self._reduced: np.ndarray | None = None
        # The columns a converged sifting of this solve's relaxation let in.
        self._inside: np.ndarray | None = None
        # ... and of the last solve that sifted: where the next one starts.
        self._working: np.ndarray | None = None
        # The longest a relaxation of this model took from no basis (see _may_branch).
        self._cold_seconds = 0.0

    @property
    def names(self) -> list[str]:
        """The variables' names, in column order."""
        return list(self._names)

    @property
    def version(self) -> str:
        """The HiGHS version, as it reports it."""
        return str(self._highs.version())

    def add_rows(self, rows: Iterable[tuple[str, Row]]) -> None:
        """Add rows for good (hard rows, level fixes, the canonical walk's decisions)."""
        lower: list[float] = []
        upper: list[float] = []
        sizes: list[int] = []
        parts: list[np.ndarray] = []
        values: list[np.ndarray] = []
        names: list[str] = []
        for name, row in rows:
            if self._fixes_at_zero(row):
                continue
            names.append(name)
            sizes.append(len(row.expression))
            parts.append(row.expression.columns)
            values.append(row.expression.coefficients)
            lower.append(-_INF if row.lower is None else float(row.lower))
            upper.append(_INF if row.upper is None else float(row.upper))
        if not names:
            return
        first = self._highs.getNumRow()
        self._row_of.update((name, first + i) for i, name in enumerate(names))
        columns = np.concatenate(parts).astype(np.int32)
        coefficients = np.concatenate(values).astype(np.float64)
        begins = np.r_[0, np.cumsum(sizes[:-1], dtype=np.int64)].astype(np.int32)
        kept = coefficients != 0
        if not kept.all():
            # Zero terms left out: each row starts after the terms kept before it.
            begins = np.r_[0, np.cumsum(kept)][begins].astype(np.int32)
            columns, coefficients = columns[kept], coefficients[kept]
        self._row_lower = np.r_[self._row_lower, lower]
        self._row_upper = np.r_[self._row_upper, upper]
        if self._basis is not None:
            # As HiGHS extends a basis: each new row basic.
            self._basis[1].extend([_BASIC] * len(names))
        self._highs.addRows(
            len(begins),
            np.array(lower),
            np.array(upper),
            len(columns),
            begins,
            columns,
            coefficients,
        )

    def relax(self, names: Iterable[str]) -> None:
        """Let the named rows go: rows the ones added since imply for every award."""
        index = np.array([self._row_of[n] for n in names if n in self._row_of], dtype=np.int32)
        if len(index):
            free = np.full(len(index), _INF)
            self._row_lower[index], self._row_upper[index] = -_INF, _INF
            self._highs.changeRowsBounds(len(index), index, -free, free)
            if self._basis is not None:
                rows = self._basis[1]
                for i in index.tolist():
                    # A nonbasic row without bounds sits at zero (HiGHS's status for it).
                    rows[i] = _BASIC if rows[i] == _BASIC else _FREE_AT_ZERO

    def _fixes_at_zero(self, row: Row) -> bool:
        """Hold the columns of ``sum a_j x_j <= 0`` (all ``a_j > 0``, ``x_j >= 0``) at 0.

        Such a row (a coverage level fixed at no vacancy) allows only zero, so its columns
        are fixed by bound instead: a warm-started simplex, which skips presolve, would
        otherwise carry the row through every pivot.
        """
        if row.upper != 0 or row.lower is not None:
            return False
        terms = row.expression
        # The array's own min: tens of thousands of rows (the holds rows) come through here.
        if not len(terms) or terms.coefficients.min() <= 0:
            return False
        index = terms.columns.astype(np.int32)
        if np.any(self._lower[index] != 0):
            return False
        self._upper[index] = 0.0
        self._highs.changeColsBounds(len(index), index, self._lower[index], self._upper[index])
        return True

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
        objective: Linear,
        *,
        time_limit: float,
        mip_gap: float,
        start: np.ndarray | None = None,
        round_off: Callable[[np.ndarray], np.ndarray | None] | None = None,
    ) -> SolveOutcome:
        """Minimise ``objective``: the relaxation first, branching only if it must.

        Args:
            objective: Integer coefficients on the model's variables.
            time_limit: Seconds for this solve, relaxation and branching together.
            mip_gap: Relative gap at which branching may stop.
            start: A feasible value of every column, in column order (the incumbent).
            round_off: Given a fractional relaxation's values, a feasible point near them
                (every column's value) or ``None``: the incumbent if it is better.

        Returns:
            The outcome, with every column's value when there is an award.
        """
        costs = objective.vector(self._n)
        self._highs.changeColsCost(self._n, np.arange(self._n, dtype=np.int32), costs)
        self._bound = self._reduced = None
        incumbent = None if start is None else np.asarray(start, dtype=np.float64)
        began = time.monotonic()
        deadline = began + time_limit
        self._inside = None
        cold = self._basis is None and not self._highs.getBasis().valid
        if self._sifts():
            relaxed = self._sifted(costs, incumbent, time_limit)
        else:
            relaxed = self._relaxation(time_limit)
        if cold:
            self._cold_seconds = max(self._cold_seconds, time.monotonic() - began)
        bound = None
        if relaxed is not None:
            values, bound = relaxed
            if self._integral(values):
                rounded = np.round(values)
                return self._outcome(SolveStatus.OPTIMAL, rounded, float(costs @ rounded), bound)
            if round_off is not None:
                incumbent = _better(costs, incumbent, round_off(values))
            proven = self._proven(costs, incumbent, bound)
            if proven is not None:
                return proven
        if not self._may_branch(deadline) or (relaxed is None and self._large()):
            # HiGHS's MIP solver would start by solving that relaxation of the whole model
            # from nothing, without looking at the clock (2000 x 1000, given 7 s: 87 s).
            return self._out_of_time(costs, incumbent, bound)
        inside = self._inside
        if inside is not None and bound is not None:
            # Sifted: branch first over the columns the relaxation let in, then fix by
            # reduced cost against what that found, and only then over the whole model.
            incumbent = self._restricted(costs, incumbent, inside, deadline, mip_gap)
            proven = self._proven(costs, incumbent, bound)
            if proven is not None:
                return proven
            if incumbent is not None:
                self.fix_implied(float(costs @ incumbent))
            if not self._may_branch(deadline):
                return self._out_of_time(costs, incumbent, bound)
        return self._branch(costs, incumbent, deadline - time.monotonic(), mip_gap)

    # --- inside ------------------------------------------------------------------------

    def _time_limit(self, seconds: float, *, mip: bool = False) -> None:
        """Give the next run ``seconds`` (at least 10 ms).

        HiGHS 1.16's simplex reads ``time_limit`` against the run time of the instance,
        which adds up over all its runs (a limit of the seconds left stopped every
        relaxation at once after the first half of the time: at 2000 x 1000 each level after
        the first got 0.1 s); its MIP solver reads it against the run's own time.
        """
        start = 0.0 if mip else self._highs.getRunTime()
        self._highs.setOptionValue("time_limit", start + max(seconds, 0.01))

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
        self._time_limit(seconds)
        highs.run()
        optimal = highspy.HighsModelStatus.kOptimal
        if highs.getModelStatus() != optimal and warm and deadline > time.monotonic():
            # A warm start that went wrong numerically: once more from nothing.
            highs.clearSolver()
            highs.setOptionValue("simplex_strategy", _CHOOSE)
            self._time_limit(deadline - time.monotonic())
            highs.run()
        if highs.getModelStatus() != optimal:
            return None
        solution = highs.getSolution()
        values = np.array(solution.col_value)
        self._bound = float(highs.getInfo().objective_function_value)
        self._reduced = np.array(solution.col_dual) if solution.dual_valid else None
        return values, self._bound

    def _may_branch(self, deadline: float) -> bool:
        """Enough time left to start HiGHS's MIP solver.

        It presolves and solves its first relaxation from nothing before it looks at the
        clock, so a large model needs at least as long as its relaxation once took from no
        basis: a MIP over 120,000 columns started with a few seconds left at 1000 x 500
        (binding, awarded basis) ran 23 s past the limit.
        """
        left = deadline - time.monotonic()
        if left < MIN_BRANCH_SECONDS:
            return False
        return not self._large() or left >= self._cold_seconds

    def _large(self) -> bool:
        """Enough grouped columns to sift a relaxation solved from nothing."""
        return int(np.count_nonzero(self._group >= 0)) >= max(SIFT_FROM, 1)

    def _sifts(self) -> bool:
        """Sift every relaxation of a large model."""
        return self._large()

    def _sifted(
        self, costs: np.ndarray, incumbent: np.ndarray | None, seconds: float
    ) -> tuple[np.ndarray, float] | None:
        """The whole relaxation's optimum, found over a growing subset of its columns.

        The subset is a second HiGHS model holding only the columns let in: a held column
        fixed at its bound in this model would still cost every simplex pivot after the
        first (a warm start skips the presolve that removes it; at 2000 x 1000, 1.5 ms a
        pivot against 0.4 ms). A held column sits at its lower bound; its reduced cost is
        priced here from the subset's row duals, and if none is negative (within HiGHS's
        dual tolerance) the subset's optimum is the whole relaxation's. The bound returned
        is made safe for what the tolerance allows: each held column with a reduced cost
        between the tolerance and zero could lower it by at most that cost times its range.
        The subset's optimal basis is kept, every held column at its lower bound, so the
        next solve starts warm from it: its subset holds the columns this one let in and
        every column the basis has off its lower bound, and starts from that basis. The
        subset leaves out the rows let go (:meth:`relax`) and starts without the columns
        of no group that no row needs (:meth:`_needed`). If the subset cannot be solved
        (out of time, or infeasible without the held columns) the whole relaxation is, time
        allowing.
        """
        deadline = time.monotonic() + seconds
        lower, upper = self._lower, self._upper
        inside = self._needed()
        inside |= lower > 0
        if incumbent is not None:
            inside |= incumbent != lower
        free = upper > lower
        start = self._basis if self._basis is not None else self._whole_basis()
        if start is not None:
            inside |= start[0] != _AT_LOWER
        if self._working is not None:
            inside |= self._working & free
        else:
            inside[_best_in_groups(costs, self._group, ~inside, SIFT_START)] = True
        # A column fixed at its bound cannot improve the relaxation: not read, nor priced.
        rows = (self._row_lower, self._row_upper)
        # Rows let go stay out, unless the basis started from has one nonbasic.
        kept = (self._row_lower > -_INF) | (self._row_upper < _INF)
        if start is not None and not kept.all():
            kept |= np.fromiter((state != _BASIC for state in start[1]), bool, len(kept))
        subset = _Subset(
            self._highs,
            rows,
            np.flatnonzero(kept),
            costs,
            lower,
            upper,
            np.flatnonzero(inside | free),
        )
        subset.let_in(np.flatnonzero(inside))
        if start is not None:
            subset.start_from(*start)
        while True:
            solved = self._solve_subset(subset, deadline - time.monotonic())
            if solved is None:
                return self._whole_relaxation(deadline)
            values, duals = solved
            reduced = subset.reduced(duals)
            improving = ~inside & (reduced < -PRICE_TOLERANCE) & free
            if not improving.any():
                break
            chosen = _best_in_groups(reduced, self._group, improving, SIFT_ADD)
            # Columns of no group that could improve it come in all at once.
            chosen = np.r_[chosen, np.flatnonzero(improving & (self._group < 0))]
            inside[chosen] = True
            subset.let_in(chosen)
        bound = subset.objective()
        below = np.minimum(reduced[~inside], 0.0)
        bound += float(below @ (upper[~inside] - lower[~inside]))
        # Kept here, not handed to this model: only the next sifting reads it, and handing
        # it over (a Python object per column, both ways) took 0.2 s a level at 1000 x 500.
        self._basis = subset.basis()
        self._bound, self._reduced = bound, reduced
        # Branching over the subset first stays with the relaxation sifted from nothing, as
        # before the later levels were sifted: their branching was measured over the whole
        # model only.
        self._inside = inside.copy() if start is None else None
        self._working = inside
        return values, bound

    def _needed(self) -> np.ndarray:
        """The columns of no group that a row may need off their lower bound.

        Lowering a column only helps a row bounded on one side (``<=`` with a positive
        coefficient, ``>=`` with a negative one) or let go, so the others may start
        outside the subset without making it infeasible, and come in by their reduced cost.
        At 1000 x 500 that is the 45,000 provider columns of the groups whose minimum
        every award meets (see :meth:`relax`), of the first subset's 77,000 columns.
        """
        needed = np.zeros(self._n, dtype=bool)
        columns = np.flatnonzero(self._group < 0).astype(np.int32)
        if not len(columns):
            return needed
        owner, rows, coefficients = _entries(self._highs, columns)
        owner = columns[owner]
        unbounded_below = self._row_lower[rows] == -_INF
        unbounded_above = self._row_upper[rows] == _INF
        helped = ((coefficients > 0) & unbounded_below) | ((coefficients < 0) & unbounded_above)
        needed[owner[~helped]] = True
        return needed

    def _whole_basis(self) -> tuple[np.ndarray, list[highspy.HighsBasisStatus]] | None:
        """This model's own basis (after a relaxation of the whole), if it has one."""
        basis = self._highs.getBasis()
        if not basis.valid:
            return None
        states = np.fromiter(map(int, basis.col_status), dtype=np.int8, count=self._n)
        return states, list(basis.row_status)

    def _solve_subset(
        self, subset: _Subset, seconds: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """One round of sifting: every column's value and the row duals, or ``None``."""
        if seconds <= 0:
            return None
        return subset.solve(seconds)

    def _whole_relaxation(self, deadline: float) -> tuple[np.ndarray, float] | None:
        """The relaxation of the whole model from nothing, if any time is left."""
        self._bound = self._reduced = None
        self._basis = None
        if deadline <= time.monotonic():
            return None
        self._highs.clearSolver()
        return self._relaxation(deadline - time.monotonic())

    def _proven(
        self, costs: np.ndarray, incumbent: np.ndarray | None, bound: float
    ) -> SolveOutcome | None:
        """The incumbent as optimal, if it meets the bound rounded up (integer objectives)."""
        if incumbent is None:
            return None
        held = float(costs @ incumbent)
        if held > math.ceil(bound - BOUND_SLACK):
            return None
        return self._outcome(SolveStatus.OPTIMAL, incumbent, held, held)

    def _restricted(
        self,
        costs: np.ndarray,
        incumbent: np.ndarray | None,
        inside: np.ndarray,
        deadline: float,
        mip_gap: float,
    ) -> np.ndarray | None:
        """The better of the incumbent and HiGHS's MIP over the ``inside`` columns only.

        The relaxation of a large award leaves most columns priced out: a MIP over the
        sifted subset can be far smaller than the whole (whose relaxation HiGHS's MIP solver
        first solves again from nothing), and its best award, if good enough, lets
        :meth:`fix_implied` fix the rest before the whole model is branched on. The held
        columns get their bounds back before returning.
        """
        lower, upper = self._lower, self._upper
        held = np.nonzero(~inside)[0].astype(np.int32)
        self._highs.changeColsBounds(len(held), held, lower[held], lower[held])
        try:
            outcome = self._branch(costs, incumbent, deadline - time.monotonic(), mip_gap)
        finally:
            self._highs.changeColsBounds(len(held), held, lower[held], upper[held])
        if outcome.objective is None or not self._agrees(costs, outcome):
            return incumbent
        assert isinstance(outcome.values, Values)
        return _better(costs, incumbent, outcome.values.vector)

    def _out_of_time(
        self, costs: np.ndarray, incumbent: np.ndarray | None, bound: float | None
    ) -> SolveOutcome:
        """The incumbent, not proven (or no solution), when no time is left to branch.

        HiGHS's MIP solver presolves and evaluates the start before it looks at the clock,
        so on a large model even a tiny time limit runs on for a long while.
        """
        if incumbent is None:
            return SolveOutcome(SolveStatus.NO_SOLUTION, {}, None, None, self.version, "time limit")
        held = float(costs @ incumbent)
        return self._outcome(SolveStatus.FEASIBLE_NOT_PROVEN, incumbent, held, bound)

    def _integral(self, values: np.ndarray) -> bool:
        if not len(self._integer):
            return True
        part = values[self._integer]
        return bool(np.all(np.abs(part - np.round(part)) <= INTEGRAL))

    def _branch(
        self, costs: np.ndarray, incumbent: np.ndarray | None, seconds: float, mip_gap: float
    ) -> SolveOutcome:
        """HiGHS's MIP solver, from the incumbent; checked against the values it returns.

        HiGHS 1.16, given a start solution, can report one point's optimum and return
        another point (tests: seed 2006 of the brute-force cases, -3,700,000 reported for
        an award worth -3,075,000). Such an answer is thrown away and the MIP solved once
        more without the start and without presolve, which each alone avoid it there.
        """
        deadline = time.monotonic() + seconds
        outcome = self._mip(costs, incumbent, seconds, mip_gap, presolve=True)
        if outcome.objective is None or self._agrees(costs, outcome):
            return outcome
        if not self._may_branch(deadline):
            return self._out_of_time(costs, incumbent, None)
        self._highs.clearSolver()
        retry = self._mip(costs, None, deadline - time.monotonic(), mip_gap, presolve=False)
        self._highs.setOptionValue("presolve", "choose")
        # Still inconsistent: returned as it is, for the caller's check to refuse.
        return retry if retry.status.is_ok else outcome

    def _agrees(self, costs: np.ndarray, outcome: SolveOutcome) -> bool:
        assert isinstance(outcome.values, Values) and outcome.objective is not None
        worth = float(costs @ outcome.values.vector)
        return abs(worth - outcome.objective) <= 0.5 + 1e-9 * abs(worth)

    def _mip(
        self,
        costs: np.ndarray,
        incumbent: np.ndarray | None,
        seconds: float,
        mip_gap: float,
        *,
        presolve: bool,
    ) -> SolveOutcome:
        highs = self._highs
        self._set_integrality(relaxed=False)
        highs.setOptionValue("simplex_strategy", _CHOOSE)
        highs.setOptionValue("presolve", "choose" if presolve else "off")
        self._time_limit(seconds, mip=True)
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
        if self._column_index is None:
            # Only when a solve first returns: at 2000 x 1000 the dict takes 60 MB, and the
            # first sifting (the peak of memory) runs without it.
            self._column_index = {name: i for i, name in enumerate(self._names)}
        values_by_name = Values(self._column_index, values)
        return SolveOutcome(status, values_by_name, objective, bound, self.version)


class _Subset:
    """A HiGHS model of the rows of another that matter and some of its columns, for sifting.

    Only the columns ``among`` (sorted) may be let in, and only they are priced: the others
    are fixed at their bound and get a reduced cost of 0. ``rows`` are the other's row
    bounds, kept by its caller (reading them back from HiGHS copies the whole matrix), and
    ``kept`` the rows the subset holds: every other row is let go (no bounds), basic, with
    a dual of 0, and leaving it out changes no solution.
    """

    def __init__(
        self,
        whole: highspy.Highs,
        rows: tuple[np.ndarray, np.ndarray],
        kept: np.ndarray,
        costs: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        among: np.ndarray,
    ) -> None:
        self._costs, self._lower, self._upper = costs, lower, upper
        n = whole.getNumCol()
        row_lower, row_upper = rows
        m = len(row_lower)
        assert m == whole.getNumRow(), "the row bounds are those of every row"
        self._m = m
        #: The whole model's row of each subset row, and each row's place in the subset.
        self.rows = np.asarray(kept, dtype=np.int64)
        place = np.full(m, -1, dtype=np.int64)
        place[self.rows] = np.arange(len(self.rows))
        self._priced = np.zeros(n, dtype=bool)
        self._priced[among] = True
        self._local = np.full(n, -1, dtype=np.int64)
        self._local[among] = np.arange(len(among))
        # Those columns of the whole matrix, read once: to price them from the subset's row
        # duals, and to hand each round's columns to the subset (rows as the subset's).
        owner, whole_rows, coefficients = _entries(whole, among)
        local_rows = place[whole_rows]
        held = local_rows >= 0
        self._rows = local_rows[held].astype(np.int32)
        self._coefficients = coefficients[held]
        owner = owner[held]
        self._sizes = np.bincount(owner, minlength=len(among)).astype(np.int64)
        self._start = np.r_[0, np.cumsum(self._sizes)[:-1]].astype(np.int64)
        self._entry_column = np.asarray(among, dtype=np.int64)[owner]
        self._highs = highs = _new_highs()
        empty = np.zeros(0, dtype=np.int32)
        k = len(self.rows)
        highs.addRows(
            k, row_lower[self.rows], row_upper[self.rows], 0, np.zeros(k, np.int32), empty, empty
        )
        #: The whole model's column of each subset column, in subset order.
        self.columns = np.zeros(0, dtype=np.int64)

    def let_in(self, chosen: np.ndarray) -> None:
        """Add the whole model's columns ``chosen`` to the subset."""
        chosen = np.asarray(chosen, dtype=np.int64)
        local = self._local[chosen]
        assert (local >= 0).all(), "only the columns the subset read may be let in"
        first, sizes = self._start[local], self._sizes[local]
        begin = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int32)
        # Each chosen column's entries: its first entry, then the ones after it.
        entries = np.repeat(first - begin, sizes) + np.arange(int(sizes.sum()))
        self._highs.addCols(
            len(chosen),
            self._costs[chosen],
            self._lower[chosen],
            self._upper[chosen],
            len(entries),
            begin,
            self._rows[entries],
            self._coefficients[entries],
        )
        self.columns = np.r_[self.columns, chosen]

    def solve(self, seconds: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Every column's value (held ones at their lower bound) and the row duals.

        HiGHS chooses the simplex: after columns are let in the basis is primal feasible
        but far from optimal, and its primal simplex took 42 s a round at 1000 x 500 where
        its choice (dual) took 1 to 2 s.
        """
        highs = self._highs
        highs.setOptionValue("time_limit", highs.getRunTime() + max(seconds, 0.01))
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = highs.getSolution()
        if not solution.dual_valid:
            return None
        values = self._lower.copy()
        values[self.columns] = np.array(solution.col_value)
        self._column_duals = np.array(solution.col_dual)
        return values, np.array(solution.row_dual)

    def reduced(self, duals: np.ndarray) -> np.ndarray:
        """Every column's reduced cost at the row duals ``duals`` (0 if not priced).

        The subset's columns keep the reduced costs HiGHS reported for them.
        """
        used = np.bincount(
            self._entry_column,
            weights=self._coefficients * duals[self._rows],
            minlength=len(self._costs),
        )
        reduced = np.where(self._priced, self._costs - used, 0.0)
        reduced[self.columns] = self._column_duals
        return reduced

    def start_from(self, states: np.ndarray, row_status: list[highspy.HighsBasisStatus]) -> bool:
        """Start from a basis of the whole model, each column's status as a number.

        Every column the basis has off its lower bound must be in. Returns whether HiGHS
        took the basis (if not, the subset is solved from nothing: slower, not wrong).
        """
        mine = highspy.HighsBasis()
        mine.col_status = [_STATUS[state] for state in states[self.columns].tolist()]
        if len(self.rows) < self._m:
            row_status = [row_status[row] for row in self.rows.tolist()]
        mine.row_status = row_status
        mine.valid = True
        return self._highs.setBasis(mine) == highspy.HighsStatus.kOk

    def objective(self) -> float:
        """The subset's optimal value."""
        return float(self._highs.getInfo().objective_function_value)

    def basis(self) -> tuple[np.ndarray, list[highspy.HighsBasisStatus]]:
        """The subset's basis as one of the whole model, each column's status as a number.

        Held columns are at their lower bound.
        """
        mine = self._highs.getBasis()
        states = np.full(len(self._costs), _AT_LOWER, dtype=np.int8)
        count = len(self.columns)
        states[self.columns] = np.fromiter(map(int, mine.col_status), np.int8, count)
        if len(self.rows) == self._m:
            return states, list(mine.row_status)
        rows = [_BASIC] * self._m
        for row, state in zip(self.rows.tolist(), mine.row_status, strict=True):
            rows[row] = state
        return states, rows


def _new_highs() -> highspy.Highs:
    """A silent HiGHS model with this process's thread setting (see ``limit_highs_threads``)."""
    holder: list[highspy.Highs] = []
    create_highs_quietly(lambda: holder.append(highspy.Highs()))
    highs = holder[0]
    highs.setOptionValue("output_flag", False)
    threads = highs_threads()
    if threads is not None:
        highs.setOptionValue("threads", threads)
    return highs


def _entries(highs: highspy.Highs, columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """The matrix entries of ``columns``: each entry's place in ``columns``, row, value."""
    _, start, rows, coefficients = highs.getColsEntries(
        len(columns), np.asarray(columns, dtype=np.int32)
    )
    sizes = np.diff(np.r_[start[: len(columns)], len(rows)])
    return np.repeat(np.arange(len(columns)), sizes), rows, coefficients


def _better(
    costs: np.ndarray, one: np.ndarray | None, other: np.ndarray | None
) -> np.ndarray | None:
    """The lower-cost of two points (``one`` on a tie), either of which may be missing."""
    if other is None:
        return one
    if one is None or float(costs @ other) < float(costs @ one):
        return other
    return one


def _best_in_groups(score: np.ndarray, group: np.ndarray, among: np.ndarray, k: int) -> np.ndarray:
    """The columns of ``among`` with the ``k`` lowest scores in each group (ties: by column)."""
    columns = np.nonzero(among & (group >= 0))[0]
    if not len(columns):
        return columns
    order = columns[np.lexsort((columns, score[columns], group[columns]))]
    groups = group[order]
    starts = np.r_[0, np.nonzero(groups[1:] != groups[:-1])[0] + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    return order[rank < k]


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
