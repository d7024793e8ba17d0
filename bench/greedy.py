"""A greedy award: the benchmark's baseline, not a product feature.

What a spreadsheet would do: walk the lots in the tender's order and give each lot to its
best-ranked compliant bidders that still fit every rule (the lot's ``max_providers``, the
bidder's lot limit, capacity, share cap and lots per group, the budget), until the lot has
its maximum (every fitting bidder when it has none). Nothing is ever taken back, and the
group rule (``min_providers_per_group``) is not looked at: a spreadsheet fills lots, not
localities. A share of *awarded* hours cannot be known until the end, so it is checked
against the hours of each lot's minimum places on the way (as the optimiser's own greedy
start does, whose rule checks this shares) and the finished award is checked exactly.

The benchmark reports how far this falls below the optimiser's score level, to show what
the integer program buys over the obvious manual method. ``tender`` never uses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optimiser.check import award_levels, rule_violations
from optimiser.greedy import Tally
from optimiser.model import IntegerData, Key, integer_data
from optimiser.problem import AwardProblem

__all__ = ["GreedyAward", "greedy_award"]


@dataclass(frozen=True)
class GreedyAward:
    """The greedy award and its value on the optimiser's terms.

    Attributes:
        awarded: ``(lot_id, bidder_id)`` pairs, sorted.
        vacancies: Unfilled places (the optimiser's first level).
        shortfall: Providers missing from the groups' minimum.
        score: Sum of the appointed bids' totals, times the lot's hours for an
            ``hours_weighted`` objective: the same units as ``AwardResult.objective.score``.
        violations: Rules the finished award breaks (only an awarded-hours share cap can).
    """

    awarded: tuple[Key, ...]
    vacancies: int
    shortfall: int
    score: float
    violations: tuple[str, ...]


def greedy_award(problem: AwardProblem, data: IntegerData | None = None) -> GreedyAward:
    """Award lots one by one to the best-ranked bidders that still fit.

    Args:
        problem: The award problem the optimiser solves.
        data: Its integer data (computed when not given).

    Returns:
        The greedy award, valued as the optimiser values an award.
    """
    data = data if data is not None else integer_data(problem)
    fit = Tally(problem, data)
    awarded: list[Key] = []
    for lot in problem.lots:
        for candidate in problem.candidates_for(lot.lot_id):
            key = (lot.lot_id, candidate.bidder_id)
            if fit.fits(key):
                fit.add(key)
                awarded.append(key)
    levels = award_levels(problem, data, awarded)
    hours = {lot.lot_id: lot.hours_per_week for lot in problem.lots}
    score_of = {(c.lot_id, c.bidder_id): c.score for c in problem.candidates}
    weighted = problem.rules.objective == "hours_weighted"
    score = math.fsum(score_of[k] * (hours[k[0]] if weighted else 1.0) for k in awarded)
    return GreedyAward(
        awarded=tuple(sorted(awarded)),
        vacancies=levels.vacancies,
        shortfall=levels.shortfall,
        score=score,
        violations=tuple(rule_violations(problem, data, awarded)),
    )
