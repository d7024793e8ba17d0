"""Exact checks of an award: every rule and every objective level, in integer arithmetic.

The solvers work in floating point with tolerances; these checks do not. The optimiser
runs them on every solution it carries forward, so an award that breaks a rule because of
solver numerics is caught rather than reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from optimiser.model import IntegerData, Key
from optimiser.problem import AwardProblem

__all__ = ["Levels", "award_levels", "rule_violations"]


@dataclass(frozen=True, order=True)
class Levels:
    """An award's integer value on each level, as the optimiser compares them."""

    vacancies: int
    shortfall: int
    score: int
    cost: int
    tie: int


def _counts(
    problem: AwardProblem, awarded: Iterable[Key]
) -> tuple[dict[str, int], dict[str, set[str]]]:
    per_lot: dict[str, int] = defaultdict(int)
    providers: dict[str, set[str]] = defaultdict(set)
    group_of = {lot.lot_id: lot.group for lot in problem.lots}
    for lot_id, bidder_id in awarded:
        per_lot[lot_id] += 1
        providers[group_of[lot_id]].add(bidder_id)
    return per_lot, providers


def vacancy_places(problem: AwardProblem, awarded: Iterable[Key]) -> dict[str, int]:
    """Unfilled places per lot (only lots with some), in the problem's lot order."""
    per_lot, _ = _counts(problem, awarded)
    places = {lot.lot_id: lot.min_providers - per_lot[lot.lot_id] for lot in problem.lots}
    return {lot_id: n for lot_id, n in places.items() if n > 0}


def group_providers(problem: AwardProblem, awarded: Iterable[Key]) -> dict[str, int]:
    """Distinct providers per group, every group present."""
    _, providers = _counts(problem, awarded)
    return {g: len(providers[g]) for g in sorted({lot.group for lot in problem.lots})}


def award_levels(problem: AwardProblem, data: IntegerData, awarded: Iterable[Key]) -> Levels:
    """The award's value on each objective level, exactly.

    Args:
        problem: The award problem.
        data: Its integer data.
        awarded: The awarded ``(lot_id, bidder_id)`` pairs.

    Returns:
        Vacancies, group shortfall, score weight, cost weight and tie-break weight.
    """
    chosen = sorted(set(awarded))
    need = problem.rules.min_providers_per_group or 0
    shortfall = sum(max(0, need - n) for n in group_providers(problem, chosen).values())
    return Levels(
        vacancies=sum(vacancy_places(problem, chosen).values()),
        shortfall=shortfall,
        score=sum(data.score_weight[k] for k in chosen),
        cost=sum(data.cost_weight[k] for k in chosen),
        tie=sum(data.tie_weight[k] for k in chosen),
    )


def rule_violations(problem: AwardProblem, data: IntegerData, awarded: Iterable[Key]) -> list[str]:
    """Every hard rule the award breaks, in plain words (empty when it breaks none).

    Args:
        problem: The award problem.
        data: Its integer data (hours in hundredths, budget in pence).
        awarded: The awarded ``(lot_id, bidder_id)`` pairs.

    Returns:
        One sentence per broken rule.
    """
    chosen = sorted(set(awarded))
    found = [
        f"lot {lot}: {bidder} has no compliant bid"
        for lot, bidder in chosen
        if (lot, bidder) not in data.score_weight
    ]
    chosen = [k for k in chosen if k in data.score_weight]
    per_lot, _ = _counts(problem, chosen)
    for lot in problem.lots:
        if lot.max_providers is not None and per_lot[lot.lot_id] > lot.max_providers:
            found.append(f"lot {lot.lot_id}: {per_lot[lot.lot_id]} providers, above its maximum")
    lots_of: dict[str, list[str]] = defaultdict(list)
    for lot_id, bidder_id in chosen:
        lots_of[bidder_id].append(lot_id)
    total = sum(data.hours[lot] for lot, _ in chosen)
    for bidder_id in sorted(lots_of):
        found += _bidder_violations(problem, data, bidder_id, lots_of[bidder_id], total)
    if data.budget is not None and sum(data.pence[k] for k in chosen) > data.budget:
        found.append("annual cost above the budget")
    return found


def _bidder_violations(
    problem: AwardProblem, data: IntegerData, bidder_id: str, lots: list[str], total: int
) -> list[str]:
    """The bidder rules one bidder's lots break; ``total`` is all awarded hours."""
    found: list[str] = []
    hours = sum(data.hours[lot] for lot in lots)
    limit = data.max_lots[bidder_id]
    if limit is not None and len(lots) > limit:
        found.append(f"bidder {bidder_id}: {len(lots)} lots, above its limit {limit}")
    capacity = data.capacity[bidder_id]
    if capacity is not None and hours > capacity:
        found.append(f"bidder {bidder_id}: hours above its capacity")
    if data.tendered_cap is not None and hours > data.tendered_cap:
        found.append(f"bidder {bidder_id}: share of tendered hours above the cap")
    if data.share is not None and data.tendered_cap is None and hours > data.share * total:
        found.append(f"bidder {bidder_id}: share of awarded hours above the cap")
    per_group_cap = problem.rules.max_lots_per_bidder_per_group
    if per_group_cap is not None:
        group_of = {lot.lot_id: lot.group for lot in problem.lots}
        in_group: dict[str, int] = defaultdict(int)
        for lot in lots:
            in_group[group_of[lot]] += 1
        for group in sorted(in_group):
            if in_group[group] > per_group_cap:
                found.append(f"bidder {bidder_id}: {in_group[group]} lots in group {group}")
    return found
