"""The award integer program, built in exact integers so that two solvers agree.

Variables (names from sorted ids, so the LP text is the same on every run):

- ``x[lot, bidder]`` binary: the bid is awarded;
- ``v[lot]`` integer slack: places of the lot left unfilled below its ``min_providers``;
- ``y[bidder, group]`` binary: the bidder holds at least one lot of the group;
- ``s[group]`` integer slack: distinct providers missing from a group's minimum;
- ``w`` integer: all awarded hours, only for a share cap on the ``awarded`` basis.

Rows: per lot ``sum x + v >= min_providers`` and ``sum x <= max_providers``; per bidder
its lot limit, capacity, share of hours (``tendered``: a fixed cap; ``awarded``:
``q * own hours - p * w <= 0`` for a share ``p/q``, with ``w`` equal to all awarded
hours by one row), and lots per group;
per group ``y <= sum x`` and ``sum y + s >= min_providers_per_group``; and the budget.
Slack keeps the model feasible (awarding nothing satisfies every hard row), so a rule that
cannot be met shows up as a named vacancy rather than an infeasible model.

Scaling, so that every row and objective level has integer coefficients and a level can be
fixed exactly (the next level may not give up even one unit of it):

- hours are counted in hundredths (``round(100 * hours)``); capacities and the tendered
  share cap are rounded *down* to a hundredth of an hour;
- shares are read as the decimal typed (0.15 is 3/20); a share needing more than four
  decimals is rounded down to four;
- the budget row counts pence: ``round(100 * 52 * hours * rate)`` against the budget
  rounded down to a penny;
- the score level weighs a bid ``round(10_000 * score * hours / max_hours)``
  (``hours_weighted``) or ``round(10_000 * score)`` (``score``): the best bid on the
  biggest lot is worth 10^6, and scores are compared to 1e-4 points on that lot;
- the cost level weighs a bid ``round(10^6 * hours * rate / max(hours * rate))``: costs
  are compared to a millionth of the dearest bid.

Objective terms stay at or below 10^6 so the solvers' tolerances (about 1e-6 relative)
stay far below one unit; a level fix holds its exact integer value (the award it came from
meets it exactly, and a row without slack keeps the relaxation of the next level on the
optimal face, see :mod:`optimiser.highs`). Rule rows may
have larger integers (pence, or ``q * hours`` for an awarded share); the optimiser checks
each award it keeps against every rule in exact arithmetic (:mod:`optimiser.check`).
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import pulp

from optimiser.problem import AwardProblem, Candidate

__all__ = [
    "SCORE_SCALE",
    "AwardModel",
    "IntegerData",
    "Key",
    "integer_data",
]

#: A bid in the model: ``(lot_id, bidder_id)``, the order of award pairs.
Key = tuple[str, str]

#: Score points are compared to 1/SCORE_SCALE on the biggest lot.
SCORE_SCALE = 10_000
#: The dearest bid's annual cost is worth this many cost units.
COST_SCALE = 1_000_000
#: Share caps are read to this many decimals at most.
SHARE_DENOMINATOR = 10_000


def _hundredths(hours: float) -> int:
    return max(1, round(hours * 100))


def _floor(value: float, scale: int) -> int:
    # The epsilon absorbs binary noise such as 0.15 * 2000 = 299.99999999999997.
    return math.floor(value * scale + 1e-6)


def _share(share: float) -> Fraction:
    exact = Fraction(repr(share))
    if exact.denominator <= SHARE_DENOMINATOR:
        return exact
    return Fraction(math.floor(share * SHARE_DENOMINATOR), SHARE_DENOMINATOR)


@dataclass(frozen=True)
class IntegerData:
    """The problem in exact integers: what the model rows and the award checks use.

    Keys are ``(lot_id, bidder_id)``; ``position`` is a bid's place in the canonical order
    (lots in the problem's order, then rank, then bidder id), 0 first.
    """

    keys: tuple[Key, ...]
    hours: dict[str, int]
    score_weight: dict[Key, int]
    cost_weight: dict[Key, int]
    pence: dict[Key, int]
    tie_weight: dict[Key, int]
    position: dict[Key, int]
    max_lots: dict[str, int | None]
    capacity: dict[str, int | None]
    share: Fraction | None
    tendered_cap: int | None
    budget: int | None


def integer_data(problem: AwardProblem) -> IntegerData:
    """Scale a problem to the integers the model and the checks share.

    Args:
        problem: The award problem.

    Returns:
        The integer data; see the module docstring for each rounding rule.
    """
    lot_index = {lot.lot_id: i for i, lot in enumerate(problem.lots)}
    hours = {lot.lot_id: _hundredths(lot.hours_per_week) for lot in problem.lots}
    real_hours = {lot.lot_id: lot.hours_per_week for lot in problem.lots}
    by_lot: dict[str, list[Candidate]] = defaultdict(list)
    for c in problem.candidates:
        by_lot[c.lot_id].append(c)
    ordered: list[Candidate] = []
    place: dict[Key, int] = {}
    for lot in problem.lots:
        ranked = sorted(by_lot[lot.lot_id], key=lambda c: (c.rank, c.bidder_id))
        for i, c in enumerate(ranked, start=1):
            place[(c.lot_id, c.bidder_id)] = i
        ordered += ranked
    widest = max((len(v) for v in by_lot.values()), default=0)
    n_lots = len(problem.lots)
    max_hours = max(real_hours.values(), default=1.0)
    max_cost = max((real_hours[c.lot_id] * c.rate for c in ordered), default=1.0)
    hours_weighted = problem.rules.objective == "hours_weighted"
    score_weight: dict[Key, int] = {}
    cost_weight: dict[Key, int] = {}
    pence: dict[Key, int] = {}
    tie_weight: dict[Key, int] = {}
    for c in ordered:
        key = (c.lot_id, c.bidder_id)
        h = real_hours[c.lot_id]
        if hours_weighted:
            score_weight[key] = round(SCORE_SCALE * c.score * h / max_hours)
        else:
            score_weight[key] = round(SCORE_SCALE * c.score)
        cost_weight[key] = round(COST_SCALE * h * c.rate / max_cost)
        pence[key] = round(100 * 52 * h * c.rate)
        # Earlier lots weigh more, better ranks weigh more: see optimiser.solve.
        tie_weight[key] = (n_lots - lot_index[c.lot_id]) * (widest + 1 - place[key])
    rules = problem.rules
    share = _share(rules.max_share_of_hours) if rules.max_share_of_hours is not None else None
    tendered_cap = None
    if share is not None and rules.share_basis == "tendered":
        total = _hundredths(problem.tendered_hours)
        tendered_cap = math.floor(share * total)
    return IntegerData(
        keys=tuple(sorted(score_weight)),
        hours=hours,
        score_weight=score_weight,
        cost_weight=cost_weight,
        pence=pence,
        tie_weight=tie_weight,
        position={(c.lot_id, c.bidder_id): i for i, c in enumerate(ordered)},
        max_lots={b.bidder_id: problem.max_lots(b.bidder_id) for b in problem.bidders},
        capacity={
            b.bidder_id: (
                _floor(b.capacity_hours_per_week, 100)
                if b.capacity_hours_per_week is not None
                else None
            )
            for b in problem.bidders
        },
        share=share,
        tendered_cap=tendered_cap,
        budget=_floor(rules.budget_per_year, 100) if rules.budget_per_year is not None else None,
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9]")


@functools.lru_cache(maxsize=1 << 16)
def _safe(part: str) -> str:
    return _UNSAFE.sub("_", part)


def _tag(*parts: str) -> str:
    """A name's tail from ids (``_B01_G2``), each id sanitised once however often it recurs.

    Row names are made unique by :meth:`AwardModel._add`, variable names by :func:`_names`.
    """
    return "_" + "_".join(map(_safe, parts))


def _names(prefix: str, parts: list[tuple[str, ...]]) -> list[str]:
    """Readable solver names (``x_B01_L12``), made unique by index if sanitising clashes."""
    names = [prefix + _tag(*part) for part in parts]
    if len(set(names)) < len(names):
        names = [f"{name}_{i}" for i, name in enumerate(names)]
    return names


def _expr(terms: list[tuple[pulp.LpVariable, int]]) -> pulp.LpAffineExpression:
    """An expression from ``(variable, coefficient)`` pairs in one pass.

    ``lpSum`` over ``coefficient * variable`` builds and merges one expression per term,
    which dominated building the model of a large tender.
    """
    return pulp.LpAffineExpression(terms)


def _row(terms: list[tuple[pulp.LpVariable, int]], sense: int, rhs: int) -> pulp.LpConstraint:
    return pulp.LpConstraint(_expr(terms), sense, rhs=rhs)


_LE, _GE, _EQ = pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ


@dataclass
class AwardModel:
    """The variables, hard rows and objective levels of one award problem.

    Rows are kept as a list of ``(name, constraint)`` so each solve can assemble a fresh
    ``LpProblem`` from them plus its own extra rows (level fixes, no-good cuts).
    """

    problem: AwardProblem
    data: IntegerData
    x: dict[Key, pulp.LpVariable] = field(default_factory=dict)
    #: Each ``x`` variable's name (PuLP's ``name`` is a property: slow a million times).
    x_names: dict[Key, str] = field(default_factory=dict)
    v: dict[str, pulp.LpVariable] = field(default_factory=dict)
    y: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    s: dict[str, pulp.LpVariable] = field(default_factory=dict)
    #: All awarded hours (hundredths), for a share cap on the ``awarded`` basis.
    w: pulp.LpVariable | None = None
    rows: list[tuple[str, pulp.LpConstraint]] = field(default_factory=list)
    #: Each group's row asking for its minimum of distinct providers, by name.
    group_rows: dict[str, str] = field(default_factory=dict)
    _row_names: set[str] = field(default_factory=set)
    _weighted: dict[int, tuple[dict[Key, int], pulp.LpAffineExpression]] = field(
        default_factory=dict
    )

    @classmethod
    def build(cls, problem: AwardProblem, data: IntegerData | None = None) -> AwardModel:
        """Build the model of ``problem`` (``data`` defaults to :func:`integer_data`)."""
        model = cls(problem, data if data is not None else integer_data(problem))
        model._variables()
        model._lot_rows()
        model._bidder_rows()
        model._group_rows()
        model._budget_row()
        return model

    # --- variables ---------------------------------------------------------------------

    def _variables(self) -> None:
        owner = pulp.LpProblem("award", pulp.LpMinimize)
        keys = list(self.data.keys)
        fixed = set(self.problem.fixed)
        for key, name in zip(keys, _names("x", [(b, lot) for lot, b in keys]), strict=True):
            self.x_names[key] = name
            # PuLP resets a binary's bounds to 0..1, so a fixed bid is an integer fixed at 1.
            if key in fixed:
                self.x[key] = owner.add_variable(name, 1, 1, cat=pulp.LpInteger)
            else:
                self.x[key] = owner.add_variable(name, 0, 1, cat=pulp.LpBinary)
        short = sorted(lot.lot_id for lot in self.problem.lots if lot.min_providers > 0)
        for lot_id, name in zip(short, _names("v", [(k,) for k in short]), strict=True):
            top = self.problem.lot(lot_id).min_providers
            self.v[lot_id] = owner.add_variable(name, 0, top, cat=pulp.LpInteger)
        data = self.data
        if data.share is not None and data.tendered_cap is None and data.share < 1:
            total = sum(data.hours[k[0]] for k in keys)
            self.w = owner.add_variable("w_awarded_hours", 0, total, cat=pulp.LpInteger)
        need = self.problem.rules.min_providers_per_group
        if need:
            pairs = sorted({(b, self.problem.lot(lot).group) for lot, b in keys})
            for pair, name in zip(pairs, _names("y", pairs), strict=True):
                self.y[pair] = owner.add_variable(name, 0, 1, cat=pulp.LpBinary)
            groups = sorted({lot.group for lot in self.problem.lots})
            for group, name in zip(groups, _names("s", [(g,) for g in groups]), strict=True):
                self.s[group] = owner.add_variable(name, 0, need, cat=pulp.LpInteger)

    def _add(self, name: str, constraint: pulp.LpConstraint) -> str:
        # Sanitised ids can clash ("L-1" and "L_1"); PuLP refuses duplicate row names.
        if name in self._row_names:
            name = f"{name}_{len(self.rows)}"
        self._row_names.add(name)
        self.rows.append((name, constraint))
        return name

    # --- rows --------------------------------------------------------------------------

    def _lot_rows(self) -> None:
        by_lot: dict[str, list[Key]] = defaultdict(list)
        for key in self.data.keys:
            by_lot[key[0]].append(key)
        for lot in sorted(self.problem.lots, key=lambda lot: lot.lot_id):
            keys = by_lot[lot.lot_id]
            awarded = [(self.x[k], 1) for k in keys]
            tag = _tag(lot.lot_id)
            if lot.lot_id in self.v:
                terms = [*awarded, (self.v[lot.lot_id], 1)]
                self._add(f"min{tag}", _row(terms, _GE, lot.min_providers))
            if lot.max_providers is not None and len(keys) > lot.max_providers:
                self._add(f"max{tag}", _row(awarded, _LE, lot.max_providers))

    def _bidder_rows(self) -> None:
        data = self.data
        by_bidder: dict[str, list[Key]] = defaultdict(list)
        for key in data.keys:
            by_bidder[key[1]].append(key)
        awarded_share = data.share is not None and data.tendered_cap is None and data.share < 1
        for bidder_id in sorted(by_bidder):
            keys = by_bidder[bidder_id]
            tag = _tag(bidder_id)
            count = [(self.x[k], 1) for k in keys]
            hours = [(self.x[k], data.hours[k[0]]) for k in keys]
            own_hours = sum(data.hours[k[0]] for k in keys)
            limit = data.max_lots[bidder_id]
            if limit is not None and limit < len(keys):
                self._add(f"lots{tag}", _row(count, _LE, limit))
            capacity = data.capacity[bidder_id]
            if capacity is not None and capacity < own_hours:
                self._add(f"capacity{tag}", _row(hours, _LE, capacity))
            if data.tendered_cap is not None and data.tendered_cap < own_hours:
                self._add(f"share{tag}", _row(hours, _LE, data.tendered_cap))
            if awarded_share and data.share is not None:
                # q * own hours <= p * all awarded hours, against one variable ``w`` for
                # the total: a row over every bid per bidder would be bidders x bids long.
                p, q = data.share.numerator, data.share.denominator
                terms = [(var, q * h) for var, h in hours] + [(self._awarded_hours(), -p)]
                self._add(f"share{tag}", _row(terms, _LE, 0))
            per_group = self.problem.rules.max_lots_per_bidder_per_group
            if per_group is not None:
                in_group: dict[str, list[Key]] = defaultdict(list)
                for k in keys:
                    in_group[self.problem.lot(k[0]).group].append(k)
                for group in sorted(in_group):
                    if len(in_group[group]) > per_group:
                        gtag = _tag(bidder_id, group)
                        terms = [(self.x[k], 1) for k in in_group[group]]
                        self._add(f"grouplots{gtag}", _row(terms, _LE, per_group))

    def _awarded_hours(self) -> pulp.LpVariable:
        """``w``, tied to the awarded hours by one equality row on first use."""
        assert self.w is not None, "w is made with the variables when a share row needs it"
        if "awarded_hours" not in self._row_names:
            terms = [(self.x[k], self.data.hours[k[0]]) for k in self.data.keys]
            self._add("awarded_hours", _row([*terms, (self.w, -1)], _EQ, 0))
        return self.w

    def _group_rows(self) -> None:
        need = self.problem.rules.min_providers_per_group
        if not need:
            return
        group_of = {lot.lot_id: lot.group for lot in self.problem.lots}
        holds: dict[tuple[str, str], list[Key]] = defaultdict(list)
        for key in self.data.keys:
            holds[(key[1], group_of[key[0]])].append(key)
        members: dict[str, list[tuple[pulp.LpVariable, int]]] = defaultdict(list)
        for pair in sorted(self.y):
            tag = _tag(*pair)
            terms = [(self.y[pair], 1)] + [(self.x[k], -1) for k in holds[pair]]
            self._add(f"holds{tag}", _row(terms, _LE, 0))
            members[pair[1]].append((self.y[pair], 1))
        for group in sorted(self.s):
            tag = _tag(group)
            terms = [*members[group], (self.s[group], 1)]
            self.group_rows[group] = self._add(f"providers{tag}", _row(terms, _GE, need))

    def _budget_row(self) -> None:
        budget = self.data.budget
        if budget is None or sum(self.data.pence.values()) <= budget:
            return
        spent = [(self.x[k], self.data.pence[k]) for k in self.data.keys]
        self._add("budget", _row(spent, _LE, budget))

    def implied_group_rows(self, vacancies: int) -> list[str]:
        """The group rows no award with at most ``vacancies`` unfilled places can break.

        A group's lots have ``P`` places to fill; with at most ``vacancies`` of all places
        unfilled, at least ``P - vacancies`` are filled, and no bidder fills more than
        ``c`` of them (its lots bid on there, its lot limit, its limit per group), so at
        least ``ceil((P - vacancies) / c)`` providers are appointed there. Where that meets
        the group's minimum the row (and its provider columns) only slows the relaxations:
        HTLAH's rule of two providers per locality, once every lot is filled, is met by any
        award whose bidders hold at most three lots each.
        """
        need = self.problem.rules.min_providers_per_group
        if not need or not self.group_rows:
            return []
        per_group = self.problem.rules.max_lots_per_bidder_per_group
        places: dict[str, int] = defaultdict(int)
        for lot in self.problem.lots:
            places[lot.group] += lot.min_providers
        bid_on: dict[tuple[str, str], int] = defaultdict(int)
        for lot_id, bidder_id in self.data.keys:
            bid_on[(bidder_id, self.problem.lot(lot_id).group)] += 1
        most: dict[str, int] = defaultdict(int)
        for (bidder_id, group), count in bid_on.items():
            for limit in (self.data.max_lots[bidder_id], per_group):
                if limit is not None:
                    count = min(count, limit)
            most[group] = max(most[group], count)
        implied = []
        for group, name in sorted(self.group_rows.items()):
            filled = places[group] - vacancies
            if most[group] > 0 and filled > 0 and -(-filled // most[group]) >= need:
                implied.append(name)
        return implied

    # --- objective levels --------------------------------------------------------------

    def vacancies(self) -> pulp.LpAffineExpression:
        """Unfilled places over all lots."""
        return _expr([(self.v[k], 1) for k in sorted(self.v)])

    def shortfall(self) -> pulp.LpAffineExpression:
        """Missing distinct providers over all groups."""
        return _expr([(self.s[g], 1) for g in sorted(self.s)])

    def weighted(self, weights: dict[Key, int]) -> pulp.LpAffineExpression:
        """``sum weight * x`` over the bids, for the score, cost and tie-break levels.

        Built once per weights (a level's objective and its fix share it): on a large
        tender each is a hundred thousand terms. Callers must not change it in place.
        """
        cached = self._weighted.get(id(weights))
        if cached is None or cached[0] is not weights:
            expr = _expr([(self.x[k], weights[k]) for k in self.data.keys if weights[k]])
            cached = self._weighted[id(weights)] = (weights, expr)
        return cached[1]

    def all_variables(self) -> list[pulp.LpVariable]:
        """Every variable, in name order."""
        found = [*self.x.values(), *self.v.values(), *self.y.values(), *self.s.values()]
        found += [self.w] if self.w is not None else []
        return sorted(found, key=lambda var: var.name)

    def start_values(self, awarded: frozenset[Key]) -> dict[str, int]:
        """A full, feasible assignment of every variable for an award (a warm start)."""
        values = {name: int(k in awarded) for k, name in self.x_names.items()}
        count: dict[str, int] = defaultdict(int)
        for lot_id, _ in awarded:
            count[lot_id] += 1
        for lot_id, var in self.v.items():
            values[var.name] = max(0, self.problem.lot(lot_id).min_providers - count[lot_id])
        group_of = {lot.lot_id: lot.group for lot in self.problem.lots}
        held = {(b, group_of[lot]) for lot, b in awarded}
        providers: dict[str, int] = defaultdict(int)
        for pair, var in self.y.items():
            values[var.name] = int(pair in held)
            providers[pair[1]] += int(pair in held)
        need = self.problem.rules.min_providers_per_group or 0
        for group, var in self.s.items():
            values[var.name] = max(0, need - providers[group])
        if self.w is not None:
            values[self.w.name] = sum(self.data.hours[lot] for lot, _ in awarded)
        return values
