"""Why each lot went where it went, and what each lotting rule cost.

Two questions a panel and a commissioner ask of an award:

- per lot: did the top-ranked bid win, and if not, what stopped it? The answer is read off
  the award: the hard rules the bid would break if it replaced the lot's winners, else the
  group rule, an equal score at a lower cost, or the award as a whole scoring higher;
- per rule: what would relaxing it change? The problem is re-solved with the rule removed
  and the vacancies, score and annual cost compared. The bidders a rule *bound* are those
  it stopped from a bid ranked above a winner, or from a lot with an unfilled place.

Both are read off the award as given: when it is not proven optimal, every reason says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from optimiser.check import group_providers, vacancy_places
from optimiser.model import IntegerData, Key, integer_data
from optimiser.problem import AwardProblem
from optimiser.reasons import (
    BUDGET,
    CAPACITY,
    GROUP_LOTS,
    GROUP_MINIMUM,
    MAX_LOTS,
    OWN_MAX_LOTS,
    PROVIDERS_PER_LOT,
    SHARE,
    Standing,
    blocks,
    money_text,
    share_text,
)
from optimiser.result import AwardResult, SolveStatus
from optimiser.solve import solve_award
from optimiser.solvers import SolverName

__all__ = [
    "NOT_PROVEN",
    "RULES",
    "Explanation",
    "LotExplanation",
    "RuleCost",
    "explain_award",
    "relax_rule",
    "rule_is_set",
    "rule_label",
    "rule_name",
    "rule_order",
]

#: The rules whose cost can be measured by removing them, in report order: the tender's
#: ``[rules]`` keys and the bidders' own limits (``max_lots``, ``capacity_hours_per_week``).
#: ``providers_per_lot`` is priced only for an upper limit above 1 (see :func:`rule_is_set`).
RULES = (
    MAX_LOTS,
    OWN_MAX_LOTS,
    CAPACITY,
    SHARE,
    GROUP_MINIMUM,
    GROUP_LOTS,
    BUDGET,
    PROVIDERS_PER_LOT,
)

#: Each rule's name without its value, for tables that compare it across scenarios.
RULE_NAMES = {
    MAX_LOTS: "Lot cap per provider",
    OWN_MAX_LOTS: "Bidders' own lot limits",
    CAPACITY: "Bidders' capacities",
    SHARE: "Share cap",
    GROUP_MINIMUM: "Group minimum of providers",
    GROUP_LOTS: "Lot cap per group",
    BUDGET: "Budget",
    PROVIDERS_PER_LOT: "Limit on providers per lot",
}

#: Added to every reason read off an award that is not proven optimal.
NOT_PROVEN = " (award not proven optimal)"


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
    """What removing one rule would change (positive ``score_gain``: the rule costs score).

    ``score_gain`` is in the objective's units (``hours_weighted``: points x hours a week,
    each provider on a lot counted with its full hours). ``points_per_hour`` (``hours_weighted``
    only) is the change in the score of an average tendered hour and ``cost_change`` the
    change in annual cost, both with a lot's hours split evenly between its providers as the
    award's totals are (with one provider per lot: ``score_gain`` over the tendered hours, and
    the objective's cost); ``mean_score_change`` is the change in the mean total of the
    appointed bids (``None`` when either award appoints nobody).
    ``awards_changed`` counts appointments made or undone, ``lots_changed`` the lots whose
    providers differ. ``label`` names the rule as a panel reads it; ``bound`` lists the
    bidders it stopped (see the module docstring). ``status`` is the re-solve's: anything
    but optimal means the figures are not proven.
    """

    rule: str
    binding: bool
    vacancies_filled: int
    score_gain: float
    cost_change: float
    awards_changed: int
    status: SolveStatus
    label: str = ""
    bound: tuple[str, ...] = ()
    lots_changed: int = 0
    points_per_hour: float | None = None
    mean_score_change: float | None = None


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
    """Explain an award lot by lot and, optionally, price each rule that is set.

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
    bound: dict[str, set[str]] = defaultdict(set)
    full = Standing.of(problem, data, result.awarded)
    unfilled = set(vacancy_places(problem, result.awarded))
    lots = []
    for lot in problem.lots:
        lots.append(_explain_lot(problem, data, result, lot.lot_id, bound))
        _bound_on_lot(problem, data, full, lot.lot_id, lot.lot_id in unfilled, bound)
    costs: tuple[RuleCost, ...] = ()
    if rule_costs:
        chosen = solver or result.solver.solver
        costs = tuple(
            _rule_cost(problem, result, rule, chosen, time_limit, bound[rule])  # type: ignore[arg-type]
            for rule in RULES
            if rule_is_set(problem, rule)
        )
    return Explanation(lots=tuple(lots), rule_costs=costs)


# --- per lot -----------------------------------------------------------------------------


def _explain_lot(
    problem: AwardProblem,
    data: IntegerData,
    result: AwardResult,
    lot_id: str,
    bound: dict[str, set[str]],
) -> LotExplanation:
    """Explain one lot, adding each bidder a rule stopped on it to ``bound[rule]``."""
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
    # Judge a loser as a replacement for the lot's winners, so "the lot is full" is no reason.
    others = Standing.of(problem, data, (k for k in result.awarded if k[0] != lot_id))
    reasons = []
    for bidder_id in losers:
        text, rules = _why_lost(problem, data, result, others, lot_id, bidder_id)
        reasons.append(text)
        for rule in rules:
            bound[rule].add(bidder_id)
    return LotExplanation(
        lot_id=lot_id,
        top_ranked=top,
        awarded=awarded,
        top_won=bool(top) and all(b in awarded for b in top),
        reasons=tuple(reasons),
    )


def _bound_on_lot(
    problem: AwardProblem,
    data: IntegerData,
    standing: Standing,
    lot_id: str,
    unfilled: bool,
    bound: dict[str, set[str]],
) -> None:
    """Add bidders stopped from an unfilled place, or kept out of a framework lot by its limit.

    ``standing`` is the whole award; ``unfilled`` says whether the lot has unfilled places.
    """
    lot = problem.lot(lot_id)
    awarded = {b for k, b in standing.chosen if k == lot_id}
    limited = lot.max_providers is not None and lot.max_providers > 1
    if not unfilled and not (limited and len(awarded) == lot.max_providers):
        return
    for c in problem.candidates_for(lot_id):
        if c.bidder_id in awarded:
            continue
        found = blocks(problem, data, standing, (lot_id, c.bidder_id))
        if unfilled:
            for block in found:
                for rule in block.rules:
                    bound[rule].add(c.bidder_id)
        elif [b.rules for b in found] == [(PROVIDERS_PER_LOT,)]:
            bound[PROVIDERS_PER_LOT].add(c.bidder_id)


def _why_lost(
    problem: AwardProblem,
    data: IntegerData,
    result: AwardResult,
    others: Standing,
    lot_id: str,
    bidder_id: str,
) -> tuple[str, tuple[str, ...]]:
    """Why a top-ranked bid is not in the award, and the rules that stopped it.

    Returns:
        One sentence starting with the bidder, and the keys of the rules it names.
    """
    caveat = "" if result.status.proven else NOT_PROVEN
    found = blocks(problem, data, others, (lot_id, bidder_id))
    if found:
        order = {lot.lot_id: i for i, lot in enumerate(problem.lots)}
        held = ", ".join(sorted(others.lots[bidder_id], key=order.__getitem__))
        holding = f" (it holds {held})" if held else ""
        text = "; ".join(b.text for b in found)
        return f"{bidder_id}: {text}{holding}{caveat}", tuple(r for b in found for r in b.rules)
    need = problem.rules.min_providers_per_group
    group = problem.lot(lot_id).group
    if need:
        # Would giving the lot to the bidder instead cost the group a distinct provider?
        swapped = set(others.chosen) | {(lot_id, bidder_id)}
        before = group_providers(problem, result.awarded)[group]
        after = group_providers(problem, swapped)[group]
        if after < before and after < need:
            text = f"group {group} needs {need} distinct providers"
            return f"{bidder_id}: {text}{caveat}", (GROUP_MINIMUM,)
    bids = {(c.lot_id, c.bidder_id): c for c in problem.candidates}
    mine = bids[(lot_id, bidder_id)]
    winners = [bids[(lot_id, b)] for b in result.bidders_for(lot_id)]
    if winners and all(w.score == mine.score for w in winners):
        if all(w.rate < mine.rate for w in winners):
            return f"{bidder_id}: equal score at a higher rate{caveat}", ()
        return f"{bidder_id}: tied, and the canonical tie-break chose otherwise{caveat}", ()
    text = f"the award as a whole scores higher with {bidder_id} elsewhere or out"
    return f"{bidder_id}: {text}{caveat}", ()


# --- per rule ----------------------------------------------------------------------------


def rule_is_set(problem: AwardProblem, rule: str) -> bool:
    """Whether ``rule`` is set in ``problem`` and relaxing it means something.

    ``providers_per_lot`` counts only where a lot's upper limit is above 1: one provider per
    lot is the contract model rather than a limit to lift, and a minimum only decides how
    many places count as unfilled.
    """
    if rule == OWN_MAX_LOTS:
        return any(b.max_lots is not None for b in problem.bidders)
    if rule == CAPACITY:
        return any(b.capacity_hours_per_week is not None for b in problem.bidders)
    if rule == PROVIDERS_PER_LOT:
        return any(lot.max_providers is not None and lot.max_providers > 1 for lot in problem.lots)
    return getattr(problem.rules, rule) is not None


def relax_rule(problem: AwardProblem, rule: str) -> AwardProblem:
    """The problem without ``rule`` (a new problem, so no cached lookup of the old one stays)."""
    changes: dict[str, object]
    if rule == OWN_MAX_LOTS:
        changes = {
            "bidders": tuple(b.model_copy(update={"max_lots": None}) for b in problem.bidders)
        }
    elif rule == CAPACITY:
        changes = {
            "bidders": tuple(
                b.model_copy(update={"capacity_hours_per_week": None}) for b in problem.bidders
            )
        }
    elif rule == PROVIDERS_PER_LOT:
        changes = {
            "lots": tuple(
                lot.model_copy(update={"max_providers": None})
                if lot.max_providers is not None and lot.max_providers > 1
                else lot
                for lot in problem.lots
            )
        }
    else:
        changes = {"rules": problem.rules.model_copy(update={rule: None})}
    return AwardProblem.model_validate({**dict(problem), **changes})


def rule_order(rules: Iterable[str]) -> list[str]:
    """``rules`` in report order (:data:`RULES`), any other key after them by name."""
    return sorted(rules, key=lambda r: (RULES.index(r) if r in RULES else len(RULES), r))


def rule_name(rule: str) -> str:
    """The rule's plain name ("Share cap") for ``rule``, a key of :data:`RULES`."""
    return RULE_NAMES.get(rule, rule)


def rule_label(problem: AwardProblem, rule: str) -> str:
    """The rule as a panel reads it, with its value: "the share cap (15% of tendered hours)"."""
    rules = problem.rules

    def lots(n: int | None) -> str:
        return f"{n} lot{'' if n == 1 else 's'}"

    if rule == MAX_LOTS:
        return f"the lot cap (at most {lots(rules.max_lots_per_bidder)} per provider)"
    if rule == OWN_MAX_LOTS:
        return "the bidders' own lot limits"
    if rule == CAPACITY:
        return "the bidders' capacities (hours a week)"
    if rule == SHARE:
        return f"the share cap ({share_text(problem)})"
    if rule == GROUP_MINIMUM:
        n = rules.min_providers_per_group
        return f"the group minimum (at least {n} distinct provider{'' if n == 1 else 's'} a group)"
    if rule == GROUP_LOTS:
        return f"the group lot cap (at most {lots(rules.max_lots_per_bidder_per_group)} a group)"
    if rule == BUDGET:
        return f"the budget ({money_text(rules.budget_per_year or 0, problem.currency)} a year)"
    if rule == PROVIDERS_PER_LOT:
        limits = sorted({lot.max_providers for lot in problem.lots if (lot.max_providers or 0) > 1})
        if len(limits) == 1:
            return f"the limit on providers per lot (at most {limits[0]})"
        return "the limits on providers per lot"
    return rule


def _mean_score(problem: AwardProblem, awarded: tuple[Key, ...]) -> float | None:
    if not awarded:
        return None
    scores = {(c.lot_id, c.bidder_id): c.score for c in problem.candidates}
    return math.fsum(scores[k] for k in awarded) / len(awarded)


def _as_split(problem: AwardProblem, awarded: tuple[Key, ...]) -> tuple[float, float]:
    """Score of an average tendered hour and annual cost, a lot's hours split evenly.

    As the award's totals count them (``tender.award``): on a framework lot each provider
    takes an equal part, so neither figure grows with the number of providers the way the
    objective's full-hours sums do. With one provider per lot they are the objective's.
    """
    bids = {(c.lot_id, c.bidder_id): c for c in problem.candidates}
    by_lot: dict[str, list[Key]] = defaultdict(list)
    for key in awarded:
        by_lot[key[0]].append(key)
    parts_score: list[float] = []
    parts_cost: list[float] = []
    for lot_id, keys in by_lot.items():
        share = problem.lot(lot_id).hours_per_week / len(keys)
        parts_score += [share * bids[k].score for k in keys]
        parts_cost += [share * 52 * bids[k].rate for k in keys]
    return math.fsum(parts_score) / problem.tendered_hours, math.fsum(parts_cost)


def _rule_cost(
    problem: AwardProblem,
    result: AwardResult,
    rule: str,
    solver: SolverName,
    time_limit: float,
    bound: set[str],
) -> RuleCost:
    relaxed = relax_rule(problem, rule)
    other = solve_award(relaxed, solver=solver, time_limit=time_limit, alternatives=False)
    changed = len(set(result.awarded) ^ set(other.awarded))
    lots_changed = sum(
        1 for lot in problem.lots if result.bidders_for(lot.lot_id) != other.bidders_for(lot.lot_id)
    )
    mine, theirs = result.objective, other.objective
    before, after = _mean_score(problem, result.awarded), _mean_score(problem, other.awarded)
    (hour_before, cost_before), (hour_after, cost_after) = (
        _as_split(problem, result.awarded),
        _as_split(problem, other.awarded),
    )
    weighted = problem.rules.objective == "hours_weighted"
    return RuleCost(
        rule=rule,
        binding=changed > 0,
        vacancies_filled=mine.vacancies - theirs.vacancies,
        score_gain=theirs.score - mine.score,
        cost_change=cost_after - cost_before,
        awards_changed=changed,
        status=other.status,
        label=rule_label(problem, rule),
        bound=tuple(sorted(bound)),
        lots_changed=lots_changed,
        points_per_hour=hour_after - hour_before if weighted else None,
        mean_score_change=None if before is None or after is None else after - before,
    )
