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


def in_pounds(problem: AwardProblem) -> AwardProblem:
    """The problem as a GBP tender builds it (money in reasons then reads £)."""
    return AwardProblem.model_validate({**dict(problem), "currency": "GBP"})


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
    assert cost.label == "the lot cap (at most 2 lots per provider)"
    assert cost.binding
    assert cost.bound == ("A",)
    assert cost.score_gain == pytest.approx(100)
    # Over the 60 tendered hours: 100 / 60 points per hour; the appointed bids' mean total
    # goes from (80 + 90 + 90) / 3 to 90.
    assert cost.points_per_hour == pytest.approx(100 / 60)
    assert cost.mean_score_change == pytest.approx(90 - 260 / 3)
    assert cost.cost_change == pytest.approx(0)
    assert (cost.vacancies_filled, cost.awards_changed, cost.lots_changed) == (0, 2, 1)
    assert cost.status is SolveStatus.OPTIMAL


def test_group_rule_explains_the_loss(solver: str) -> None:
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [(lot, b, s, 16) for lot, *_ in lots for b, s in (("A", 90), ("B", 40))]
    problem = make_problem(lots, bids, min_providers_per_group=2)
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert [e.reasons for e in explanation.lots] == [(), ("A: group G needs 2 distinct providers",)]
    [cost] = explanation.rule_costs
    assert cost.label == "the group minimum (at least 2 distinct providers a group)"
    assert cost.bound == ("A",)
    assert cost.score_gain == pytest.approx(10 * (90 - 40))


def test_a_group_whose_lots_take_one_provider_says_so_in_the_singular(solver: str) -> None:
    # Two bidders, but the group's one lot takes a single provider: 2 are impossible.
    problem = make_problem(
        [("L1", "G", 10)], [("L1", "A", 90, 16), ("L1", "B", 80, 16)], min_providers_per_group=2
    )
    [shortfall] = solve_award(problem, solver=solver).group_shortfalls
    assert shortfall.reason == "its lots take at most 1 provider"


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


def test_budget_cost_in_the_tender_currency(solver: str) -> None:
    # Budget 18,199 forces B on both lots; without it A (90 at 20/h) takes both:
    # score +2 * 10 * (90 - 80) = 200, cost +52 * 2 * 10 * (20 - 15) = 5,200 a year.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [(lot, b, s, r) for lot, *_ in lots for b, s, r in (("A", 90, 20), ("B", 80, 15))]
    problem = in_pounds(make_problem(lots, bids, budget_per_year=18_199))
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert explanation.lots[0].reasons == ("A: over the budget (£18,199 a year)",)
    [cost] = explanation.rule_costs
    assert (cost.rule, cost.binding) == ("budget_per_year", True)
    assert cost.label == "the budget (£18,199 a year)"
    assert cost.bound == ("A",)
    assert cost.score_gain == pytest.approx(200)
    assert cost.cost_change == pytest.approx(5_200)


def test_rule_that_does_not_bind(solver: str) -> None:
    problem = make_problem(THREE_LOTS, A_BEATS_B, max_lots_per_bidder=3)
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert all(e.top_won for e in explanation.lots)
    [cost] = explanation.rule_costs
    assert not cost.binding
    assert cost.bound == ()
    assert cost.score_gain == 0
    assert explain_award(problem, result, rule_costs=False).rule_costs == ()


def test_two_rules_stopping_the_same_bid_are_each_not_binding_alone(solver: str) -> None:
    # A may hold 2 lots and 50 hours: either limit alone keeps it off L1.
    problem = make_problem(
        THREE_LOTS, A_BEATS_B, max_lots_per_bidder=2, bidders={"A": {"capacity_hours_per_week": 50}}
    )
    result = solve_award(problem, solver=solver)
    explanation = explain_award(problem, result)
    assert explanation.lots[0].reasons == (
        "A: at its max lots (2); at its capacity (50 h/week) (it holds L2, L3)",
    )
    costs = {c.rule: c for c in explanation.rule_costs}
    assert sorted(costs) == ["capacity_hours_per_week", "max_lots_per_bidder"]
    for cost in costs.values():
        assert (cost.binding, cost.bound, cost.score_gain) == (False, ("A",), 0)


@pytest.mark.parametrize(
    ("limits", "rule", "label", "reason"),
    [
        # A (90) beats B (80) everywhere. A's limit lets it hold L2 and L3 (50 hours) but not
        # all three (60): hours-weighted, 90 * (20 + 30) + 80 * 10 = 5300 beats any other split.
        (
            {"bidders": {"A": {"capacity_hours_per_week": 50}}},
            "capacity_hours_per_week",
            "the bidders' capacities (hours a week)",
            "A: at its capacity (50 h/week)",
        ),
        (
            {"bidders": {"A": {"max_lots": 2}}},
            "max_lots",
            "the bidders' own lot limits",
            "A: at its max lots (2)",
        ),
        (
            # 84% of 60 hours is 50.4.
            {"max_share_of_hours": 0.84},
            "max_share_of_hours",
            "the share cap (84% of tendered hours)",
            "A: at its share cap (84% of tendered hours: 50.4 h/week)",
        ),
        (
            {"max_lots_per_bidder_per_group": 2},
            "max_lots_per_bidder_per_group",
            "the group lot cap (at most 2 lots a group)",
            "A: at its max lots in group G (2)",
        ),
    ],
    ids=["capacity", "own-max-lots", "share", "per-group"],
)
def test_each_bidder_rule_is_named_and_priced_when_it_binds(
    solver: str, limits: dict[str, object], rule: str, label: str, reason: str
) -> None:
    problem = make_problem(THREE_LOTS, A_BEATS_B, **limits)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"), ("L3", "A"))
    explanation = explain_award(problem, result)
    assert explanation.lots[0].reasons == (f"{reason} (it holds L2, L3)",)
    [cost] = explanation.rule_costs
    assert (cost.rule, cost.label, cost.binding, cost.bound) == (rule, label, True, ("A",))
    assert cost.score_gain == pytest.approx(10 * (90 - 80))


def test_a_lot_bigger_than_the_capacity_says_so(solver: str) -> None:
    # A (capacity 25) can hold L1 (10) or L2 (20), not both, and never L3 (30) alone:
    # hours-weighted it takes L2 (90 * 20 + 80 * 40 beats 90 * 10 + 80 * 50).
    problem = make_problem(THREE_LOTS, A_BEATS_B, bidders={"A": {"capacity_hours_per_week": 25}})
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"), ("L3", "B"))
    lots = {e.lot_id: e.reasons for e in explain_award(problem, result, rule_costs=False).lots}
    assert lots["L1"] == ("A: at its capacity (25 h/week) (it holds L2)",)
    assert lots["L3"] == (
        "A: this lot alone (30 h/week) is more than its capacity (25 h/week) (it holds L2)",
    )


def test_a_framework_share_cap_counts_each_lot_in_full(solver: str) -> None:
    # Two 10-hour framework lots (any number of providers), cap 50% of 20 = 10 hours: A (90)
    # and B (80) may each hold one lot *in full*, even when they share it. C (70) bids on L2.
    # Every award appoints 3 bids (score 10 * 240); the tie-break (lot factors 2 and 1, places
    # 3, 2, 1 on L2) prefers L1: A, B (6 + 4) and L2: C (1) to L1: A and L2: B, C (6 + 2 + 1).
    lots = [("L1", "G", 10, 1, None), ("L2", "G", 10, 1, None)]
    bids = [("L1", "A", 90, 16), ("L1", "B", 80, 16)]
    bids += [("L2", "A", 90, 16), ("L2", "B", 80, 16), ("L2", "C", 70, 16)]
    problem = make_problem(lots, bids, max_share_of_hours=0.5)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "A"), ("L1", "B"), ("L2", "C"))
    [l1, l2] = explain_award(problem, result, rule_costs=False).lots
    assert l1.top_won
    full = "counting each lot's full hours for every provider on it"
    assert l2.reasons == (
        f"A: at its share cap (50% of tendered hours: 10 h/week, {full}) (it holds L1)",
        f"B: at its share cap (50% of tendered hours: 10 h/week, {full}) (it holds L1)",
    )


def test_a_framework_limit_is_priced_and_names_who_it_kept_out(solver: str) -> None:
    # L1 takes at most 2 of A (90), B (80), C (70); without the limit C joins: +10 * 70.
    problem = make_problem(
        [("L1", "G", 10, 1, 2)], [("L1", "A", 90, 16), ("L1", "B", 80, 16), ("L1", "C", 70, 16)]
    )
    result = solve_award(problem, solver=solver)
    [cost] = explain_award(problem, result).rule_costs
    assert (cost.rule, cost.label) == (
        "providers_per_lot",
        "the limit on providers per lot (at most 2)",
    )
    assert (cost.binding, cost.bound) == (True, ("C",))
    assert cost.score_gain == pytest.approx(700)
    assert cost.mean_score_change == pytest.approx(80 - 85)
    # As the totals count it, the lot's 10 hours are split between its providers: an hour
    # scores (90 + 80) / 2 = 85, then (90 + 80 + 70) / 3 = 80, and still costs 16.00.
    assert cost.points_per_hour == pytest.approx(80 - 85)
    assert cost.cost_change == pytest.approx(0)


def test_reasons_read_off_an_unproven_award_say_so(solver: str) -> None:
    problem = make_problem(THREE_LOTS, A_BEATS_B, max_lots_per_bidder=2)
    result = solve_award(problem, solver=solver)
    unproven = result.model_copy(
        update={
            "solver": result.solver.model_copy(update={"status": SolveStatus.FEASIBLE_NOT_PROVEN})
        }
    )
    [l1, *_] = explain_award(problem, unproven, rule_costs=False).lots
    assert l1.reasons == ("A: at its max lots (2) (it holds L2, L3) (award not proven optimal)",)
