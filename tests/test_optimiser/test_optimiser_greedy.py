"""The greedy start: feasible on every instance, and a real head start on the coverage level."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from optimiser_cases import make_problem
from test_optimiser_bruteforce import random_problem

from optimiser.check import rule_violations, vacancy_places
from optimiser.greedy import greedy_award
from optimiser.model import integer_data


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_greedy_award_breaks_no_rule(seed: int) -> None:
    problem = random_problem(seed)
    data = integer_data(problem)
    award = greedy_award(problem, data)
    assert rule_violations(problem, data, award) == []
    # In any preferred order (here the canonical one backwards) too.
    backwards = greedy_award(problem, data, list(data.position)[::-1])
    assert rule_violations(problem, data, backwards) == []
    for lot in problem.lots:
        assert sum(1 for lot_id, _ in backwards if lot_id == lot.lot_id) <= max(
            lot.min_providers, 0
        )
    # Never more than a lot's minimum: it is a start for the coverage level, not an answer.
    for lot in problem.lots:
        assert sum(1 for lot_id, _ in award if lot_id == lot.lot_id) <= max(lot.min_providers, 0)


def test_greedy_takes_the_best_ranked_bid_that_fits() -> None:
    # A ranks first on both lots but may hold one lot: lot 1 goes to A, lot 2 to B.
    problem = make_problem(
        [("L1", "G", 10.0), ("L2", "G", 10.0)],
        [
            ("L1", "A", 90.0, 15.0),
            ("L1", "B", 80.0, 15.0),
            ("L2", "A", 90.0, 15.0),
            ("L2", "B", 70.0, 15.0),
        ],
        max_lots_per_bidder=1,
    )
    award = greedy_award(problem, integer_data(problem))
    assert award == {("L1", "A"), ("L2", "B")}
    # Preferred bids (a relaxation's, rounded off) come first: A on L2; then L1 to B.
    preferred = greedy_award(problem, integer_data(problem), [("L2", "A"), ("L1", "A")])
    assert preferred == {("L2", "A"), ("L1", "B")}


def test_greedy_share_cap_on_awarded_hours() -> None:
    # Awarded basis, cap 50% of the 20 hours to cover: A ranks first on both lots but may
    # hold 10 hours, so L2 goes to B (a first bid is not 100% of the hours awarded so far).
    problem = make_problem(
        [("L1", "G", 10.0), ("L2", "G", 10.0)],
        [
            ("L1", "A", 90.0, 15.0),
            ("L1", "B", 80.0, 15.0),
            ("L2", "A", 90.0, 15.0),
            ("L2", "B", 80.0, 15.0),
        ],
        max_share_of_hours=0.5,
        share_basis="awarded",
    )
    award = greedy_award(problem, integer_data(problem))
    assert award == {("L1", "A"), ("L2", "B")}


def test_greedy_drops_bids_a_short_award_puts_over_the_share() -> None:
    # Only A bids on L2, so L2 stays empty under the cap; then A's L1 alone is 100% of the
    # awarded hours and is dropped: the greedy award is empty, and still feasible.
    problem = make_problem(
        [("L1", "G", 10.0), ("L2", "G", 10.0)],
        [("L1", "A", 90.0, 15.0), ("L2", "A", 90.0, 15.0)],
        max_share_of_hours=0.5,
        share_basis="awarded",
    )
    data = integer_data(problem)
    award = greedy_award(problem, data)
    assert award == frozenset()
    assert vacancy_places(problem, award) == {"L1": 1, "L2": 1}
