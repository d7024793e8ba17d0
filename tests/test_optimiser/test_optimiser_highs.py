"""HiGHS held across solves: relaxation proofs, branching when it must, reduced-cost fixing."""

from __future__ import annotations

import pulp
import pytest
from optimiser_cases import make_problem

from optimiser import SolveStatus, solve_award
from optimiser.highs import HighsModel


def knapsack() -> tuple[HighsModel, list[pulp.LpVariable]]:
    """Three items of weight 2 in a knapsack of 3: the relaxation takes one and a half."""
    owner = pulp.LpProblem("k", pulp.LpMinimize)
    items = [owner.add_variable(f"x{i}", 0, 1, cat=pulp.LpBinary) for i in range(3)]
    row = pulp.LpAffineExpression([(x, 2) for x in items]) <= 3
    return HighsModel(items, [("knapsack", row)]), items


def count_branches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    branch = HighsModel._branch

    def counted(self: HighsModel, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return branch(self, *args, **kwargs)

    monkeypatch.setattr(HighsModel, "_branch", counted)
    return calls


def test_an_integral_relaxation_proves_the_level_without_branching(monkeypatch) -> None:
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    # Take at most one item (the knapsack row allows one and a half): the relaxation's
    # optimum, item x1 alone, is already 0/1.
    model.add_rows([("one", pulp.LpAffineExpression([(x, 1) for x in items]) <= 1)])
    outcome = model.solve(
        pulp.LpAffineExpression([(items[0], -3), (items[1], -5), (items[2], -4)]),
        time_limit=10,
        mip_gap=0,
    )
    assert outcome.status is SolveStatus.OPTIMAL
    assert [outcome.values[x.name] for x in items] == [0, 1, 0]
    assert outcome.objective == -5
    assert calls == []


def test_a_fractional_relaxation_branches_to_the_integer_optimum(monkeypatch) -> None:
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    # Relaxed: x1 = 1 and x2 = 1/2 (value -7); in integers only one item fits: -5.
    outcome = model.solve(
        pulp.LpAffineExpression([(items[0], -3), (items[1], -5), (items[2], -4)]),
        time_limit=10,
        mip_gap=0,
    )
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == pytest.approx(-5)
    assert round(outcome.values["x1"]) == 1
    assert calls == [1]


def test_the_relaxation_bound_rounded_up_proves_an_incumbent(monkeypatch) -> None:
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    # Worth 3, 1 and 1: the relaxation takes x0 and half of x1, -3.5; every objective value
    # of a 0/1 point is an integer, so nothing beats -3, which the incumbent {x0} has.
    objective = pulp.LpAffineExpression([(items[0], -3), (items[1], -1), (items[2], -1)])
    outcome = model.solve(
        objective, time_limit=10, mip_gap=0, start={"x0": 1.0, "x1": 0.0, "x2": 0.0}
    )
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == -3
    assert outcome.bound == -3
    assert [outcome.values[x.name] for x in items] == [1, 0, 0]
    assert calls == []


def test_reduced_cost_fixing_keeps_the_ties_free() -> None:
    # A and B tie on L1 (same score); C is worse everywhere. After the score level only
    # the tied columns stay free, and the cost level still sees both of them.
    lots = [("L1", "G", 10), ("L2", "G", 10)]
    bids = [
        ("L1", "A", 90, 16),
        ("L1", "B", 90, 15),
        ("L1", "C", 50, 14),
        ("L2", "C", 80, 16),
        ("L2", "A", 40, 16),
    ]
    problem = make_problem(lots, bids, max_lots_per_bidder=1)
    fixed: list[int] = []
    fix = HighsModel.fix_implied

    def counted(self: HighsModel, value: float) -> int:
        fixed.append(fix(self, value))
        return fixed[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HighsModel, "fix_implied", counted)
        result = solve_award(problem, solver="highs")
    # The cost level breaks the tie towards the cheaper B; CBC, without fixing, agrees.
    assert result.awarded == (("L1", "B"), ("L2", "C"))
    assert result.awarded == solve_award(problem, solver="cbc").awarded
    assert fixed and fixed[0] > 0
