"""Solve an award lexicographically, so that HiGHS and CBC return the same award.

The objective has five levels, solved one after another; each solved level is then fixed
as a row (in integers, so "no worse" is exact) before the next is optimised:

1. **coverage**: fewest unfilled places over all lots, then fewest missing providers over
   all groups (one solve: ``(G + 1) * vacancies + shortfall`` with ``G`` the largest
   possible shortfall is exactly lexicographic). A lot left short always counts before a
   group short of providers: the group rule is met whenever it can be without a vacancy.
2. **score**: highest sum of scaled score (times hours for ``hours_weighted``).
3. **cost**: lowest sum of scaled annual cost.
4. **tie_break**: highest sum of ``(L - lot_index) * (K + 1 - place)``, where ``L`` is the
   number of lots, ``lot_index`` the lot's position in the tender (0 first), ``place``
   the bid's place in its lot by rank then bidder id (1 first) and ``K`` the most bids on
   any lot: ties go to better-ranked bids, earlier lots first.
5. **canonical**: if awards still tie, the lexicographically greatest one in the canonical
   order of bids (lots in tender order, then rank, then bidder id): walking that order,
   each bid is awarded if some award equal on levels 1-4 and on the choices made so far
   includes it. One solve first checks whether the award is the only one left (it
   minimises the overlap with the award, a bound solvers prove fast); only if not is
   the walk done, 20 bids per solve with weights 2^19, 2^18, ..., 1 (whose maximum is
   exactly the lexicographic one), over the bids of the award and those some tied award
   takes (found first, each solve maximising the ones not yet seen), skipping bids a
   rule plainly excludes.

Levels 1-4 alone can leave ties (equal-ranked swaps across lots, or sets such as ranks
{1, 4} against {2, 3} on a framework lot); level 5 makes the award a function of the
problem only, whichever optimum a solver happened to find first.

The first level starts from a greedy award that keeps every rule (:mod:`optimiser.greedy`),
and needs no solve when that award fills every place (coverage cannot go below 0); every
level after it starts from the award of the level before (a warm start), and
the time limit covers all levels together: when it runs out, the best award so far is
returned as ``feasible_not_proven``. With ``vacancies = "forbid"`` the whole award is
solved before the check, so the lots a :class:`~tender.errors.RuleConflict` names are
those of the canonical award, the same for both solvers.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from optimiser.check import award_levels, group_providers, rule_violations, vacancy_places
from optimiser.greedy import greedy_award
from optimiser.highs import HighsModel
from optimiser.linear import Linear, Row, Values
from optimiser.model import AwardModel, IntegerData, Key, integer_data
from optimiser.problem import AwardProblem
from optimiser.pulp_model import PulpModel
from optimiser.reasons import Standing, group_reason, lot_reason
from optimiser.result import (
    Alternative,
    AwardResult,
    GroupShortfall,
    LevelReport,
    ObjectiveParts,
    SolverInfo,
    SolveStatus,
    Vacancy,
)
from optimiser.solvers import SOLVERS, SolveOutcome, SolverName, run_cbc, solver_version
from tender.errors import RuleConflict, SolverError

__all__ = ["ALTERNATIVES_AUTO_LIMIT", "choose_solver", "solve_award"]

#: Alternative optima are looked for by default only up to this many candidate bids: each
#: extra solve finds at least one more (lot, bidder) pair, so the count is not bounded by
#: the number of lots.
ALTERNATIVES_AUTO_LIMIT = 200

#: A level is not started with less time than this left.
_MIN_SECONDS = 0.05

#: Bids decided per solve in the canonical walk: weights up to 2^19 stay exact in a solver.
_BLOCK = 20


def choose_solver(problem: AwardProblem) -> SolverName:
    """The solver ``auto`` runs: HiGHS, the faster on every kind of award measured.

    HiGHS is held in memory across the levels and proves most levels from their
    relaxations (:mod:`optimiser.highs`); CBC is a separate program solving the whole model
    at every level (bench/results: 1000 lots x 500 bidders, 34 s against about 3 minutes).
    Either gives the same award, so this choice changes only the time taken.
    """
    del problem  # the choice once depended on the problem's size and share basis
    return "highs"


def solve_award(
    problem: AwardProblem,
    *,
    solver: SolverName | Literal["auto"] = "auto",
    time_limit: float = 60,
    mip_gap: float = 0.0,
    alternatives: bool | None = None,
) -> AwardResult:
    """Find the best award under the rules, with vacancies, solver report and ties.

    Args:
        problem: The award problem (see :func:`optimiser.build_problem`).
        solver: "highs", "cbc" or "auto" (:func:`choose_solver`); all give the same award
            when the solver proves optimality.
        time_limit: Seconds for all levels together.
        mip_gap: Relative gap at which each level may stop; any gap above 0 means the award
            is reported as ``feasible_not_proven`` and may differ between solvers.
        alternatives: Look for lots that could go to other bidders at no loss; ``None``
            looks only when there are at most :data:`ALTERNATIVES_AUTO_LIMIT` candidates.

    Returns:
        The award with its vacancies, objective parts and solver report.

    Raises:
        RuleConflict: ``vacancies = "forbid"`` and the rules leave a lot uncovered.
        SolverError: The solver ended without any award, or with one that breaks a rule.
        ValueError: An unknown solver name or a negative time limit or gap.
    """
    if solver == "auto":
        solver = choose_solver(problem)
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}: use auto or one of {', '.join(SOLVERS)}")
    if time_limit <= 0 or not math.isfinite(time_limit):
        raise ValueError(f"time_limit must be a positive number of seconds, not {time_limit}")
    if not 0 <= mip_gap < 1:
        raise ValueError(f"mip_gap must be in [0, 1), not {mip_gap}")
    data = integer_data(problem)
    run = _Run(
        problem=problem,
        data=data,
        model=AwardModel.build(problem, data),
        solver=solver,
        time_limit=float(time_limit),
        mip_gap=float(mip_gap),
        deadline=time.monotonic() + time_limit,
        greedy=greedy_award(problem, data),
    )
    run.solve_levels()
    run.canonical()
    # Checked on the final award, not the first level's: which lots are named must not
    # depend on which optimum a solver found first.
    run.check_forbidden()
    if alternatives is None:
        alternatives = len(problem.candidates) <= ALTERNATIVES_AUTO_LIMIT
    found: tuple[Alternative, ...] = ()
    checked = False
    if alternatives and run.proven:
        found, checked = run.alternatives()
    return run.result(found, checked)


class _Tally:
    """Running totals of the bids chosen so far, to see which next bid a rule forbids.

    Only rules that a single bid can break against the bids before it are checked (lot
    maximum, lot limit, capacity, tendered share, budget); the solver decides the rest.
    """

    def __init__(self, problem: AwardProblem, data: IntegerData) -> None:
        self.problem = problem
        self.data = data
        self.per_lot: dict[str, int] = defaultdict(int)
        self.lots: dict[str, int] = defaultdict(int)
        self.hours: dict[str, int] = defaultdict(int)
        self.pence = 0

    def add(self, key: Key) -> None:
        """Count ``key`` as chosen."""
        lot_id, bidder_id = key
        self.per_lot[lot_id] += 1
        self.lots[bidder_id] += 1
        self.hours[bidder_id] += self.data.hours[lot_id]
        self.pence += self.data.pence[key]

    def excludes(self, key: Key) -> bool:
        """Whether a rule alone forbids ``key`` next to the bids chosen so far."""
        data = self.data
        lot_id, bidder_id = key
        most = self.problem.lot(lot_id).max_providers
        if most is not None and self.per_lot[lot_id] >= most:
            return True
        limit = data.max_lots[bidder_id]
        if limit is not None and self.lots[bidder_id] >= limit:
            return True
        hours = self.hours[bidder_id] + data.hours[lot_id]
        capacity = data.capacity[bidder_id]
        if capacity is not None and hours > capacity:
            return True
        if data.tendered_cap is not None and hours > data.tendered_cap:
            return True
        return data.budget is not None and self.pence + data.pence[key] > data.budget


class _Backend(Protocol):
    """A model kept across solves: rows added for good, a new objective each solve."""

    @property
    def names(self) -> list[str]: ...

    def add_rows(self, rows: list[tuple[str, Row]]) -> None: ...

    def fix_implied(self, value: float) -> int: ...

    def relax(self, names: list[str]) -> None: ...

    def solve(
        self,
        objective: Linear,
        *,
        time_limit: float,
        mip_gap: float,
        start: np.ndarray | None,
        round_off: Callable[[np.ndarray], np.ndarray | None] | None = None,
    ) -> SolveOutcome: ...


class _Cbc:
    """CBC, which PuLP runs on the whole problem at each solve (it is a separate program)."""

    def __init__(self, kind: str, model: AwardModel) -> None:
        self._pulp = PulpModel(model.columns, f"award_{kind}")
        self.add_rows(model.rows)

    @property
    def names(self) -> list[str]:
        return self._pulp.names

    def add_rows(self, rows: list[tuple[str, Row]]) -> None:
        self._pulp.add_rows(rows)

    def fix_implied(self, value: float) -> int:
        """CBC reports no reduced costs through PuLP: nothing to fix."""
        return 0

    def relax(self, names: list[str]) -> None:
        """Implied rows stay: they change no award, and PuLP 4 drops removing rows by name."""

    def solve(
        self,
        objective: Linear,
        *,
        time_limit: float,
        mip_gap: float,
        start: np.ndarray | None,
        round_off: Callable[[np.ndarray], np.ndarray | None] | None = None,
    ) -> SolveOutcome:
        # A variable in no row and not in the objective is left out; it reads as 0. PuLP
        # shows no relaxation of CBC's, so there is nothing to round off.
        self._pulp.set_objective(objective)
        outcome = run_cbc(
            self._pulp.problem,
            time_limit=time_limit,
            mip_gap=mip_gap,
            start=None if start is None else self._pulp.by_name(start),
        )
        if not outcome.status.is_ok:
            return outcome
        return dataclasses.replace(outcome, values=self._pulp.values(dict(outcome.values)))


@dataclass
class _Level:
    name: str
    objective: Linear
    value: Callable[[frozenset[Key]], int]
    # +1: the level minimises its value; -1: it maximises it (the solver minimises -value).
    sign: int
    fix: Callable[[int], list[Row]]


@dataclass
class _Run:
    problem: AwardProblem
    data: IntegerData
    model: AwardModel
    solver: SolverName
    time_limit: float
    mip_gap: float
    deadline: float
    award: frozenset[Key] | None = None
    greedy: frozenset[Key] | None = None
    proven: bool = True
    version: str | None = None
    coverage_proven: bool = True
    reports: list[LevelReport] = field(default_factory=list)
    fixes: list[tuple[str, Row]] = field(default_factory=list)
    # How many of ``fixes`` belong to levels 1-3 (the rows an alternative optimum keeps).
    objective_fixes: int = 0
    _backends: dict[str, _Backend] = field(default_factory=dict)
    _start: tuple[frozenset[Key], np.ndarray] | None = None
    _added: dict[str, int] = field(default_factory=dict)
    _decided: int = 0
    #: Rows the coverage level's fix implies (see AwardModel.implied_rows).
    implied: list[str] = field(default_factory=list)

    # --- one solve ---------------------------------------------------------------------

    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _backend(self, kind: str) -> _Backend:
        """The persistent model ``kind`` with every level fix it takes, built once.

        "main" takes every level fix (and the canonical walk's decisions); "tied" stops
        before the tie-break, for the search for alternative optima. Building a model is a
        large part of the time on big tenders, so each is only extended.
        """
        backend = self._backends.get(kind)
        if backend is None:
            if self.solver == "highs":
                model = self.model
                backend = HighsModel(model.columns, model.rows, groups=model.lot_groups())
            else:
                backend = _Cbc(kind, self.model)
            self._backends[kind] = backend
            self._added[kind] = 0
        limit = len(self.fixes) if kind == "main" else self.objective_fixes
        if self._added[kind] < limit:
            first = self._added[kind] == 0
            backend.add_rows(self.fixes[self._added[kind] : limit])
            if first:
                # Every backend has the coverage fix (the first fix), which implies these.
                backend.relax(self.implied)
        self._added[kind] = limit
        return backend

    def _solve(
        self,
        objective: Linear,
        *,
        kind: str = "main",
        add: list[Row] | None = None,
        start: frozenset[Key] | None = None,
        round_off: Callable[[np.ndarray], np.ndarray | None] | None = None,
    ) -> SolveOutcome:
        """Solve model ``kind`` (after adding the rows ``add`` to it for good)."""
        backend = self._backend(kind)
        named = []
        for row in add or []:
            self._decided += 1
            named.append((f"decided_{self._decided}", row))
        backend.add_rows(named)
        outcome = backend.solve(
            objective,
            time_limit=max(self._remaining(), _MIN_SECONDS),
            mip_gap=self.mip_gap,
            start=None if start is None else self._start_values(start),
            round_off=round_off,
        )
        self.version = outcome.version if outcome.version != "unknown" else self.version
        return outcome

    def _round_off(self, values: np.ndarray) -> np.ndarray | None:
        """An award near a fractional relaxation of a level: its bids, most awarded first.

        Under a binding share cap the relaxation takes most lots whole and splits a few;
        the greedy walk, which knows nothing of it, was 3.1% below the relaxation's bound at
        1000 x 500 and HiGHS's MIP found nothing better in 50 s (this: 1.9%). The award here
        is the relaxation's bids in order of their value (ties in canonical order), each if
        it fits, then the walk for the lots left; it is returned only if it keeps every rule
        and every level fixed so far, as every column's value.
        """
        keys = self.data.keys
        x = values[self.model.x]
        taken = np.flatnonzero(x > 1e-6)
        order = taken[np.lexsort((self.data.in_key_order[taken], -x[taken]))]
        award = greedy_award(self.problem, self.data, [keys[i] for i in order.tolist()])
        if rule_violations(self.problem, self.data, award):
            return None
        vector = self.model.start_values(award)
        if not all(row.holds(vector) for _, row in self.fixes):
            return None
        return vector

    def _start_values(self, award: frozenset[Key]) -> np.ndarray:
        """Every column's value for ``award``; most solves start from the same award."""
        if self._start is None or self._start[0] != award:
            self._start = (award, self.model.start_values(award))
        return self._start[1]

    def _award_of(self, outcome: SolveOutcome) -> frozenset[Key]:
        assert isinstance(outcome.values, Values), "both backends return every column's value"
        keys = self.data.keys
        taken = np.flatnonzero(outcome.values.vector[self.model.x] > 0.5)
        chosen = frozenset(keys[i] for i in taken.tolist())
        broken = rule_violations(self.problem, self.data, chosen)
        if broken:
            raise SolverError(
                f"{self.solver} returned an award that breaks the rules "
                f"(numerical trouble): {'; '.join(broken[:3])}"
            )
        return chosen

    # --- levels 1-4 --------------------------------------------------------------------

    def _levels(self) -> list[_Level]:
        model, data, problem = self.model, self.data, self.problem
        widest = (problem.rules.min_providers_per_group or 0) * len(model.s)

        def levels_of(award: frozenset[Key]) -> tuple[int, int, int, int, int]:
            lv = award_levels(problem, data, award)
            return lv.vacancies, lv.shortfall, lv.score, lv.cost, lv.tie

        def coverage_fix(value: int) -> list[Row]:
            vacancies, shortfall = divmod(value, widest + 1)
            return [model.vacancies().at_most(vacancies), model.shortfall().at_most(shortfall)]

        return [
            _Level(
                "coverage",
                (widest + 1) * model.vacancies() + model.shortfall(),
                lambda a: (lambda lv: lv[0] * (widest + 1) + lv[1])(levels_of(a)),
                1,
                coverage_fix,
            ),
            _Level(
                "score",
                -model.weighted(data.score_weight),
                lambda a: levels_of(a)[2],
                -1,
                lambda value: [model.weighted(data.score_weight).at_least(value)],
            ),
            _Level(
                "cost",
                model.weighted(data.cost_weight),
                lambda a: levels_of(a)[3],
                1,
                lambda value: [model.weighted(data.cost_weight).at_most(value)],
            ),
            _Level(
                "tie_break",
                -model.weighted(data.tie_weight),
                lambda a: levels_of(a)[4],
                -1,
                lambda value: [model.weighted(data.tie_weight).at_least(value)],
            ),
        ]

    def solve_levels(self) -> None:
        """Solve levels 1-4 in turn, each fixed as a row before the next."""
        for level in self._levels():
            if not len(level.objective):
                # A constant level (no slack, or all weights zero) cannot change the award.
                continue
            self._solve_level(level)
            value = self.reports[-1].value or 0
            if level.name == "coverage":
                self.coverage_proven = self.proven
                held = award_levels(self.problem, self.data, self.award or frozenset())
                self.implied = self.model.implied_rows(held.vacancies)
            fixes = level.fix(value)
            for i, row in enumerate(fixes):
                if len(row.expression):  # no group rule: the shortfall row would be empty
                    self.fixes.append((f"fix_{level.name}_{i}", row))
            if level.name != "coverage":
                # Coverage packs two counts into one value; its fix is two rows, not one.
                self._backend("main").fix_implied(level.sign * value)
            if level.name != "tie_break":
                self.objective_fixes = len(self.fixes)
        if self.award is None:
            # Nothing to decide (no bids, no places to fill): the empty award is optimal.
            self.award = frozenset()

    def _solve_level(self, level: _Level) -> None:
        if self.award is not None and self._remaining() < _MIN_SECONDS:
            self._not_proven(level)
            return
        # The first level starts from the greedy award: an incumbent from the outset.
        start = self.award if self.award is not None else self.greedy
        if level.name == "coverage" and self._greedy_covers(level):
            # Coverage is a sum of slacks, never below 0: a greedy award at 0 is proven.
            self.award = self.greedy
            self.reports.append(
                LevelReport(
                    level=level.name, status=SolveStatus.OPTIMAL, value=0, bound=0.0, gap=0.0
                )
            )
            return
        outcome = self._solve(level.objective, start=start, round_off=self._round_off)
        if outcome.status.is_ok:
            found = self._award_of(outcome)
            self._check_objective(level, outcome, found)
            if self.award is not None and level.sign * level.value(found) > level.sign * (
                level.value(self.award)
            ):
                # A time-out may leave an incumbent worse than the warm start: keep the best.
                found = self.award
            self.award = found
            self.proven &= outcome.status is SolveStatus.OPTIMAL
        elif self.award is None:
            detail = f": {outcome.message}" if outcome.message else ""
            raise SolverError(
                f"{self.solver} ended without an award ({outcome.status.value}) "
                f"after {self.time_limit:g} s{detail}"
            )
        else:
            self.proven = False
        bound = None if outcome.bound is None else level.sign * outcome.bound
        self.reports.append(
            LevelReport(
                level=level.name,
                status=outcome.status,
                value=level.value(self.award),
                bound=bound,
                gap=outcome.gap,
            )
        )

    def _check_objective(self, level: _Level, outcome: SolveOutcome, found: frozenset[Key]) -> None:
        """Refuse a proven level whose reported optimum is not that of the award read back.

        Every level's value is an integer worked out from the award alone, so the two can
        only differ if the values read back are not the ones the solver proved.
        """
        if outcome.status is not SolveStatus.OPTIMAL or outcome.objective is None:
            return
        value = level.sign * level.value(found)
        if abs(outcome.objective - value) > 0.5 + 1e-9 * abs(value):
            raise SolverError(
                f"{self.solver} reported an optimum of {outcome.objective:g} at the "
                f"{level.name} level but the award it returned is worth {value} "
                "(numerical trouble)"
            )

    def _greedy_covers(self, level: _Level) -> bool:
        """Whether the greedy award fills every place and keeps every rule (checked again)."""
        greedy = self.greedy
        if self.award is not None or greedy is None or level.value(greedy) != 0:
            return False
        return not rule_violations(self.problem, self.data, greedy)

    def _not_proven(self, level: _Level) -> None:
        assert self.award is not None
        self.proven = False
        self.reports.append(
            LevelReport(
                level=level.name,
                status=SolveStatus.NO_SOLUTION,
                value=level.value(self.award),
            )
        )

    def check_forbidden(self) -> None:
        """Raise if vacancies are forbidden and the award has any.

        Raises:
            RuleConflict: The coverage level proved some place cannot be filled.
            SolverError: The time ran out before an award covering every lot was found.
        """
        assert self.award is not None
        if self.problem.rules.vacancies != "forbid":
            return
        places = vacancy_places(self.problem, self.award)
        if not places:
            return
        if not self.coverage_proven:
            raise SolverError(
                f"{self.solver} found no award covering every lot within {self.time_limit:g} s "
                "(vacancies are forbidden); allow more time or vacancies"
            )
        standing = Standing.of(self.problem, self.data, self.award)
        lines = [
            f"lot {lot_id}: {lot_reason(self.problem, self.data, standing, lot_id)}"
            for lot_id in places
        ]
        noun = "lot" if len(lines) == 1 else "lots"
        raise RuleConflict(
            f'vacancies = "forbid" but {len(lines)} {noun} cannot be covered under the rules: '
            + "; ".join(lines)
        )

    # --- level 5: the canonical award --------------------------------------------------

    def _distance(self, award: frozenset[Key], keys: list[Key]) -> Linear:
        """``|award & keys|`` minus the Hamming distance from ``award`` over ``keys``.

        Minimised from a warm start at ``award`` (value ``|award & keys|``), any lower
        value is another award. Solvers prove this bound far faster than they prove a
        zero-objective model with a no-good cut infeasible (CBC: 0.3 s against > 20 s on a
        14-lot framework).
        """
        signs = [1 if k in award else -1 for k in keys]
        return Linear(self.model.bids(keys), signs)

    def _another(self, keys: list[Key]) -> tuple[SolveStatus, frozenset[Key] | None]:
        """Look for an award, equal on levels 1-4, that differs from this one on ``keys``.

        Returns:
            The status of the search (optimal means the answer is proven) and the other
            award, or ``None`` when there is none.
        """
        assert self.award is not None
        award = self.award
        outcome = self._solve(self._distance(award, keys), start=award)
        if not outcome.status.is_ok:
            return outcome.status, None
        other = self._award_of(outcome)
        if sum(1 for k in keys if (k in other) != (k in award)) == 0:
            return outcome.status, None
        return outcome.status, other

    def canonical(self) -> None:
        """Make the award the unique canonical one among those tied on levels 1-4."""
        assert self.award is not None
        keys = list(self.data.position)  # in canonical order
        if not keys:
            return
        if self._remaining() < _MIN_SECONDS:
            self._not_proven_canonical(SolveStatus.NO_SOLUTION)
            return
        status, other = self._another(keys)
        if status is not SolveStatus.OPTIMAL and other is None:
            self._not_proven_canonical(status)
            return
        if other is not None:
            possible = self._possible(keys)
            if possible is not None:
                # A bid in no tied award is 0 in all of them: the walk need not ask.
                keys = [k for k in keys if k in self.award or k in possible]
            status = self._walk(keys)
        self.proven &= status is SolveStatus.OPTIMAL
        value = sum(self.data.position[k] for k in self.award)
        self.reports.append(LevelReport(level="canonical", status=status, value=value))

    def _possible(self, keys: list[Key]) -> set[Key] | None:
        """Every bid outside the award that some award equal on levels 1-4 takes.

        A handful of solves (see :meth:`_reachable`) where the walk over every bid would
        take one per block (thousands on a large tender). ``None`` if the search could not
        finish, and the walk then goes over every bid.
        """
        assert self.award is not None
        found, finished = self._reachable([k for k in keys if k not in self.award], "main")
        return found if finished else None

    def _reachable(self, unseen: list[Key], kind: str) -> tuple[set[Key], bool]:
        """The bids of ``unseen`` that some award of problem ``kind`` takes.

        Each solve maximises the number of such bids not yet seen, so it finds at least one
        more or proves there are none left: the answer does not depend on which optimum a
        solver finds first. Returns what was found and whether the search finished.
        """
        assert self.award is not None
        found: set[Key] = set()
        while unseen:
            if self._remaining() < _MIN_SECONDS:
                return found, False
            objective = Linear(self.model.bids(unseen), np.full(len(unseen), -1))
            outcome = self._solve(objective, kind=kind, start=self.award)
            if not outcome.status.is_ok:
                return found, False
            other = self._award_of(outcome)
            new = {k for k in unseen if k in other}
            if not new:
                return found, outcome.status is SolveStatus.OPTIMAL
            found |= new
            unseen = [k for k in unseen if k not in new]
        return found, True

    def _not_proven_canonical(self, status: SolveStatus) -> None:
        assert self.award is not None
        self.proven = False
        value = sum(self.data.position[k] for k in self.award)
        self.reports.append(LevelReport(level="canonical", status=status, value=value))

    def _walk(self, keys: list[Key]) -> SolveStatus:
        """Fix bids in canonical order, a block at a time, to the lexicographic maximum.

        Within a block of up to :data:`_BLOCK` undecided bids, weights ``2^(B-1-i)`` make
        the maximum weight exactly the lexicographic maximum of the block, given the
        blocks before it; bids a rule plainly excludes are decided without a solve.
        """
        assert self.award is not None
        x = self.model.x_of
        tally = _Tally(self.problem, self.data)
        decided: dict[Key, int] = {}
        sent: set[Key] = set()
        position = 0
        while position < len(keys):
            block: list[Key] = []
            while position < len(keys) and len(block) < _BLOCK:
                key = keys[position]
                position += 1
                if key not in self.award and tally.excludes(key):
                    decided[key] = 0
                else:
                    block.append(key)
            if not block:
                continue
            if not all(k in self.award for k in block):
                # Otherwise the award already takes every undecided bid: the maximum.
                if self._remaining() < _MIN_SECONDS:
                    return SolveStatus.FEASIBLE_NOT_PROVEN
                rows = [
                    Linear([x[k]], [1]).at_least(1) if on else Linear([x[k]], [1]).at_most(0)
                    for k, on in decided.items()
                    if k not in sent
                ]
                sent.update(decided)
                weights = [-(2 ** (len(block) - 1 - i)) for i in range(len(block))]
                objective = Linear(self.model.bids(block), weights)
                outcome = self._solve(objective, add=rows, start=self.award)
                if outcome.status is not SolveStatus.OPTIMAL:
                    return SolveStatus.FEASIBLE_NOT_PROVEN
                self.award = self._award_of(outcome)
            for k in block:
                decided[k] = int(k in self.award)
                if decided[k]:
                    tally.add(k)
        return SolveStatus.OPTIMAL

    # --- alternative optima ------------------------------------------------------------

    def alternatives(self) -> tuple[tuple[Alternative, ...], bool]:
        """Every bidder that could hold a lot in an award as good on levels 1-3.

        "As good" means equal on coverage, score and cost: only the tie-break chose
        (found as :meth:`_reachable` finds them).

        Returns:
            The alternatives per lot, in lot order, and whether the search finished.
        """
        assert self.award is not None
        unseen = [k for k in self.data.keys if k not in self.award]
        possible, finished = self._reachable(unseen, "tied")
        return self._alternatives(possible), finished

    def _alternatives(self, possible: set[Key]) -> tuple[Alternative, ...]:
        assert self.award is not None
        return tuple(
            Alternative(
                lot_id=lot.lot_id,
                awarded=tuple(sorted(b for lt, b in self.award if lt == lot.lot_id)),
                alternative=tuple(sorted(b for lt, b in possible if lt == lot.lot_id)),
            )
            for lot in self.problem.lots
            if any(lt == lot.lot_id for lt, _ in possible)
        )

    # --- the result --------------------------------------------------------------------

    def result(self, alternatives: tuple[Alternative, ...], checked: bool) -> AwardResult:
        """Assemble the result of the finished run."""
        assert self.award is not None
        problem, data, award = self.problem, self.data, self.award
        # A reason read off an award that is not proven best may not be the real one.
        caveat = "" if self.proven else " (award not proven optimal)"
        places = vacancy_places(problem, award)
        standing = Standing.of(problem, data, award)
        vacancies = tuple(
            Vacancy(
                lot_id=lot_id,
                places=n,
                reason=lot_reason(problem, data, standing, lot_id) + caveat,
            )
            for lot_id, n in places.items()
        )
        need = problem.rules.min_providers_per_group or 0
        shortfalls = tuple(
            GroupShortfall(
                group=group,
                providers=n,
                required=need,
                reason=group_reason(problem, data, standing, group) + caveat,
            )
            for group, n in group_providers(problem, award).items()
            if n < need
        )
        hours = {lot.lot_id: lot.hours_per_week for lot in problem.lots}
        bids = {(c.lot_id, c.bidder_id): c for c in problem.candidates}
        weighted = problem.rules.objective == "hours_weighted"
        chosen = sorted(award)
        score = math.fsum(bids[k].score * (hours[k[0]] if weighted else 1.0) for k in chosen)
        cost = math.fsum(hours[k[0]] * 52 * bids[k].rate for k in chosen)
        status = SolveStatus.OPTIMAL if self.proven else SolveStatus.FEASIBLE_NOT_PROVEN
        deciding = next(
            (r for r in self.reports if r.status is not SolveStatus.OPTIMAL),
            next((r for r in self.reports if r.level == "score"), None),
        )
        return AwardResult(
            awarded=tuple(chosen),
            vacancies=vacancies,
            group_shortfalls=shortfalls,
            objective=ObjectiveParts(
                vacancies=sum(places.values()),
                group_shortfall=sum(max(0, need - s.providers) for s in shortfalls),
                score=score,
                annual_cost=cost,
            ),
            solver=SolverInfo(
                solver=self.solver,
                version=self.version or solver_version(self.solver),
                status=status,
                time_limit=self.time_limit,
                mip_gap=self.mip_gap,
                objective_value=None if deciding is None else deciding.value,
                best_bound=None if deciding is None else deciding.bound,
                gap=None if deciding is None else deciding.gap,
                levels=tuple(self.reports),
            ),
            alternatives=alternatives,
            alternatives_checked=checked,
        )
