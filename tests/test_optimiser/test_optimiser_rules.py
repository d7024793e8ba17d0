"""One hand-worked tender per rule, each where the rule binds, on both solvers.

Scores are hours-weighted unless a test says otherwise; the expected awards are worked out
in the comments, not copied from the optimiser's output.
"""

from __future__ import annotations

import pytest
from optimiser_cases import SOLVERS, framework, make_problem

from optimiser import AwardBidder, AwardLot, AwardProblem, Candidate, SolveStatus, solve_award

pytestmark = pytest.mark.parametrize("solver", SOLVERS)

THREE_LOTS = [("L1", "G", 10), ("L2", "G", 20), ("L3", "G", 30)]


def a_beats_b(lots: list[tuple[str, str, float]], a: float = 90, b: float = 80) -> list:
    """A and B bid on every lot at the same rate; A scores higher everywhere."""
    return [bid for lot_id, *_ in lots for bid in ((lot_id, "A", a, 16), (lot_id, "B", b, 16))]


def test_without_rules_the_best_bidder_takes_everything(solver: str) -> None:
    result = solve_award(make_problem(THREE_LOTS, a_beats_b(THREE_LOTS)), solver=solver)
    assert result.awarded == (("L1", "A"), ("L2", "A"), ("L3", "A"))
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective.score == pytest.approx(90 * 60)
    assert result.objective.annual_cost == pytest.approx(60 * 52 * 16)


def test_max_lots_per_bidder(solver: str) -> None:
    # A may hold 2 lots: the two biggest (20 + 30 h) at 90 beat any other pair.
    problem = make_problem(THREE_LOTS, a_beats_b(THREE_LOTS), max_lots_per_bidder=2)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"), ("L3", "A"))


def test_bidder_max_lots_tighter_than_the_rule(solver: str) -> None:
    problem = make_problem(
        THREE_LOTS, a_beats_b(THREE_LOTS), bidders={"A": {"max_lots": 1}}, max_lots_per_bidder=3
    )
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "B"), ("L3", "A"))


def test_capacity(solver: str) -> None:
    # A can serve 25 h: L2 alone gives 90*20 + 80*40 = 5000, L1 alone 900 + 4000 = 4900.
    problem = make_problem(
        THREE_LOTS, a_beats_b(THREE_LOTS), bidders={"A": {"capacity_hours_per_week": 25}}
    )
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"), ("L3", "B"))


def test_share_of_tendered_hours(solver: str) -> None:
    # Total 70 h, cap 60% = 42 h. A on L3 (40 h): 90*40 + 80*30 = 6000; A on L1+L2 (30 h):
    # 90*30 + 80*40 = 5900.
    lots = [("L1", "G", 10), ("L2", "G", 20), ("L3", "G", 40)]
    problem = make_problem(lots, a_beats_b(lots), max_share_of_hours=0.6)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "B"), ("L3", "A"))


def test_share_tendered_against_awarded(solver: str) -> None:
    # L3 (20 h) has no bid. Tendered basis: cap 50% of 40 h = 20 h, so A takes L1 and L2.
    # Awarded basis: A may hold half of what is awarded, so one lot each; the tie goes to
    # A on the earlier lot (tie-break weights 3*2 + 2*1 = 8 against 2*2 + 3*1 = 7).
    lots = [("L1", "G", 10), ("L2", "G", 10), ("L3", "G", 20)]
    bids = a_beats_b(lots[:2])
    tendered = solve_award(make_problem(lots, bids, max_share_of_hours=0.5), solver=solver)
    assert tendered.awarded == (("L1", "A"), ("L2", "A"))
    awarded = solve_award(
        make_problem(lots, bids, max_share_of_hours=0.5, share_basis="awarded"), solver=solver
    )
    assert awarded.awarded == (("L1", "A"), ("L2", "B"))
    for result in (tendered, awarded):
        assert [(v.lot_id, v.places, v.reason) for v in result.vacancies] == [
            ("L3", 1, "no compliant bid")
        ]


def test_awarded_share_can_leave_a_lone_bidder_out(solver: str) -> None:
    # A single bidder always holds 100% of what it is awarded: above any cap below 1.
    problem = make_problem(
        [("L1", "G", 10)], [("L1", "A", 90, 16)], max_share_of_hours=0.5, share_basis="awarded"
    )
    result = solve_award(problem, solver=solver)
    assert result.awarded == ()
    assert result.vacancies[0].reason.startswith("every compliant bidder is at a limit")
    assert "share cap (50% of awarded hours)" in result.vacancies[0].reason


def test_min_providers_per_group_costs_score(solver: str) -> None:
    # Two providers needed in G: B (40) must take a lot although A (90) is better, and the
    # group rule comes before score. Equal lots: the earlier lot stays with A.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    problem = make_problem(lots, a_beats_b(lots, 90, 40), min_providers_per_group=2)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "A"), ("L2", "B"))
    assert result.group_shortfalls == ()


def test_min_providers_per_group_unachievable_is_reported(solver: str) -> None:
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [("L1", "A", 90, 16), ("L2", "A", 90, 16)]
    result = solve_award(make_problem(lots, bids, min_providers_per_group=2), solver=solver)
    assert result.awarded == (("L1", "A"), ("L2", "A"))
    assert result.vacancies == ()
    [short] = result.group_shortfalls
    assert (short.group, short.providers, short.required) == ("G", 1, 2)
    assert short.reason == "only 1 bidder has compliant bids in the group"
    assert result.objective.group_shortfall == 1


def test_max_lots_per_bidder_per_group(solver: str) -> None:
    # One lot per group each: A takes G's bigger lot (L2) and H's only lot.
    lots = [("L1", "G", 10), ("L2", "G", 20), ("L3", "H", 10)]
    problem = make_problem(lots, a_beats_b(lots), max_lots_per_bidder_per_group=1)
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"), ("L3", "A"))


def budget_bids() -> list:
    # A: 90 at 20/h, B: 80 at 15/h, on two 10-hour lots.
    return [
        ("L1", "A", 90, 20),
        ("L1", "B", 80, 15),
        ("L2", "A", 90, 20),
        ("L2", "B", 80, 15),
    ]


def test_budget_exactly_met(solver: str) -> None:
    # A+B costs 52 * (200 + 150) = 18,200 a year: allowed at exactly that budget; A+A
    # (20,800) is not. The earlier lot goes to A.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    result = solve_award(make_problem(lots, budget_bids(), budget_per_year=18_200), solver=solver)
    assert result.awarded == (("L1", "A"), ("L2", "B"))
    assert result.objective.annual_cost == pytest.approx(18_200)


def test_budget_one_pound_short(solver: str) -> None:
    # Now only B+B (15,600) covers both lots, and coverage comes before score.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    result = solve_award(make_problem(lots, budget_bids(), budget_per_year=18_199), solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "B"))


def test_budget_too_small_for_any_bid(solver: str) -> None:
    # The cheapest bid costs 52 * 10 * 15 = 7,800 a year.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    result = solve_award(make_problem(lots, budget_bids(), budget_per_year=7_000), solver=solver)
    assert result.awarded == ()
    assert [v.lot_id for v in result.vacancies] == ["L1", "L2"]
    assert "over the budget (7,000.00 a year)" in result.vacancies[0].reason


def test_providers_per_lot_max(solver: str) -> None:
    # A framework lot takes at most 3: every award adds score, so the best 3.
    bids = [("L1", b, s, 16) for b, s in (("A", 90), ("B", 80), ("C", 70), ("D", 60))]
    problem = make_problem([("L1", "G", 10)], bids, providers_per_lot=framework(2, 3))
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "A"), ("L1", "B"), ("L1", "C"))


def test_providers_per_lot_min_unreachable(solver: str) -> None:
    problem = make_problem(
        [("L1", "G", 10)], [("L1", "A", 90, 16)], providers_per_lot=framework(2, None)
    )
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "A"),)
    assert [(v.lot_id, v.places, v.reason) for v in result.vacancies] == [
        ("L1", 1, "only 1 compliant bid for 2 places")
    ]


def test_lot_with_no_minimum_is_never_vacant(solver: str) -> None:
    lots = [("L1", "G", 10, 0, 1), ("L2", "G", 10, 1, 1)]
    result = solve_award(make_problem(lots, [("L2", "A", 90, 16)]), solver=solver)
    assert result.awarded == (("L2", "A"),)
    assert result.vacancies == ()


def test_coverage_comes_before_score(solver: str) -> None:
    # A (90) may hold one lot; only A bids on L2. A on L1 would leave L2 vacant.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [("L1", "A", 90, 16), ("L1", "B", 50, 16), ("L2", "A", 90, 16)]
    result = solve_award(make_problem(lots, bids, max_lots_per_bidder=1), solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A"))


def test_score_objective_ignores_hours(solver: str) -> None:
    # A (90 at 16/h) may hold one lot, B (60 at 15/h) bids on both.
    # hours_weighted: A on the 40-hour lot. score: both splits score 150, so cost decides:
    # A on L1 costs 10*16 + 40*15 = 760 per week, A on L2 costs 40*16 + 10*15 = 790.
    lots = [("L1", "G", 10), ("L2", "G", 40)]
    bids = [("L1", "A", 90, 16), ("L1", "B", 60, 15), ("L2", "A", 90, 16), ("L2", "B", 60, 15)]
    weighted = solve_award(make_problem(lots, bids, max_lots_per_bidder=1), solver=solver)
    assert weighted.awarded == (("L1", "B"), ("L2", "A"))
    plain = solve_award(
        make_problem(lots, bids, max_lots_per_bidder=1, objective="score"), solver=solver
    )
    assert plain.awarded == (("L1", "A"), ("L2", "B"))


def test_cost_comes_before_rank(solver: str) -> None:
    # Equal totals; A ranked first (say on quality) but dearer: cost decides before rank.
    problem = AwardProblem(
        lots=(AwardLot(lot_id="L1", group="G", hours_per_week=10),),
        bidders=(AwardBidder(bidder_id="A"), AwardBidder(bidder_id="B")),
        candidates=(
            Candidate(bidder_id="A", lot_id="L1", score=80, rate=17, rank=1),
            Candidate(bidder_id="B", lot_id="L1", score=80, rate=15, rank=2),
        ),
    )
    assert solve_award(problem, solver=solver).awarded == (("L1", "B"),)


def test_alternative_optimum_is_named(solver: str) -> None:
    # A and B bid identically: A wins on bidder id, and B is an equal alternative.
    bids = [("L1", "A", 70, 16), ("L1", "B", 70, 16), ("L2", "A", 90, 16), ("L2", "B", 80, 16)]
    result = solve_award(make_problem([("L1", "G", 10), ("L2", "G", 10)], bids), solver=solver)
    assert result.awarded == (("L1", "A"), ("L2", "A"))
    assert result.alternatives_checked
    assert [(a.lot_id, a.awarded, a.alternative) for a in result.alternatives] == [
        ("L1", ("A",), ("B",))
    ]


def test_no_alternative_when_the_best_is_unique(solver: str) -> None:
    result = solve_award(make_problem(THREE_LOTS, a_beats_b(THREE_LOTS)), solver=solver)
    assert result.alternatives_checked
    assert result.alternatives == ()


def test_vacancy_reason_names_the_blocked_bidders(solver: str) -> None:
    # A is the only bidder on both lots and may hold one: the smaller lot stays vacant.
    lots = [("L1", "G", 10), ("L2", "G", 20)]
    bids = [("L1", "A", 90, 16), ("L2", "A", 90, 16)]
    result = solve_award(make_problem(lots, bids, max_lots_per_bidder=1), solver=solver)
    assert result.awarded == (("L2", "A"),)
    assert [(v.lot_id, v.reason) for v in result.vacancies] == [
        ("L1", "every compliant bidder is at a limit: A at its max lots (1)")
    ]
