"""Helpers for the optimiser tests: small problems in code and an independent brute force.

The brute force shares no code with ``optimiser``: it enumerates every award lot by lot,
checks each rule on exact fractions of the raw numbers and ranks awards by the documented
lexicographic objective, using the scaling formulas as written in ``optimiser.model``'s
docstring (re-typed here, not imported).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from optimiser import AwardBidder, AwardLot, AwardProblem, Candidate
from tender.models import ProviderRange, Rules

SOLVERS = ("highs", "cbc")


def make_problem(
    lots: list[tuple[str, str, float]] | list[tuple[str, str, float, int, int | None]],
    bids: list[tuple[str, str, float, float]],
    *,
    bidders: dict[str, dict[str, float | int | None]] | None = None,
    total_hours: float | None = None,
    **rules: object,
) -> AwardProblem:
    """A problem from short tuples.

    ``lots``: ``(lot_id, group, hours)`` (providers per the rules' ``providers_per_lot``) or
    ``(lot_id, group, hours, min, max)``;
    ``bids``: ``(lot_id, bidder_id, score, rate)``, ranked per lot by score desc, rate asc,
    bidder id; ``bidders``: per-bidder ``max_lots``/``capacity_hours_per_week``; the rest
    are :class:`Rules` fields.
    """
    default = Rules(**rules).providers_per_lot
    lot_models = []
    for row in lots:
        if len(row) == 3:
            lot_id, group, hours = row
            lot_models.append(
                AwardLot(
                    lot_id=lot_id,
                    group=group,
                    hours_per_week=hours,
                    min_providers=default.min,
                    max_providers=default.max,
                )
            )
        else:
            lot_id, group, hours, low, high = row
            lot_models.append(
                AwardLot(
                    lot_id=lot_id,
                    group=group,
                    hours_per_week=hours,
                    min_providers=low,
                    max_providers=high,
                )
            )
    by_lot: dict[str, list[tuple[str, str, float, float]]] = defaultdict(list)
    for bid in bids:
        by_lot[bid[0]].append(bid)
    candidates = []
    for lot_id in sorted(by_lot):
        ranked = sorted(by_lot[lot_id], key=lambda b: (-b[2], b[3], b[1]))
        for rank, (_, bidder_id, score, rate) in enumerate(ranked, start=1):
            candidates.append(
                Candidate(bidder_id=bidder_id, lot_id=lot_id, score=score, rate=rate, rank=rank)
            )
    names = sorted({b[1] for b in bids} | set(bidders or {}))
    bidder_models = [AwardBidder(bidder_id=b, **(bidders or {}).get(b, {})) for b in names]
    return AwardProblem(
        lots=tuple(lot_models),
        bidders=tuple(bidder_models),
        candidates=tuple(candidates),
        rules=Rules(**rules),
        total_hours=total_hours,
    )


def framework(low: int = 1, high: int | None = None) -> ProviderRange:
    """A provider range for ``providers_per_lot``."""
    return ProviderRange(min=low, max=high)


# --- brute force -------------------------------------------------------------------------


def exact(value: float) -> Fraction:
    """The decimal a test typed (0.15 is 3/20, not the binary float)."""
    return Fraction(repr(value))


def violations(problem: AwardProblem, award: set[tuple[str, str]]) -> list[str]:
    """Every rule the award breaks, checked directly on exact fractions of the inputs."""
    rules = problem.rules
    bids = {(c.lot_id, c.bidder_id): c for c in problem.candidates}
    lots = {lot.lot_id: lot for lot in problem.lots}
    hours = {lot_id: exact(lot.hours_per_week) for lot_id, lot in lots.items()}
    broken = [f"{k} is not a compliant bid" for k in award if k not in bids]
    per_lot: dict[str, int] = defaultdict(int)
    for lot_id, _ in award:
        per_lot[lot_id] += 1
    for lot_id, lot in lots.items():
        if lot.max_providers is not None and per_lot[lot_id] > lot.max_providers:
            broken.append(f"{lot_id} over max providers")
    for bidder in problem.bidders:
        broken += bidder_violations(problem, award, bidder.bidder_id)
    if rules.budget_per_year is not None:
        cost = sum(
            (hours[k[0]] * 52 * exact(bids[k].rate) for k in award if k in bids), Fraction(0)
        )
        if cost > exact(rules.budget_per_year):
            broken.append("over budget")
    return broken


def bidder_violations(
    problem: AwardProblem, award: set[tuple[str, str]], bidder_id: str
) -> list[str]:
    """The bidder rules one bidder's part of the award breaks."""
    rules = problem.rules
    bidder = next(b for b in problem.bidders if b.bidder_id == bidder_id)
    lots = {lot.lot_id: lot for lot in problem.lots}
    hours = {lot_id: exact(lot.hours_per_week) for lot_id, lot in lots.items()}
    mine = [lot_id for lot_id, b in award if b == bidder_id]
    mine_hours = sum((hours[lot_id] for lot_id in mine), Fraction(0))
    broken = []
    for cap in (bidder.max_lots, rules.max_lots_per_bidder):
        if cap is not None and len(mine) > cap:
            broken.append(f"{bidder_id} over max lots")
    capacity = bidder.capacity_hours_per_week
    if capacity is not None and mine_hours > exact(capacity):
        broken.append(f"{bidder_id} over capacity")
    if rules.max_share_of_hours is not None:
        if rules.share_basis == "tendered":
            base = exact(problem.total_hours) if problem.total_hours else sum(hours.values())
        else:
            base = sum((hours[lot_id] for lot_id, _ in award), Fraction(0))
        if mine_hours > exact(rules.max_share_of_hours) * base:
            broken.append(f"{bidder_id} over share")
    if rules.max_lots_per_bidder_per_group is not None:
        groups = [lots[lot_id].group for lot_id in mine]
        for group in set(groups):
            if groups.count(group) > rules.max_lots_per_bidder_per_group:
                broken.append(f"{bidder_id} over lots in {group}")
    return broken


@dataclass(frozen=True)
class Best:
    """The brute force's answer: the award and its levels."""

    award: tuple[tuple[str, str], ...]
    vacancies: int
    shortfall: int
    score: int
    cost: int


class _Weights:
    """The documented level weights of one problem, computed once for the enumeration."""

    def __init__(self, problem: AwardProblem) -> None:
        self.problem = problem
        lots = {lot.lot_id: lot for lot in problem.lots}
        self.group = {lot_id: lot.group for lot_id, lot in lots.items()}
        max_hours = max(lot.hours_per_week for lot in problem.lots)
        max_cost = max(
            (lots[c.lot_id].hours_per_week * c.rate for c in problem.candidates), default=1.0
        )
        index = {lot.lot_id: i for i, lot in enumerate(problem.lots)}
        per_lot: dict[str, list[Candidate]] = defaultdict(list)
        for c in problem.candidates:
            per_lot[c.lot_id].append(c)
        widest = max((len(v) for v in per_lot.values()), default=0)
        self.weights: dict[tuple[str, str], tuple[int, int, int]] = {}
        for c in problem.candidates:
            h = lots[c.lot_id].hours_per_week
            if problem.rules.objective == "hours_weighted":
                score = round(10_000 * c.score * h / max_hours)
            else:
                score = round(10_000 * c.score)
            cost = round(1_000_000 * h * c.rate / max_cost)
            ranked = sorted(per_lot[c.lot_id], key=lambda b: (b.rank, b.bidder_id))
            place = [b.bidder_id for b in ranked].index(c.bidder_id) + 1
            tie = (len(problem.lots) - index[c.lot_id]) * (widest + 1 - place)
            self.weights[(c.lot_id, c.bidder_id)] = (score, cost, tie)

    def levels(self, award: set[tuple[str, str]]) -> tuple[int, int, int, int, int]:
        per_lot: dict[str, int] = defaultdict(int)
        providers: dict[str, set[str]] = defaultdict(set)
        for lot_id, bidder_id in award:
            per_lot[lot_id] += 1
            providers[self.group[lot_id]].add(bidder_id)
        lots = self.problem.lots
        vacancies = sum(max(0, lot.min_providers - per_lot[lot.lot_id]) for lot in lots)
        need = self.problem.rules.min_providers_per_group or 0
        shortfall = sum(max(0, need - len(providers[g])) for g in set(self.group.values()))
        score = sum(self.weights[k][0] for k in award)
        cost = sum(self.weights[k][1] for k in award)
        tie = sum(self.weights[k][2] for k in award)
        return vacancies, shortfall, score, cost, tie


def levels(problem: AwardProblem, award: set[tuple[str, str]]) -> tuple[int, int, int, int, int]:
    """(vacancies, group shortfall, score weight, cost weight, tie weight) as documented."""
    return _Weights(problem).levels(award)


def lot_options(problem: AwardProblem) -> list[list[tuple[str, ...]]]:
    """Per lot (in order), every set of its bidders within its max providers."""
    options = []
    for lot in problem.lots:
        bidders = sorted(c.bidder_id for c in problem.candidates if c.lot_id == lot.lot_id)
        top = len(bidders) if lot.max_providers is None else min(lot.max_providers, len(bidders))
        choices = [
            combo for size in range(top + 1) for combo in itertools.combinations(bidders, size)
        ]
        options.append(choices)
    return options


def brute_force(problem: AwardProblem) -> Best:
    """The lexicographically best award by exhaustive search (tiny problems only)."""
    lot_ids = [lot.lot_id for lot in problem.lots]
    canonical = [
        (c.lot_id, c.bidder_id)
        for lot_id in lot_ids
        for c in sorted(
            (c for c in problem.candidates if c.lot_id == lot_id),
            key=lambda c: (c.rank, c.bidder_id),
        )
    ]
    weights = _Weights(problem)
    best_key = None
    best_award: set[tuple[str, str]] = set()
    for combo in itertools.product(*lot_options(problem)):
        award = {(lot_id, b) for lot_id, chosen in zip(lot_ids, combo, strict=True) for b in chosen}
        v, s, w, c, t = weights.levels(award)
        key_head = (-v, -s, w, -c, t)
        if best_key is not None and key_head < best_key[:5]:
            continue  # cannot beat the best: skip the rule check
        if violations(problem, award):
            continue
        # Lexicographic: fewest vacancies, shortfall; most score; least cost; most tie
        # weight; then the award taking bids earliest in the canonical order.
        key = (-v, -s, w, -c, t, tuple(int(k in award) for k in canonical))
        if best_key is None or key > best_key:
            best_key, best_award = key, award
    v, s, w, c, _ = weights.levels(best_award)
    return Best(tuple(sorted(best_award)), v, s, w, c)
