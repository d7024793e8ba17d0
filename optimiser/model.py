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
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from optimiser.linear import Columns, Linear, Row
from optimiser.problem import AwardProblem, Candidate

__all__ = [
    "SCORE_SCALE",
    "AwardModel",
    "IntegerData",
    "Key",
    "KeyedInts",
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


class KeyedInts(Mapping[Key, int]):
    """An integer per bid, read as a mapping but held in one array in ``position`` order.

    Four dicts of 600,000 bids (2000 lots x 1000 bidders) took about 150 MB beside the
    solver; the arrays take 20 MB and share one index.
    """

    __slots__ = ("_index", "array")

    def __init__(self, index: Mapping[Key, int], array: np.ndarray) -> None:
        self._index = index
        #: The integers, ``array[index[key]]`` for ``key``; not to be changed in place.
        self.array = array

    def __getitem__(self, key: Key) -> int:
        return int(self.array[self._index[key]])

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[Key]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


@dataclass(frozen=True)
class IntegerData:
    """The problem in exact integers: what the model rows and the award checks use.

    Keys are ``(lot_id, bidder_id)``; ``position`` is a bid's place in the canonical order
    (lots in the problem's order, then rank, then bidder id), 0 first, and iterates in it.
    """

    keys: tuple[Key, ...]
    hours: dict[str, int]
    score_weight: KeyedInts
    cost_weight: KeyedInts
    pence: KeyedInts
    tie_weight: KeyedInts
    position: dict[Key, int]
    max_lots: dict[str, int | None]
    capacity: dict[str, int | None]
    share: Fraction | None
    tendered_cap: int | None
    budget: int | None

    @functools.cached_property
    def in_key_order(self) -> np.ndarray:
        """Each key's position, in the order of ``keys``: a weight's array read by key."""
        return np.fromiter(
            map(self.position.__getitem__, self.keys), dtype=np.int64, count=len(self.keys)
        )


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
    keys = [(c.lot_id, c.bidder_id) for c in ordered]
    # In arrays, the same float operations in the same order as the formulas above (and
    # numpy rounds half to even, as round() does): 150,000 bids at 1000 lots x 500 bidders.
    h = np.fromiter((real_hours[c.lot_id] for c in ordered), dtype=np.float64, count=len(keys))
    score = np.fromiter((c.score for c in ordered), dtype=np.float64, count=len(keys))
    rate = np.fromiter((c.rate for c in ordered), dtype=np.float64, count=len(keys))
    max_cost = float((h * rate).max()) if len(keys) else 1.0
    if problem.rules.objective == "hours_weighted":
        scores = np.rint(SCORE_SCALE * score * h / max_hours)
    else:
        scores = np.rint(SCORE_SCALE * score)
    costs = np.rint(COST_SCALE * h * rate / max_cost)
    spent = np.rint(100 * 52 * h * rate)
    # Earlier lots weigh more, better ranks weigh more: see optimiser.solve.
    lot_weight = np.fromiter(
        (n_lots - lot_index[lot] for lot, _ in keys), dtype=np.int64, count=len(keys)
    )
    rank_weight = widest + 1 - np.fromiter(map(place.__getitem__, keys), np.int64, len(keys))
    position = {key: i for i, key in enumerate(keys)}
    rules = problem.rules
    share = _share(rules.max_share_of_hours) if rules.max_share_of_hours is not None else None
    tendered_cap = None
    if share is not None and rules.share_basis == "tendered":
        total = _hundredths(problem.tendered_hours)
        tendered_cap = math.floor(share * total)
    return IntegerData(
        keys=tuple(sorted(position)),
        hours=hours,
        score_weight=KeyedInts(position, scores.astype(np.int64)),
        cost_weight=KeyedInts(position, costs.astype(np.int64)),
        pence=KeyedInts(position, spent.astype(np.int64)),
        tie_weight=KeyedInts(position, lot_weight * rank_weight),
        position=position,
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

    Row names are made unique by :meth:`AwardModel._add`, column names by :func:`_names`.
    """
    return "_" + "_".join(map(_safe, parts))


def _names(prefix: str, parts: list[tuple[str, ...]]) -> list[str]:
    """Readable solver names (``x_B01_L12``), made unique by index if sanitising clashes."""
    safe = {part: _safe(part) for part in {part for key in parts for part in key}}
    if all(len(key) == 2 for key in parts):
        # The bids' and holders' pairs (hundreds of thousands at 2000 lots x 1000 bidders).
        names = [f"{prefix}_{safe[a]}_{safe[b]}" for a, b in parts]
    else:
        names = [prefix + "_" + "_".join([safe[part] for part in key]) for key in parts]
    if len(set(names)) < len(names):
        names = [f"{name}_{i}" for i, name in enumerate(names)]
    return names


def _joined(columns: np.ndarray, column: int) -> np.ndarray:
    """``columns`` with ``column`` after them."""
    joined = np.empty(len(columns) + 1, dtype=np.int64)
    joined[:-1], joined[-1] = columns, column
    return joined


def _runs(labels: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of equal labels in a sorted array."""
    if not len(labels):
        return []
    starts = np.r_[0, np.flatnonzero(labels[1:] != labels[:-1]) + 1]
    ends = np.r_[starts[1:], len(labels)]
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _numbers(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values sorted, and each value's place among them."""
    distinct = sorted(set(values))
    place = {value: i for i, value in enumerate(distinct)}
    return distinct, np.fromiter(map(place.__getitem__, values), dtype=np.int64, count=len(values))


@dataclass
class AwardModel:
    """The columns, hard rows and objective levels of one award problem.

    Columns are numbered in the order of their names (the order PuLP gave them, which the
    solvers' timings were measured with); rows are ``(name, Row)`` in a fixed order, so
    each solver gets the same model on every run. ``x`` holds the column of each bid, in
    the order of ``data.keys``.
    """

    problem: AwardProblem
    data: IntegerData
    columns: Columns
    x: np.ndarray
    v: dict[str, int]
    y: dict[tuple[str, str], int]
    s: dict[str, int]
    #: All awarded hours (hundredths), for a share cap on the ``awarded`` basis.
    w: int | None
    rows: list[tuple[str, Row]] = field(default_factory=list)
    #: Each group's row asking for its minimum of distinct providers, by name.
    group_rows: dict[str, str] = field(default_factory=dict)
    #: Each group's rows holding a provider column to its bids there (``y <= sum x``).
    holds_rows: dict[str, list[str]] = field(default_factory=dict)
    _row_names: set[str] = field(default_factory=set)
    _weighted: dict[int, tuple[KeyedInts, Linear]] = field(default_factory=dict)
    _x_of: dict[Key, int] | None = None

    @classmethod
    def build(cls, problem: AwardProblem, data: IntegerData | None = None) -> AwardModel:
        """Build the model of ``problem`` (``data`` defaults to :func:`integer_data`)."""
        data = data if data is not None else integer_data(problem)
        model = cls(problem, data, *_columns(problem, data))
        index = _BidIndex(problem, data)
        model._lot_rows(index)
        model._bidder_rows(index)
        model._group_rows(index)
        model._budget_row(index)
        return model

    @property
    def x_of(self) -> dict[Key, int]:
        """Each bid's column."""
        if self._x_of is None:
            self._x_of = dict(zip(self.data.keys, self.x.tolist(), strict=True))
        return self._x_of

    def bids(self, keys: list[Key]) -> np.ndarray:
        """The columns of the bids ``keys``, in that order."""
        return np.fromiter(map(self.x_of.__getitem__, keys), dtype=np.int64, count=len(keys))

    def lot_groups(self) -> np.ndarray:
        """Each column's lot as a number (lots in id order), -1 for columns not of a bid."""
        groups = np.full(len(self.columns), -1, dtype=np.int64)
        _, lot_number = _numbers([lot for lot, _ in self.data.keys])
        groups[self.x] = lot_number
        return groups

    def _add(self, name: str, row: Row) -> str:
        # Sanitised ids can clash ("L-1" and "L_1"); solvers refuse duplicate row names.
        if name in self._row_names:
            name = f"{name}_{len(self.rows)}"
        self._row_names.add(name)
        self.rows.append((name, row))
        return name

    # --- rows --------------------------------------------------------------------------

    def _lot_rows(self, index: _BidIndex) -> None:
        x = self.x
        spans = dict(zip(index.lot_ids, index.lot_spans, strict=True))
        for lot in sorted(self.problem.lots, key=lambda lot: lot.lot_id):
            start, end = spans.get(lot.lot_id, (0, 0))
            awarded = Linear(x[start:end], np.ones(end - start, dtype=np.int64))
            tag = _tag(lot.lot_id)
            if lot.lot_id in self.v:
                columns = _joined(awarded.columns, self.v[lot.lot_id])
                terms = Linear(columns, np.ones(len(columns)))
                self._add(f"min{tag}", terms.at_least(lot.min_providers))
            if lot.max_providers is not None and end - start > lot.max_providers:
                self._add(f"max{tag}", awarded.at_most(lot.max_providers))

    def _bidder_rows(self, index: _BidIndex) -> None:
        data, x, hours = self.data, self.x, index.hours
        awarded_share = data.share is not None and data.tendered_cap is None and data.share < 1
        per_group = self.problem.rules.max_lots_per_bidder_per_group
        for bidder_id, (start, end) in zip(index.bidder_ids, index.bidder_spans, strict=True):
            bids = index.by_bidder[start:end]
            tag = _tag(bidder_id)
            columns, own = x[bids], hours[bids]
            own_hours = int(own.sum())
            limit = data.max_lots[bidder_id]
            if limit is not None and limit < len(bids):
                self._add(f"lots{tag}", Linear(columns, np.ones(len(bids))).at_most(limit))
            capacity = data.capacity[bidder_id]
            if capacity is not None and capacity < own_hours:
                self._add(f"capacity{tag}", Linear(columns, own).at_most(capacity))
            if data.tendered_cap is not None and data.tendered_cap < own_hours:
                self._add(f"share{tag}", Linear(columns, own).at_most(data.tendered_cap))
            if awarded_share and data.share is not None:
                # q * own hours <= p * all awarded hours, against one column ``w`` for the
                # total: a row over every bid per bidder would be bidders x bids long.
                p, q = data.share.numerator, data.share.denominator
                w = self._awarded_hours(index)
                terms = Linear(_joined(columns, w), _joined(q * own, -p))
                self._add(f"share{tag}", terms.at_most(0))
            if per_group is not None:
                groups = index.group_number[bids]
                order = np.argsort(groups, kind="stable")
                for first, last in _runs(groups[order]):
                    if last - first > per_group:
                        chosen = bids[order[first:last]]
                        group = index.groups[int(index.group_number[chosen[0]])]
                        terms = Linear(x[chosen], np.ones(len(chosen)))
                        self._add(f"grouplots{_tag(bidder_id, group)}", terms.at_most(per_group))

    def _awarded_hours(self, index: _BidIndex) -> int:
        """``w``, tied to the awarded hours by one equality row on first use."""
        assert self.w is not None, "w is made with the columns when a share row needs it"
        if "awarded_hours" not in self._row_names:
            terms = Linear(_joined(self.x, self.w), _joined(index.hours, -1))
            self._add("awarded_hours", terms.equal_to(0))
        return self.w

    def _group_rows(self, index: _BidIndex) -> None:
        need = self.problem.rules.min_providers_per_group
        if not need:
            return
        # Bids by (bidder, group), both in name order: the order of the sorted y pairs.
        pair = index.bidder_number * len(index.groups) + index.group_number
        order = np.argsort(pair, kind="stable")
        runs = _runs(pair[order])
        # One array for all rows, each row a slice: its y, then its bids (tens of thousands
        # of rows at 1000 lots x 500 bidders).
        run_of = np.repeat(np.arange(len(runs)), [last - first for first, last in runs])
        starts = np.array([first for first, _ in runs], dtype=np.int64) + np.arange(len(runs))
        firsts = order[[first for first, _ in runs]].tolist()
        holders = [
            (self.data.keys[bid][1], index.groups[group])
            for bid, group in zip(firsts, index.group_number[firsts].tolist(), strict=True)
        ]
        y = np.array([self.y[holder] for holder in holders], dtype=np.int64)
        columns = np.empty(len(order) + len(runs), dtype=np.int64)
        coefficients = np.full(len(columns), -1, dtype=np.int64)
        columns[starts], coefficients[starts] = y, 1
        columns[np.arange(len(order)) + run_of + 1] = self.x[order]
        members: dict[str, list[int]] = defaultdict(list)
        spans = zip(holders, starts.tolist(), runs, y.tolist(), strict=True)
        for holder, begin, (first, last), column in spans:
            end = begin + last - first + 1
            terms = Linear(columns[begin:end], coefficients[begin:end])
            name = self._add(f"holds_{_safe(holder[0])}_{_safe(holder[1])}", terms.at_most(0))
            self.holds_rows.setdefault(holder[1], []).append(name)
            members[holder[1]].append(column)
        for group in sorted(self.s):
            columns = [*members[group], self.s[group]]
            terms = Linear(columns, np.ones(len(columns)))
            self.group_rows[group] = self._add(f"providers{_tag(group)}", terms.at_least(need))

    def _budget_row(self, index: _BidIndex) -> None:
        budget = self.data.budget
        if budget is None or int(index.pence.sum()) <= budget:
            return
        self._add("budget", Linear(self.x, index.pence).at_most(budget))

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
        group_of = {lot.lot_id: lot.group for lot in self.problem.lots}
        bid_on = Counter((bidder_id, group_of[lot_id]) for lot_id, bidder_id in self.data.keys)
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

    def implied_rows(self, vacancies: int) -> list[str]:
        """The implied group rows (:meth:`implied_group_rows`) and their groups' holds rows.

        With its group's row let go, a provider column is in no other row than its holds
        row, and no award depends on it: the holds row may go too, leaving the relaxations
        without tens of thousands of rows (45,000 at 1000 lots x 500 bidders).
        """
        implied = self.implied_group_rows(vacancies)
        group_of = {name: group for group, name in self.group_rows.items()}
        holds = [row for name in implied for row in self.holds_rows.get(group_of[name], [])]
        return implied + holds

    # --- objective levels --------------------------------------------------------------

    def vacancies(self) -> Linear:
        """Unfilled places over all lots."""
        columns = [self.v[k] for k in sorted(self.v)]
        return Linear(columns, np.ones(len(columns)))

    def shortfall(self) -> Linear:
        """Missing distinct providers over all groups."""
        columns = [self.s[g] for g in sorted(self.s)]
        return Linear(columns, np.ones(len(columns)))

    def weighted(self, weights: KeyedInts) -> Linear:
        """``sum weight * x`` over the bids, for the score, cost and tie-break levels.

        Built once per weights (a level's objective and its fix share it). Callers must not
        change it in place.
        """
        cached = self._weighted.get(id(weights))
        if cached is None or cached[0] is not weights:
            values = weights.array[self.data.in_key_order]
            kept = values != 0
            cached = self._weighted[id(weights)] = (weights, Linear(self.x[kept], values[kept]))
        return cached[1]

    def start_values(self, awarded: frozenset[Key]) -> np.ndarray:
        """A full, feasible value of every column for an award (a warm start)."""
        values = np.zeros(len(self.columns))
        values[self.bids(sorted(awarded))] = 1.0
        count: dict[str, int] = defaultdict(int)
        for lot_id, _ in awarded:
            count[lot_id] += 1
        for lot_id, column in self.v.items():
            values[column] = max(0, self.problem.lot(lot_id).min_providers - count[lot_id])
        group_of = {lot.lot_id: lot.group for lot in self.problem.lots}
        held = {(b, group_of[lot]) for lot, b in awarded}
        providers: dict[str, int] = defaultdict(int)
        for pair, column in self.y.items():
            values[column] = int(pair in held)
            providers[pair[1]] += int(pair in held)
        need = self.problem.rules.min_providers_per_group or 0
        for group, column in self.s.items():
            values[column] = max(0, need - providers[group])
        if self.w is not None:
            values[self.w] = sum(self.data.hours[lot] for lot, _ in awarded)
        return values

    def text(self) -> list[str]:
        """Every column and row as a line of text, in order: for tests and debugging."""
        names, columns = self.columns.names, self.columns
        lines = [
            f"{name}: {columns.lower[i]:g} .. {columns.upper[i]:g}"
            + (" integer" if columns.integer[i] else "")
            for i, name in enumerate(names)
        ]
        lines += [f"{name}: {row.text(names)}" for name, row in self.rows]
        return lines


class _BidIndex:
    """The bids of ``data.keys`` numbered and sorted by lot, bidder and group, in arrays."""

    def __init__(self, problem: AwardProblem, data: IntegerData) -> None:
        keys = data.keys
        n = len(keys)
        group_of = {lot.lot_id: lot.group for lot in problem.lots}
        lots = [lot for lot, _ in keys]
        bidders = [bidder for _, bidder in keys]
        self.hours = np.fromiter(map(data.hours.__getitem__, lots), dtype=np.int64, count=n)
        self.pence = data.pence.array[data.in_key_order]
        # Keys are sorted by lot: each lot's bids are one span.
        self.lot_ids, lot_number = _numbers(lots)
        self.lot_spans = _runs(lot_number)
        self.bidder_ids, self.bidder_number = _numbers(bidders)
        self.by_bidder = np.argsort(self.bidder_number, kind="stable")
        self.bidder_spans = _runs(self.bidder_number[self.by_bidder])
        self.groups, self.group_number = _numbers([group_of[lot] for lot in lots])


def _columns(
    problem: AwardProblem, data: IntegerData
) -> tuple[
    Columns,
    np.ndarray,
    dict[str, int],
    dict[tuple[str, str], int],
    dict[str, int],
    int | None,
]:
    """Every column with its bounds, numbered in name order, and the columns of each kind."""
    keys = list(data.keys)
    fixed = set(problem.fixed)
    names = _names("x", [(b, lot) for lot, b in keys])
    lower = [1 if key in fixed else 0 for key in keys]
    upper = [1] * len(keys)
    short = sorted(lot.lot_id for lot in problem.lots if lot.min_providers > 0)
    names += _names("v", [(k,) for k in short])
    lower += [0] * len(short)
    upper += [problem.lot(lot_id).min_providers for lot_id in short]
    need = problem.rules.min_providers_per_group
    pairs: list[tuple[str, str]] = []
    groups: list[str] = []
    if need:
        pairs = sorted({(b, problem.lot(lot).group) for lot, b in keys})
        groups = sorted({lot.group for lot in problem.lots})
        names += _names("y", pairs) + _names("s", [(g,) for g in groups])
        lower += [0] * (len(pairs) + len(groups))
        upper += [1] * len(pairs) + [need] * len(groups)
    awarded = data.share is not None and data.tendered_cap is None and data.share < 1
    if awarded:
        names.append("w_awarded_hours")
        lower.append(0)
        upper.append(sum(data.hours[k[0]] for k in keys))
    order = sorted(range(len(names)), key=names.__getitem__)
    place = np.empty(len(names), dtype=np.int64)
    place[order] = np.arange(len(names))
    sorted_names = [names[i] for i in order]
    columns = Columns(
        names=sorted_names,
        lower=np.asarray(lower, dtype=np.float64)[order],
        upper=np.asarray(upper, dtype=np.float64)[order],
        integer=np.ones(len(names), dtype=bool),
    )
    n_x, n_v, n_y = len(keys), len(short), len(pairs)
    at = place.tolist()
    v = dict(zip(short, at[n_x : n_x + n_v], strict=True))
    y = dict(zip(pairs, at[n_x + n_v : n_x + n_v + n_y], strict=True))
    s = dict(zip(groups, at[n_x + n_v + n_y : n_x + n_v + n_y + len(groups)], strict=True))
    w = at[-1] if awarded else None
    return columns, place[:n_x], v, y, s, w
