"""Per-lot explanations and rule costs, on hand-worked tenders."""

from __future__ import annotations

import pytest
from optimiser_cases import SOLVERS, make_problem

from optimiser import (
    AwardBidder,
    AwardLot,
    AwardProblem,
    Candidate,
    SolveStatus,
    explain_award,
    solve_award,
)

pytestmark = pytest.mark.parametrize("solver", SOLVERS)

THREE_LOTS = [("L1", "G", 10), ("L2", "G", 20), ("L3", "G", 30)]
A_BEATS_B = [(lot, b, s, 16) for lot, *_ in THREE_LOTS for b, s in (("A", 90), ("B", 80))]


def test_top_ranked_lost_to_max_lots_and_its_cost(solver: str) -> None:
    # A (90) may hold 2 lots and takes L2 and L3; L1 goes to B (80). Without the rule A
    # takes L1 too: score gain 10 * (90 - 80) = 100, cost unchanged (same rate).
    problem = make_problem(THREE_LOTS, A_BEATS_B, max_lots_per_bidder=2)
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    lots = {e.lot_id: e for e in explanation.lots}
    assert lots["L2"].top_won and lots["L3"].top_won
    l1 = lots["L1"]
    assert (l1.top_ranked, l1.awarded, l1.top_won) == (("A",), ("B",), False)
    assert l1.reasons == ("A: at its max lots (2) (it holds L2, L3)",)
    [cost] = explanation.rule_costs
    assert cost.rule == "max_lots_per_bidder"
    assert cost.binding
    assert cost.score_gain == pytest.approx(100)
    assert cost.cost_change == pytest.approx(0)
    assert (cost.vacancies_filled, cost.awards_changed) == (0, 2)
    assert cost.status is SolveStatus.OPTIMAL


def test_group_rule_explains_the_loss(solver: str) -> None:
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [(lot, b, s, 16) for lot, *_ in lots for b, s in (("A", 90), ("B", 40))]
    problem = make_problem(lots, bids, min_providers_per_group=2)
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert [e.reasons for e in explanation.lots] == [(), ("A: group G needs 2 distinct providers",)]
    [cost] = explanation.rule_costs
    assert cost.score_gain == pytest.approx(10 * (90 - 40))


def test_equal_score_higher_rate(solver: str) -> None:
    problem = AwardProblem(
        lots=(AwardLot(lot_id="L1", group="G", hours_per_week=10),),
        bidders=(AwardBidder(bidder_id="A"), AwardBidder(bidder_id="B")),
        candidates=(
            Candidate(bidder_id="A", lot_id="L1", score=80, rate=17, rank=1),
            Candidate(bidder_id="B", lot_id="L1", score=80, rate=15, rank=2),
        ),
    )
    result = solve_award(problem, solver=solver)
    [lot] = explain_award(problem, result).lots
    assert lot.reasons == ("A: equal score at a higher rate",)


def test_budget_cost(solver: str) -> None:
    # Budget 18,199 forces B on both lots; without it A (90 at 20/h) takes both:
    # score +2 * 10 * (90 - 80) = 200, cost +52 * 2 * 10 * (20 - 15) = 5,200 a year.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [(lot, b, s, r) for lot, *_ in lots for b, s, r in (("A", 90, 20), ("B", 80, 15))]
    problem = make_problem(lots, bids, budget_per_year=18_199)
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert explanation.lots[0].reasons == ("A: over the budget (18,199.00 a year)",)
    [cost] = explanation.rule_costs
    assert (cost.rule, cost.binding) == ("budget_per_year", True)
    assert cost.score_gain == pytest.approx(200)
    assert cost.cost_change == pytest.approx(5_200)


def test_rule_that_does_not_bind(solver: str) -> None:
    problem = make_problem(THREE_LOTS, A_BEATS_B, max_lots_per_bidder=3)
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert all(e.top_won for e in explanation.lots)
    [cost] = explanation.rule_costs
    assert not cost.binding
    assert cost.score_gain == 0
    assert explain_award(problem, result, rule_costs=False).rule_costs == ()


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        # A (90) beats B (80) everywhere. A's limit lets it hold L2 and L3 (50 hours) but not
        # all three (60): hours-weighted, 90 * (20 + 30) + 80 * 10 = 5300 beats any other split.
        ({"bidders": {"A": {"capacity_hours_per_week": 50}}}, "A: at its capacity (50 h/week)"),
        ({"max_share_of_hours": 0.84}, "A: at its share cap (84% of tendered hours)"),
        ({"max_lots_per_bidder_per_group": 2}, "A: at its max lots in group G (2)"),
    ],
    ids=["capacity", "share", "per-group"],
)
def test_each_bidder_rule_is_named_when_it_binds(
    solver: str, limits: dict[str, object], reason: str
) -> None:
    problem = make_problem(THREE_LOTS, A_BEATS_B, **limits)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"), ("L3", "A"))
    explanation = explain_award(problem, result)
    assert explanation.lots[0].reasons == (f"{reason} (it holds L2, L3)",)
    if "bidders" not in limits:  # a tender rule has a cost; capacity is the bidder's own
        [cost] = explanation.rule_costs
        assert cost.binding
        assert cost.score_gain == pytest.approx(10 * (90 - 80))
