"""HiGHS held across solves: relaxation proofs, branching when it must, reduced-cost fixing."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optimiser_cases import brute_force, make_problem
from test_optimiser_bruteforce import random_problem

import optimiser.highs
import optimiser.solve
from optimiser import SolveStatus, solve_award
from optimiser.highs import HighsModel
from optimiser.linear import Columns, Linear, Row
from optimiser.model import AwardModel, integer_data


class Named:
    """0/1 columns by name, for hand-worked models."""

    def __init__(self, *names: str) -> None:
        self.names = list(names)
        n = len(names)
        self.columns = Columns(self.names, np.zeros(n), np.ones(n), np.ones(n, dtype=bool))

    def __call__(self, **terms: int) -> Linear:
        """``sum coefficient * column`` over the columns named."""
        return Linear([self.names.index(n) for n in terms], list(terms.values()))

    def model(self, rows: list[tuple[str, Row]], groups: dict[str, int] | None = None):
        groups_of = None
        if groups is not None:
            groups_of = np.array([groups.get(n, -1) for n in self.names])
        return HighsModel(self.columns, rows, groups=groups_of)

    def start(self, **values: float) -> np.ndarray:
        """Every column's value (0 unless given)."""
        vector = np.zeros(len(self.names))
        for name, value in values.items():
            vector[self.names.index(name)] = value
        return vector


def knapsack() -> tuple[HighsModel, Named]:
    """Three items of weight 2 in a knapsack of 3: the relaxation takes one and a half."""
    x = Named("x0", "x1", "x2")
    return x.model([("knapsack", x(x0=2, x1=2, x2=2).at_most(3))]), x


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
    model.add_rows([("one", items(x0=1, x1=1, x2=1).at_most(1))])
    outcome = model.solve(items(x0=-3, x1=-5, x2=-4), time_limit=10, mip_gap=0)
    assert outcome.status is SolveStatus.OPTIMAL
    assert [outcome.values[x] for x in items.names] == [0, 1, 0]
    assert outcome.objective == -5
    assert calls == []


def test_a_fractional_relaxation_branches_to_the_integer_optimum(monkeypatch) -> None:
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    # Relaxed: x1 = 1 and x2 = 1/2 (value -7); in integers only one item fits: -5.
    outcome = model.solve(items(x0=-3, x1=-5, x2=-4), time_limit=10, mip_gap=0)
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == pytest.approx(-5)
    assert round(outcome.values["x1"]) == 1
    assert calls == [1]


def test_a_rounded_off_relaxation_is_the_incumbent_when_it_is_better(monkeypatch) -> None:
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    # As above (relaxed -3.5): the start {x1} is worth -1; the relaxation rounded off, {x0},
    # is worth -3, meets the bound rounded up and is proven without branching.
    seen: list[list[float]] = []

    def round_off(values: np.ndarray) -> np.ndarray:
        seen.append(values.tolist())
        return items.start(x0=1)

    objective = items(x0=-3, x1=-1, x2=-1)
    outcome = model.solve(
        objective, time_limit=10, mip_gap=0, start=items.start(x1=1), round_off=round_off
    )
    assert outcome.status is SolveStatus.OPTIMAL and outcome.objective == -3
    assert [outcome.values[x] for x in items.names] == [1, 0, 0]
    assert calls == []
    assert seen == [[1.0, 0.5, 0.0]] or seen == [[1.0, 0.0, 0.5]]
    # A worse point rounded off leaves the start as the incumbent, and the MIP runs.
    model, items = knapsack()
    outcome = model.solve(
        objective,
        time_limit=10,
        mip_gap=0,
        start=items.start(x0=1),
        round_off=lambda values: items.start(x2=1),
    )
    assert outcome.objective == -3 and calls == []


def test_the_relaxation_bound_rounded_up_proves_an_incumbent(monkeypatch) -> None:
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    # Worth 3, 1 and 1: the relaxation takes x0 and half of x1, -3.5; every objective value
    # of a 0/1 point is an integer, so nothing beats -3, which the incumbent {x0} has.
    objective = items(x0=-3, x1=-1, x2=-1)
    outcome = model.solve(objective, time_limit=10, mip_gap=0, start=items.start(x0=1))
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == -3
    assert outcome.bound == -3
    assert [outcome.values[x] for x in items.names] == [1, 0, 0]
    assert calls == []


def test_with_no_time_left_to_branch_the_incumbent_comes_back_unproven(monkeypatch) -> None:
    """HiGHS's MIP solver overran a 60 s limit by 95 s at 2000 x 1000 (bench, 2026-12-01):
    with the clock run out after the relaxation, it is not started at all."""
    model, items = knapsack()
    calls = count_branches(monkeypatch)
    monkeypatch.setattr(optimiser.highs, "MIN_BRANCH_SECONDS", 1e9)  # always out of time
    objective = items(x0=-3, x1=-5, x2=-4)
    outcome = model.solve(objective, time_limit=10, mip_gap=0, start=items.start(x0=1))
    # The incumbent {x0} (-3) against the relaxation's bound, x1 and half of x2 (-7).
    assert outcome.status is SolveStatus.FEASIBLE_NOT_PROVEN
    assert outcome.objective == -3
    assert outcome.bound == pytest.approx(-7)
    assert [outcome.values[x] for x in items.names] == [1, 0, 0]
    assert model.solve(objective, time_limit=10, mip_gap=0).status is SolveStatus.NO_SOLUTION
    assert calls == []


def test_each_solve_gets_its_own_time_on_highss_run_clock(monkeypatch) -> None:
    # HiGHS reads time_limit against the run time of all its runs so far: once that passed
    # the seconds a later level had left, every run of it stopped at once.
    model, items = knapsack()
    model.add_rows([("one", items(x0=1, x1=1, x2=1).at_most(1))])
    objective = items(x0=-3, x1=-5, x2=-4)
    for _ in range(100_000):
        if model._highs.getRunTime() > 0.05:
            break
        model.solve(objective, time_limit=10, mip_gap=0)
    assert model._highs.getRunTime() > 0.05
    calls = count_branches(monkeypatch)
    # The relaxation (now x0 alone, already 0/1) is solved within its 0.03 s, not stopped.
    other = items(x0=-6, x1=-5, x2=-4)
    outcome = model.solve(other, time_limit=0.03, mip_gap=0)
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == -6
    assert calls == []
    # HiGHS's MIP solver, unlike its simplex, counts from the start of its own run (a MIP
    # given the run clock plus 36 s at 1000 x 500 ran 57 s).
    model._mip(np.zeros(3), None, 7.0, 0.0, presolve=True)
    assert model._highs.getOptionValue("time_limit")[1] == 7.0


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


# --- sifting ---------------------------------------------------------------------------------


def sift_everything(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sift every relaxation, one column per lot at a time; count the rounds."""
    rounds: list[int] = []
    solve_subset = HighsModel._solve_subset

    def counted(self: HighsModel, subset: object, seconds: float) -> object:
        rounds.append(1)
        return solve_subset(self, subset, seconds)

    monkeypatch.setattr(optimiser.highs, "SIFT_FROM", 1)
    monkeypatch.setattr(optimiser.highs, "SIFT_START", 1)
    monkeypatch.setattr(optimiser.highs, "SIFT_ADD", 1)
    monkeypatch.setattr(HighsModel, "_solve_subset", counted)
    return rounds


def one_lot_each(x: Named) -> list[tuple[str, Row]]:
    """Lots L1 and L2 take one bid each, bidders A, B and C one lot each (columns "L1_A")."""
    lots = [(f"lot_{lot}", {n: 1 for n in x.names if n.startswith(lot)}) for lot in ("L1", "L2")]
    bidders = [(f"one_{b}", {n: 1 for n in x.names if n.endswith(b)}) for b in "ABC"]
    return [(name, x(**terms).at_most(1)) for name, terms in lots + bidders]


def test_sifting_finds_the_whole_relaxations_optimum(monkeypatch) -> None:
    # Two lots, three bidders; each bidder one lot at most. Each lot's best bid is A's, so
    # the first subset (A on both lots) holds A at one lot; B and C come in by their
    # reduced costs: the optimum A on L1 (9) and C on L2 (7) beats A on L2 (8) and B on L1
    # (5), and is the whole problem's.
    weights = {"L1_A": 9, "L1_B": 5, "L2_A": 8, "L2_C": 7, "L2_B": 1}
    x = Named(*weights)
    rows = one_lot_each(x)
    rounds = sift_everything(monkeypatch)
    model = x.model(rows, groups={k: int(k[1]) for k in weights})
    objective = x(**{k: -w for k, w in weights.items()})
    outcome = model.solve(objective, time_limit=10, mip_gap=0)
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == -16
    assert {k for k in weights if outcome.values[k] > 0.5} == {"L1_A", "L2_C"}
    assert len(rounds) >= 2  # the first subset (one column per lot) could not be it
    # The subset's optimal basis was kept, as one of the whole model: the next level starts
    # warm from it.
    assert model._basis is not None
    states, rows_status = model._basis
    assert len(states) == len(weights) and len(rows_status) == model._highs.getNumRow()


def test_a_row_let_go_after_sifting_keeps_the_kept_basis_usable(monkeypatch) -> None:
    # As in the test above, A on L1 and C on L2 (16), lot L1's row tight (nonbasic). With that
    # row let go, L1 takes B as well: 9 + 5 + 7 = 21. The kept basis has the row at zero
    # (nonbasic, no bounds) and HiGHS takes it.
    weights = {"L1_A": 9, "L1_B": 5, "L2_A": 8, "L2_C": 7, "L2_B": 1}
    x = Named(*weights)
    sift_everything(monkeypatch)
    taken: list[bool] = []
    start_from = optimiser.highs._Subset.start_from

    def counted(self: optimiser.highs._Subset, *basis: list) -> bool:
        taken.append(start_from(self, *basis))
        return taken[-1]

    monkeypatch.setattr(optimiser.highs._Subset, "start_from", counted)
    model = x.model(one_lot_each(x), groups={k: int(k[1]) for k in weights})
    objective = x(**{k: -w for k, w in weights.items()})
    assert model.solve(objective, time_limit=10, mip_gap=0).objective == -16
    assert model._basis is not None
    assert model._basis[1][0] != highspy.HighsBasisStatus.kBasic  # lot_L1, tight
    model.relax(["lot_L1"])
    assert model._basis[1][0] == highspy.HighsBasisStatus.kZero
    outcome = model.solve(objective, time_limit=10, mip_gap=0)
    assert outcome.status is SolveStatus.OPTIMAL and outcome.objective == -21
    assert taken == [True]


def test_a_later_level_sifts_from_the_last_levels_subset_and_basis(monkeypatch) -> None:
    # The score level ties three awards at 17 (A or B on L1, A or C on L2, one lot each);
    # the cost level, held to 17, picks the cheapest of them: A on L1 and C on L2 (5).
    score = {"L1_A": 9, "L1_B": 9, "L2_A": 8, "L2_C": 8, "L2_B": 1}
    cost = {"L1_A": 3, "L1_B": 5, "L2_A": 4, "L2_C": 2, "L2_B": 1}
    x = Named(*score)
    rows = one_lot_each(x)
    fix = ("score", x(**score).at_least(17))

    def levels(model: HighsModel) -> set[str]:
        first = model.solve(x(**{k: -w for k, w in score.items()}), time_limit=10, mip_gap=0)
        assert first.objective == -17
        model.add_rows([fix])
        second = model.solve(x(**cost), time_limit=10, mip_gap=0)
        assert second.status is SolveStatus.OPTIMAL and second.objective == 5
        return {k for k in score if second.values[k] > 0.5}

    whole = levels(x.model(rows))  # no groups: nothing sifted
    rounds = sift_everything(monkeypatch)
    starts: list[int] = []
    start_from = optimiser.highs._Subset.start_from

    def counted(self: optimiser.highs._Subset, *basis: list) -> bool:
        starts.append(len(self.columns))
        taken = start_from(self, *basis)
        # The kept basis has a row (basic) for the score fix added after it was kept.
        assert taken
        return taken

    monkeypatch.setattr(optimiser.highs._Subset, "start_from", counted)
    model = x.model(rows, groups={k: int(k[1]) for k in score})
    assert levels(model) == whole == {"L1_A", "L2_C"}
    # The score level sifted from nothing; the cost level started from its columns and
    # its basis, and was sifted too (more rounds after the first level's).
    assert len(starts) == 1 and starts[0] >= 2
    assert len(rounds) >= 3
    assert model._basis is not None
    assert model._inside is None  # a fractional later level branches over the whole model


def two_lots_one_bidder_capped() -> tuple[HighsModel, Named]:
    """Lots L1 and L2 take one bid each; bidder a's hours (2 a lot) are capped at 3.

    Worth a1 5, b1 4, c1 1, a2 5, b2 1: relaxed, a2 and half each of a1 and b1 (9.5);
    in integers b1 and a2 (9).
    """
    x = Named("a1", "b1", "c1", "a2", "b2")
    rows = [
        ("lot_L1", x(a1=1, b1=1, c1=1).at_most(1)),
        ("lot_L2", x(a2=1, b2=1).at_most(1)),
        ("hours_a", x(a1=2, a2=2).at_most(3)),
    ]
    return x.model(rows, groups={n: int(n[1]) for n in x.names}), x


def capped_objective(x: Named) -> Linear:
    return x(a1=-5, b1=-4, c1=-1, a2=-5, b2=-1)


def test_a_fractional_sifted_relaxation_branches_over_the_sifted_columns_first(
    monkeypatch,
) -> None:
    sift_everything(monkeypatch)
    calls = count_branches(monkeypatch)
    restricted: list[int] = []
    restrict = HighsModel._restricted

    def counted(self: HighsModel, costs: object, incumbent: object, inside, *args: object):
        restricted.append(int(inside.sum()))
        return restrict(self, costs, incumbent, inside, *args)

    monkeypatch.setattr(HighsModel, "_restricted", counted)
    model, x = two_lots_one_bidder_capped()
    outcome = model.solve(capped_objective(x), time_limit=10, mip_gap=0)
    # c1 never prices in (its reduced cost at the optimum is 3); the MIP over the other
    # four finds -9, which meets the whole relaxation's bound -9.5 rounded up: proven
    # without branching on the whole model.
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.objective == -9
    assert {n for n in x.names if outcome.values[n] > 0.5} == {"b1", "a2"}
    assert restricted == [4]
    assert calls == [1]
    # The held column has its bounds back: forcing c1 in is still possible.
    model.add_rows([("force_c1", x(c1=1).at_least(1))])
    again = model.solve(capped_objective(x), time_limit=10, mip_gap=0)
    assert again.status is SolveStatus.OPTIMAL
    assert {n for n in x.names if again.values[n] > 0.5} == {"c1", "a2"}


def test_a_large_model_whose_relaxation_is_unsolved_is_not_branched_on(monkeypatch) -> None:
    """2000 x 1000: the sifted relaxation ran out of time with 7 s left, and HiGHS's MIP,
    which solves the whole relaxation from nothing first, ran 87 s past the limit."""
    sift_everything(monkeypatch)
    calls = count_branches(monkeypatch)
    monkeypatch.setattr(HighsModel, "_solve_subset", lambda self, subset, seconds: None)
    monkeypatch.setattr(HighsModel, "_relaxation", lambda self, seconds, **kwargs: None)
    model, x = two_lots_one_bidder_capped()
    start = x.start(a1=1, b2=1)
    outcome = model.solve(capped_objective(x), time_limit=10, mip_gap=0, start=start)
    assert outcome.status is SolveStatus.FEASIBLE_NOT_PROVEN
    assert outcome.objective == -6
    assert outcome.bound is None
    assert calls == []


def test_a_large_model_is_not_branched_on_in_less_time_than_its_relaxation_took(
    monkeypatch,
) -> None:
    """1000 x 500, binding cap on the awarded basis: a MIP over 120,000 columns started with
    a few seconds left ran 23 s past the limit (HiGHS presolves and solves its first
    relaxation from nothing before it looks at the clock)."""
    sift_everything(monkeypatch)
    model, x = two_lots_one_bidder_capped()
    assert model.solve(capped_objective(x), time_limit=10, mip_gap=0).objective == -9
    assert model._cold_seconds > 0  # that first relaxation, from no basis, was timed
    calls = count_branches(monkeypatch)
    model._cold_seconds = 1e9  # as if it had taken longer than the time now left
    start = x.start(a1=1, b2=1)
    outcome = model.solve(capped_objective(x), time_limit=10, mip_gap=0, start=start)
    assert outcome.status is SolveStatus.FEASIBLE_NOT_PROVEN
    assert outcome.objective == -6
    assert outcome.bound == pytest.approx(-9.5)
    assert calls == []


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1))
def test_sifted_awards_equal_brute_force(seed: int) -> None:
    problem = random_problem(seed)
    best = brute_force(problem)
    with pytest.MonkeyPatch.context() as patch:
        sift_everything(patch)
        result = solve_award(problem, solver="highs", alternatives=False)
    assert result.status is SolveStatus.OPTIMAL
    assert result.awarded == best.award


# --- group rows implied by coverage ------------------------------------------------------------


def test_a_full_award_implies_two_providers_where_nobody_holds_more_than_three_lots() -> None:
    # G1 has 4 lots of one place: filled, with nobody on more than 3 lots, at least
    # ceil(4 / 3) = 2 providers. G2 has 2 lots: one bidder may hold both, so its rule stays.
    lots = [(f"L{i}", "G1", 10) for i in range(1, 5)] + [("L5", "G2", 10), ("L6", "G2", 10)]
    bids = [(lot, b, 70, 16) for lot, *_ in lots for b in ("A", "B")]
    problem = make_problem(lots, bids, max_lots_per_bidder=3, min_providers_per_group=2)
    model = AwardModel.build(problem)
    assert model.implied_group_rows(0) == [model.group_rows["G1"]]
    # One place may be unfilled: G1 then has 3 filled, which one bidder could hold alone.
    assert model.implied_group_rows(1) == []
    # Without a lot limit a bidder could hold all of G1.
    unlimited = AwardModel.build(make_problem(lots, bids, min_providers_per_group=2))
    assert unlimited.implied_group_rows(0) == []
    # G1's holds rows (A's and B's provider columns there) go with its row.
    assert model.holds_rows["G1"] == ["holds_A_G1", "holds_B_G1"]
    assert model.implied_rows(0) == [model.group_rows["G1"], "holds_A_G1", "holds_B_G1"]
    assert model.implied_rows(1) == []


def test_columns_of_no_group_start_outside_the_subset_unless_a_row_needs_them(
    monkeypatch,
) -> None:
    # One lot (L1_A, L1_B), a provider column y held to A's bid (y - L1_A <= 0) and asked
    # for by a group row with its slack s (y + s >= 1). Lowering y helps its holds row but
    # not the group row, so y and s are needed; with the group row and the holds row let
    # go, neither is, and the subset holds only the rows still bounded.
    x = Named("L1_A", "L1_B", "y", "s")
    rows = [
        ("lot", x(L1_A=1, L1_B=1).at_most(1)),
        ("holds", x(y=1, L1_A=-1).at_most(0)),
        ("group", x(y=1, s=1).at_least(1)),
    ]
    groups = {"L1_A": 0, "L1_B": 0}
    model = x.model(rows, groups=groups)
    assert [x.names[i] for i in np.flatnonzero(model._needed())] == ["y", "s"]
    model.relax(["group", "holds"])
    assert not model._needed().any()
    sift_everything(monkeypatch)
    held: list[int] = []
    subset_init = optimiser.highs._Subset.__init__

    def counted(self: optimiser.highs._Subset, *args: object) -> None:
        subset_init(self, *args)  # type: ignore[arg-type]
        held.append(len(self.rows))

    monkeypatch.setattr(optimiser.highs._Subset, "__init__", counted)
    outcome = model.solve(x(L1_A=-3, L1_B=-2, s=1), time_limit=10, mip_gap=0)
    assert outcome.status is SolveStatus.OPTIMAL and outcome.objective == -3
    assert held == [1]  # the lot row only


def test_a_subset_that_cannot_be_solved_falls_back_to_the_whole_relaxation(monkeypatch) -> None:
    # Infeasible without its held columns, or out of time: the whole relaxation is solved,
    # and with it the same award as sifting gives.
    sift_everything(monkeypatch)
    model, x = two_lots_one_bidder_capped()
    sifted = model.solve(capped_objective(x), time_limit=10, mip_gap=0)
    monkeypatch.setattr(optimiser.highs._Subset, "solve", lambda self, seconds: None)
    model, x = two_lots_one_bidder_capped()
    whole = model.solve(capped_objective(x), time_limit=10, mip_gap=0)
    assert whole.status is sifted.status is SolveStatus.OPTIMAL
    assert whole.objective == sifted.objective == -9
    assert model._inside is None  # no subset was let in: branched over the whole model


# --- a level's relaxation rounded off ----------------------------------------------------------


def test_a_rounded_off_award_must_keep_the_levels_fixed_before_it() -> None:
    # Two lots, A and B on each, one lot each. The relaxation's values put A on L2 first
    # (then B on L1): kept while no level is fixed, refused once a fixed score level asks
    # for more than that award is worth.
    problem = make_problem(
        [("L1", "G", 10.0), ("L2", "G", 10.0)],
        [
            ("L1", "A", 90.0, 15.0),
            ("L1", "B", 60.0, 15.0),
            ("L2", "A", 80.0, 15.0),
            ("L2", "B", 70.0, 15.0),
        ],
        max_lots_per_bidder=1,
    )
    data = integer_data(problem)
    model = AwardModel.build(problem, data)
    run = optimiser.solve._Run(
        problem=problem,
        data=data,
        model=model,
        solver="highs",
        time_limit=10.0,
        mip_gap=0.0,
        deadline=float("inf"),
    )
    values = np.zeros(len(model.columns))
    keys = list(data.keys)
    values[model.x[keys.index(("L2", "A"))]] = 0.9
    values[model.x[keys.index(("L1", "A"))]] = 0.1
    vector = run._round_off(values)
    assert vector is not None
    taken = {keys[i] for i in np.flatnonzero(vector[model.x] > 0.5)}
    assert taken == {("L2", "A"), ("L1", "B")}
    worth = sum(data.score_weight[k] for k in taken)
    best = data.score_weight[("L1", "A")] + data.score_weight[("L2", "B")]
    assert worth < best
    run.fixes.append(("fix_score_0", model.weighted(data.score_weight).at_least(best)))
    assert run._round_off(values) is None
    run.fixes[-1] = ("fix_score_0", model.weighted(data.score_weight).at_least(worth))
    assert run._round_off(values) is not None
