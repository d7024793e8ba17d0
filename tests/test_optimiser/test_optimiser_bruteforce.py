"""The optimiser against exhaustive search on random tiny tenders, with both solvers."""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimiser_cases import (
    SOLVERS,
    Best,
    brute_force,
    exact,
    levels,
    lot_options,
    make_problem,
    violations,
)

import optimiser.solve
from optimiser import AwardProblem, SolveStatus, solve_award
from tender.errors import RuleConflict

#: Enumerated awards per example at most: keeps the brute force near a second in all.
MAX_AWARDS = 3000

SCORES = (40.0, 55.0, 55.0, 62.5, 70.0, 70.0, 85.0, 90.0)
RATES = (15.0, 15.5, 16.25, 16.25, 17.0)
HOURS = (10, 10, 20, 25, 40)


def random_problem(seed: int, *, tied: bool = False) -> AwardProblem:
    """A random problem of up to 6 lots x 6 bidders whose rules often bind.

    Built from one seed (``random.Random``) rather than from many Hypothesis draws: the
    instances are then as varied as the seeds, where composite draws kept repeating tiny
    ones. ``tied`` gives every bid the same score and rate, so that only the tie-break
    and the canonical order decide.
    """
    rng = random.Random(seed)
    scores, rates = ((70.0,), (16.0,)) if tied else (SCORES, RATES)
    n_lots = rng.choice((2, 3, 4, 5, 6, 6))
    n_bidders = rng.choice((1, 2, 3, 4, 5, 6, 6))
    groups = rng.randint(1, 3)
    lots = []
    for i in range(n_lots):
        high = rng.choice((1, 1, 1, 2, None))
        low = min(rng.choice((0, 1, 1, 1, 2)), high or 2)
        lots.append((f"L{i + 1}", f"G{i % groups + 1}", rng.choice(HOURS), low, high))
    bidder_ids = [f"B{j + 1}" for j in range(n_bidders)]
    density = rng.choice((0.4, 0.6, 0.8))
    bids = [
        (lot[0], bidder_id, rng.choice(scores), rng.choice(rates))
        for lot in lots
        for bidder_id in bidder_ids
        if rng.random() < density
    ]
    bidders = {
        b: {
            "max_lots": rng.choice((None, None, 1, 2)),
            "capacity_hours_per_week": rng.choice((None, None, None, 20, 35, 50)),
        }
        for b in bidder_ids
    }
    total_cost = sum(h * 52 * 16 for _, _, h, _, _ in lots)
    rules = {
        "max_lots_per_bidder": rng.choice((None, None, 1, 2, 3)),
        "max_share_of_hours": rng.choice((None, None, 0.25, 0.4, 0.5, 0.6)),
        "share_basis": rng.choice(("tendered", "awarded")),
        "min_providers_per_group": rng.choice((None, None, 1, 2, 3)),
        "max_lots_per_bidder_per_group": rng.choice((None, None, 1, 2)),
        "budget_per_year": rng.choice(
            (None, None, None, round(total_cost * 0.5), round(total_cost * 0.8))
        ),
        "objective": rng.choice(("hours_weighted", "score")),
    }
    problem = make_problem(lots, bids, bidders=bidders, **rules)
    # Drop the widest lot's worst bid until exhaustive search stays cheap.
    while math.prod(len(o) for o in lot_options(problem)) > MAX_AWARDS:
        counts = {lot_id: sum(1 for b in bids if b[0] == lot_id) for lot_id, *_ in lots}
        widest = max(sorted(counts), key=lambda lot_id: counts[lot_id])
        worst = min((b for b in bids if b[0] == widest), key=lambda b: (b[2], -b[3], b[1]))
        bids.remove(worst)
        problem = make_problem(lots, bids, bidders=bidders, **rules)
    return problem


problems = st.integers(0, 2**32 - 1).map(random_problem)
tied_problems = st.integers(0, 2**32 - 1).map(lambda seed: random_problem(seed, tied=True))


# --- exact brute force --------------------------------------------------------------------
#
# The brute force of optimiser_cases ranks awards by the model's documented scaled integers
# (re-typed there): it checks the model is built as documented. This one ranks them by exact
# sums of the raw inputs (fractions of the decimals typed), as a panel would: it checks that
# the documented rounding does not change the award. It can, on a near-tie: a bid's score
# weight is rounded to the nearest unit (1/10,000 of a point on the biggest lot) and its cost
# weight to a millionth of the dearest bid's cost, so two awards whose exact totals differ by
# less than half a unit per bid of either award may be ordered either way, or an exact tie
# may be split. Where the two brute forces disagree, the test requires exactly that: the
# same coverage, the model's integers strictly preferring the optimiser's award, and the exact
# gap within that rounding tolerance. (With these instances' scores and hours every score
# weight happens to be exact, so only costs can differ.)


@dataclass(frozen=True)
class Exact:
    """An award's levels in exact arithmetic: vacancies, shortfall, score, cost, tie weight."""

    vacancies: int
    shortfall: int
    score: Fraction
    cost: Fraction
    tie: int


class _ExactWeights:
    """Per bid: exact score (times hours when hours-weighted), exact annual cost, tie weight."""

    def __init__(self, problem: AwardProblem) -> None:
        self.problem = problem
        lots = {lot.lot_id: lot for lot in problem.lots}
        self.group = {lot_id: lot.group for lot_id, lot in lots.items()}
        per_lot: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for c in problem.candidates:
            per_lot[c.lot_id].append((c.rank, c.bidder_id))
        widest = max((len(v) for v in per_lot.values()), default=0)
        index = {lot.lot_id: i for i, lot in enumerate(problem.lots)}
        weighted = problem.rules.objective == "hours_weighted"
        self.score: dict[tuple[str, str], Fraction] = {}
        self.cost: dict[tuple[str, str], Fraction] = {}
        self.tie: dict[tuple[str, str], int] = {}
        for c in problem.candidates:
            key = (c.lot_id, c.bidder_id)
            hours = exact(lots[c.lot_id].hours_per_week)
            self.score[key] = exact(c.score) * (hours if weighted else 1)
            self.cost[key] = hours * 52 * exact(c.rate)
            place = sorted(per_lot[c.lot_id]).index((c.rank, c.bidder_id)) + 1
            self.tie[key] = (len(problem.lots) - index[c.lot_id]) * (widest + 1 - place)

    def of(self, award: set[tuple[str, str]]) -> Exact:
        per_lot: dict[str, int] = defaultdict(int)
        providers: dict[str, set[str]] = defaultdict(set)
        for lot_id, bidder_id in award:
            per_lot[lot_id] += 1
            providers[self.group[lot_id]].add(bidder_id)
        need = self.problem.rules.min_providers_per_group or 0
        return Exact(
            vacancies=sum(
                max(0, lot.min_providers - per_lot[lot.lot_id]) for lot in self.problem.lots
            ),
            shortfall=sum(max(0, need - len(providers[g])) for g in set(self.group.values())),
            score=sum((self.score[k] for k in award), Fraction(0)),
            cost=sum((self.cost[k] for k in award), Fraction(0)),
            tie=sum(self.tie[k] for k in award),
        )


def exact_brute_force(problem: AwardProblem) -> tuple[tuple[tuple[str, str], ...], Exact]:
    """The lexicographically best award by exact sums: coverage, score, cost, tie, order."""
    lot_ids = [lot.lot_id for lot in problem.lots]
    canonical = [
        (c.lot_id, c.bidder_id)
        for lot_id in lot_ids
        for c in problem.candidates_for(lot_id)  # by rank, then bidder id
    ]
    weights = _ExactWeights(problem)
    best_key = None
    best: set[tuple[str, str]] = set()
    for combo in itertools.product(*lot_options(problem)):
        award = {(lot_id, b) for lot_id, chosen in zip(lot_ids, combo, strict=True) for b in chosen}
        e = weights.of(award)
        head = (-e.vacancies, -e.shortfall, e.score, -e.cost, e.tie)
        if best_key is not None and head < best_key[:5]:
            continue
        if violations(problem, award):
            continue
        key = (*head, tuple(int(k in award) for k in canonical))
        if best_key is None or key > best_key:
            best_key, best = key, award
    return tuple(sorted(best)), weights.of(best)


def _rounding_tolerance(problem: AwardProblem, bids: int) -> tuple[Fraction, Fraction]:
    """How far apart (score, annual cost) two awards of ``bids`` bids in all may be and still
    be ordered by the model's rounding: half a scaled unit per bid (see optimiser.model)."""
    hours = {lot.lot_id: exact(lot.hours_per_week) for lot in problem.lots}
    max_hours = max(hours.values())
    score_unit = (max_hours if problem.rules.objective == "hours_weighted" else 1) / Fraction(
        10_000
    )
    max_cost = max((hours[c.lot_id] * exact(c.rate) for c in problem.candidates), default=1)
    cost_unit = 52 * Fraction(max_cost) / 1_000_000
    return score_unit * bids / 2, cost_unit * bids / 2


def _check_exact(problem: AwardProblem, awarded: tuple[tuple[str, str], ...]) -> bool:
    """The optimiser's award against the exact brute force; True if they differ (a near-tie)."""
    best, best_levels = exact_brute_force(problem)
    if awarded == best:
        return False
    mine = set(awarded)
    weights = _ExactWeights(problem)
    got = weights.of(mine)
    assert (got.vacancies, got.shortfall) == (best_levels.vacancies, best_levels.shortfall)
    # The model's integers must prefer the optimiser's award: rounding decided, nothing else.
    _, _, w_mine, c_mine, _ = levels(problem, mine)
    _, _, w_best, c_best, _ = levels(problem, set(best))
    assert (w_mine, -c_mine) > (w_best, -c_best)
    score_tol, cost_tol = _rounding_tolerance(problem, len(mine) + len(best))
    assert 0 <= best_levels.score - got.score <= score_tol
    if got.score == best_levels.score:
        assert 0 <= got.cost - best_levels.cost <= cost_tol
    return True


def _check(problem: AwardProblem, solver: str, best: Best) -> tuple[tuple[str, str], ...]:
    result = solve_award(problem, solver=solver, alternatives=False)
    assert result.status is SolveStatus.OPTIMAL
    award = set(result.awarded)
    assert violations(problem, award) == []
    v, s, w, c, _ = levels(problem, award)
    assert (v, s, w, c) == (best.vacancies, best.shortfall, best.score, best.cost)
    assert result.objective.vacancies == best.vacancies
    assert result.objective.group_shortfall == best.shortfall
    assert result.awarded == best.award
    assert sum(vac.places for vac in result.vacancies) == best.vacancies
    return result.awarded


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(problems)
def test_both_solvers_equal_brute_force(problem: AwardProblem) -> None:
    best = brute_force(problem)
    awards = {solver: _check(problem, solver, best) for solver in SOLVERS}
    assert awards["highs"] == awards["cbc"]
    _check_exact(problem, awards["highs"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(tied_problems)
def test_both_solvers_equal_brute_force_when_all_bids_tie(problem: AwardProblem) -> None:
    best = brute_force(problem)
    awards = {solver: _check(problem, solver, best) for solver in SOLVERS}
    assert awards["highs"] == awards["cbc"]
    # Every bid scores 70 at 16.00: the scaled weights are exact and only the tie-break and
    # canonical order decide, so the exact ranking must agree outright.
    assert not _check_exact(problem, awards["highs"])


@pytest.mark.parametrize("solver", SOLVERS)
def test_forbid_raises_exactly_when_brute_force_leaves_a_place(solver: str) -> None:
    # vacancies = "forbid" must be a RuleConflict exactly when the best award (fewest
    # vacancies first) still has one, and otherwise give the same award as "allow".
    outcomes = {"conflict": 0, "covered": 0}
    for seed in range(30):
        problem = random_problem(seed)
        forbid = AwardProblem.model_validate(
            {**dict(problem), "rules": problem.rules.model_copy(update={"vacancies": "forbid"})}
        )
        best = brute_force(problem)
        if best.vacancies:
            with pytest.raises(RuleConflict, match=r"cannot be covered under the rules"):
                solve_award(forbid, solver=solver, alternatives=False)
            outcomes["conflict"] += 1
        else:
            assert solve_award(forbid, solver=solver, alternatives=False).awarded == best.award
            outcomes["covered"] += 1
    # The seeds exercise both sides (counts fixed by the seeds, so this cannot drift).
    assert min(outcomes.values()) >= 5, outcomes


@pytest.mark.parametrize("solver", SOLVERS)
def test_canonical_walk_breaks_ties_the_weights_leave(
    solver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Identical bidders B1, B2 (2 lots each) on four 10-hour lots; L3 and L4 must be
    # covered, L1 takes any number, L2 two. Four awards maximise score; tie weights
    # (lot factors 4, 3, 2, 1 times 2 for B1, 1 for B2) give 17 to both
    #   X = B1: L1, L3; B2: L1, L4  (8 + 4 + 4 + 1)
    #   Y = B1: L1, L2; B2: L3, L4  (8 + 6 + 2 + 1)
    # In canonical order (L1B1, L1B2, L2B1, L2B2, ...) X awards L1B2 before Y differs: X.
    # The walk only asks about the 6 bids some tied award takes (X and Y, and the two
    # others, never take L2B2 or L4B1).
    walks = []
    original = optimiser.solve._Run._walk

    def spy(self: optimiser.solve._Run, keys: list[tuple[str, str]]) -> SolveStatus:
        walks.append(len(keys))
        return original(self, keys)

    monkeypatch.setattr(optimiser.solve._Run, "_walk", spy)
    lots = [("L1", "G", 10, 0, None), ("L2", "G", 10, 0, 2)]
    lots += [("L3", "G", 10, 1, None), ("L4", "G", 10, 1, None)]
    bids = [(lot[0], b, 70, 16) for lot in lots for b in ("B1", "B2")]
    bidders = {"B1": {"max_lots": 2}, "B2": {"max_lots": 2}}
    problem = make_problem(lots, bids, bidders=bidders)
    result = solve_award(problem, solver=solver)
    assert walks == [6]
    assert result.status is SolveStatus.OPTIMAL
    assert result.awarded == (("L1", "B1"), ("L1", "B2"), ("L3", "B1"), ("L4", "B2"))
    assert result.awarded == brute_force(problem).award


@pytest.mark.parametrize("solver", SOLVERS)
def test_tied_swap_goes_to_the_earlier_lot(solver: str) -> None:
    # Two identical bidders, one lot each: every level ties, and the canonical rule gives
    # the first lot to the bidder ranked first on it (B1 by id).
    problem = make_problem(
        [("L1", "G", 10), ("L2", "G", 10)],
        [("L1", "B1", 70, 16), ("L1", "B2", 70, 16), ("L2", "B1", 70, 16), ("L2", "B2", 70, 16)],
        max_lots_per_bidder=1,
    )
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B1"), ("L2", "B2"))
    assert result.awarded == brute_force(problem).award


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_model_rounding_may_split_an_exact_cost_tie(solver: str) -> None:
    # L1 (10 h): A 15.00, B 15.20; L2 (20 h): A 15.00, B 15.10; equal scores, one lot each.
    # {L1: A, L2: B} and {L1: B, L2: A} both cost exactly 52 * 452 a year. In cost units of a
    # millionth of the dearest bid (20 * 15.10 = 302) they weigh 496,689 + 1,000,000 against
    # 503,311 + 993,377: one unit apart, so the model takes {L1: B, L2: A}, where exact sums
    # tie and the tie-break (better ranks on the earlier lot: 2 * 2 + 1 against 2 * 1 + 2)
    # takes {L1: A, L2: B}. The exact check accepts it as a near-tie within the tolerance.
    problem = make_problem(
        [("L1", "G", 10), ("L2", "G", 20)],
        [
            ("L1", "A", 70, 15.0),
            ("L1", "B", 70, 15.2),
            ("L2", "A", 70, 15.0),
            ("L2", "B", 70, 15.1),
        ],
        max_lots_per_bidder=1,
    )
    result = solve_award(problem, solver=solver)
    assert result.awarded == (("L1", "B"), ("L2", "A")) == brute_force(problem).award
    assert exact_brute_force(problem)[0] == (("L1", "A"), ("L2", "B"))
    assert _check_exact(problem, result.awarded)


# Seeds where HiGHS, driven through PuLP's own HiGHS interface, returned a worse award than
# brute force and CBC while reporting it optimal: the objective it reported was not that of
# the variable values read back (seed 212, score level: -4,112,500, the brute-force optimum,
# against 1,962,500 from the values; seed 20, tie-break level: -31 against 29). Found by
# running the property above over seeds 0-399; kept now that HiGHS is driven directly.
# Seed 2006: HiGHS's own MIP solver, given the start award, reported -3,700,000 at the
# score level and returned an award worth -3,075,000 (optimiser.highs now solves it again
# without the start and presolve); found by the sifting property of test_optimiser_highs.
HIGHS_MISMATCH_SEEDS = (20, 212, 2006)


@pytest.mark.parametrize("seed", HIGHS_MISMATCH_SEEDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_seeds_where_highs_disagreed_with_brute_force(seed: int, solver: str) -> None:
    problem = random_problem(seed)
    _check(problem, solver, brute_force(problem))
