"""Why each lot went where it went, and what each lotting rule cost.

Two questions a panel and a commissioner ask of an award:

- per lot: did the top-ranked bid win, and if not, what stopped it? The answer is read off
  the award: the hard rules the bid would break if it replaced the lot's winners, else the
  group rule, an equal score at a lower cost, or the award as a whole scoring higher;
- per rule: what would relaxing it change? The problem is re-solved with the rule removed
  and the vacancies, score and annual cost compared.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from optimiser.check import group_providers
from optimiser.model import IntegerData, Key, integer_data
from optimiser.problem import AwardProblem
from optimiser.reasons import Standing, blocking_rules
from optimiser.result import AwardResult, SolveStatus
from optimiser.solve import solve_award
from optimiser.solvers import SolverName

__all__ = ["RULES", "Explanation", "LotExplanation", "RuleCost", "explain_award"]

#: The tender-wide rules whose cost can be measured by removing them, in report order.
RULES = (
    "max_lots_per_bidder",
    "max_share_of_hours",
    "min_providers_per_group",
    "max_lots_per_bidder_per_group",
    "budget_per_year",
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LotExplanation(_Model):
    """One lot: its top-ranked bidders, who won, and why any top-ranked bid lost."""

    lot_id: str
    top_ranked: tuple[str, ...]
    awarded: tuple[str, ...]
    top_won: bool
    reasons: tuple[str, ...] = ()


class RuleCost(_Model):
    """What removing one rule would change (positive ``score_gain``: the rule costs score)."""

    rule: str
    binding: bool
    vacancies_filled: int
    score_gain: float
    cost_change: float
    awards_changed: int
    status: SolveStatus


class Explanation(_Model):
    """Per-lot explanations in lot order and the cost of each rule that is set."""

    lots: tuple[LotExplanation, ...]
    rule_costs: tuple[RuleCost, ...] = ()


def explain_award(
    problem: AwardProblem,
    result: AwardResult,
    *,
    rule_costs: bool = True,
    solver: SolverName | None = None,
    time_limit: float = 60,
) -> Explanation:
    """Explain an award lot by lot and, optionally, price each binding rule.

    Args:
        problem: The problem the award solved.
        result: Its award.
        rule_costs: Re-solve once per rule that is set, with the rule removed.
        solver: The solver for those re-solves (default: the one that made the award).
        time_limit: Seconds per re-solve.

    Returns:
        The explanation.
    """
    data = integer_data(problem)
    lots = tuple(_explain_lot(problem, data, result, lot.lot_id) for lot in problem.lots)
    costs: tuple[RuleCost, ...] = ()
    if rule_costs:
        chosen = solver or result.solver.solver
        costs = tuple(
            _rule_cost(problem, result, rule, chosen, time_limit)  # type: ignore[arg-type]
            for rule in RULES
            if getattr(problem.rules, rule) is not None
        )
    return Explanation(lots=lots, rule_costs=costs)


def _explain_lot(
    problem: AwardProblem, data: IntegerData, result: AwardResult, lot_id: str
) -> LotExplanation:
    lot = problem.lot(lot_id)
    ranked = problem.candidates_for(lot_id)
    places = len(ranked) if lot.max_providers is None else lot.max_providers
    top = tuple(c.bidder_id for c in ranked[:places])
    awarded = result.bidders_for(lot_id)
    # Every bid ranked above the lowest-ranked winner lost for a reason the panel will ask
    # about; with no winner at all, every candidate did.
    worst = max((c.rank for c in ranked if c.bidder_id in awarded), default=None)
    losers = [
        c.bidder_id
        for c in ranked
        if c.bidder_id not in awarded and (worst is None or c.rank < worst)
    ]
    reasons = tuple(_why_lost(problem, data, result, lot_id, b) for b in losers)
    return LotExplanation(
        lot_id=lot_id,
        top_ranked=top,
        awarded=awarded,
        top_won=bool(top) and all(b in awarded for b in top),
        reasons=reasons,
    )


def _why_lost(
    problem: AwardProblem, data: IntegerData, result: AwardResult, lot_id: str, bidder_id: str
) -> str:
    """Why a top-ranked bid is not in the award, in one sentence starting with the bidder."""
    award = set(result.awarded)
    # Judge the bid as a replacement for the lot's winners, so "the lot is full" is no reason.
    others: set[Key] = {k for k in award if k[0] != lot_id}
    rules = blocking_rules(problem, data, Standing.of(problem, data, others), (lot_id, bidder_id))
    if rules:
        order = {lot.lot_id: i for i, lot in enumerate(problem.lots)}
        held = ", ".join(
            lot for lot, b in sorted(others, key=lambda k: order[k[0]]) if b == bidder_id
        )
        holding = f" (it holds {held})" if held else ""
        return f"{bidder_id}: {'; '.join(rules)}{holding}"
    need = problem.rules.min_providers_per_group
    group = problem.lot(lot_id).group
    if need:
        # Would giving the lot to the bidder instead cost the group a distinct provider?
        swapped = others | {(lot_id, bidder_id)}
        before = group_providers(problem, award)[group]
        after = group_providers(problem, swapped)[group]
        if after < before and after < need:
            return f"{bidder_id}: group {group} needs {need} distinct providers"
    bids = {(c.lot_id, c.bidder_id): c for c in problem.candidates}
    mine = bids[(lot_id, bidder_id)]
    winners = [bids[(lot_id, b)] for b in result.bidders_for(lot_id)]
    if winners and all(w.score == mine.score for w in winners):
        if all(w.rate < mine.rate for w in winners):
            return f"{bidder_id}: equal score at a higher rate"
        return f"{bidder_id}: tied, and the canonical tie-break chose otherwise"
    return f"{bidder_id}: the award as a whole scores higher with {bidder_id} elsewhere or out"


def _rule_cost(
    problem: AwardProblem,
    result: AwardResult,
    rule: str,
    solver: SolverName,
    time_limit: float,
) -> RuleCost:
    relaxed_rules = problem.rules.model_copy(update={rule: None})
    relaxed = problem.model_copy(update={"rules": relaxed_rules})
    other = solve_award(relaxed, solver=solver, time_limit=time_limit, alternatives=False)
    changed = len(set(result.awarded) ^ set(other.awarded))
    mine, theirs = result.objective, other.objective
    return RuleCost(
        rule=rule,
        binding=changed > 0,
        vacancies_filled=mine.vacancies - theirs.vacancies,
        score_gain=theirs.score - mine.score,
        cost_change=theirs.annual_cost - mine.annual_cost,
        awards_changed=changed,
        status=other.status,
    )
