"""The award model built in arrays is, row for row, the one PuLP used to build.

The files in ``model_golden/`` were written by the PuLP builder of ``optimiser.model`` (up
to commit 3a1b36d), from its ``LpVariable`` and ``LpConstraint`` objects: every column with
its bounds, every row with its name, bounds and terms, the level objectives and the group
rows the coverage level implies. The array builder must give the same text: the same
columns, rows and row order, so both solvers see the model they were measured with.
Together they hold every kind of row (lot minimum and maximum, lot limit, capacity, share
on both bases with its awarded-hours row, lots per group, holds and providers, budget), a
fixed bid, and ids that clash once sanitised (``L-1``, ``L_1``, ``L.1``).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from optimiser_cases import make_problem
from paths import FIXTURES
from test_optimiser_bruteforce import random_problem

from optimiser import AwardProblem, build_problem
from optimiser.linear import Linear, Row
from optimiser.model import AwardModel
from optimiser.pulp_model import PulpModel
from tender.load import load_tender
from tender.scoring import score_tender

GOLDEN = Path(__file__).parent / "model_golden"


def _number(value: float | None) -> str:
    return "None" if value is None else repr(float(value) + 0.0)


def _terms(names: list[str], linear: Linear) -> str:
    pairs = zip(linear.columns.tolist(), linear.coefficients.tolist(), strict=True)
    return " ".join(f"{c:+d}*{names[i]}" for i, c in sorted(pairs, key=lambda t: names[t[0]]))


def _row(names: list[str], name: str, row: Row) -> str:
    return f"row {name} {_number(row.lower)} {_number(row.upper)} : {_terms(names, row.expression)}"


def dump(problem: AwardProblem) -> str:
    """The model as the PuLP builder's dump wrote it (terms by column name, no zeros)."""
    model = AwardModel.build(problem)
    names, columns = model.columns.names, model.columns
    lines = [
        f"col {name} {int(columns.lower[i])} {int(columns.upper[i])} Integer"
        for i, name in enumerate(names)
    ]
    lines += [_row(names, name, row) for name, row in model.rows]
    for label, linear in (("vac", model.vacancies()), ("short", model.shortfall())):
        pairs = zip(linear.columns.tolist(), linear.coefficients.tolist(), strict=True)
        lines.append(f"{label} " + " ".join(f"{c:+d}*{names[i]}" for i, c in pairs))
    data = model.data
    for label, weights in (
        ("score", data.score_weight),
        ("cost", data.cost_weight),
        ("tie", data.tie_weight),
    ):
        lines.append(f"{label} {_terms(names, model.weighted(weights))}")
    lines += [f"implied{k} " + " ".join(model.implied_group_rows(k)) for k in (0, 1, 2)]
    return "\n".join(lines) + "\n"


def clashing(share: float, basis: str) -> AwardProblem:
    lots = [("L-1", "G 1", 10), ("L_1", "G_1", 20), ("L.1", "G 1", 30, 0, 2)]
    bids = [
        (lot, bidder, score, 15.0)
        for lot, *_ in lots
        for bidder, score in (("B-1", 70), ("B_1", 60), ("B.1", 80))
    ]
    return make_problem(
        lots,
        bids,
        max_share_of_hours=share,
        share_basis=basis,
        min_providers_per_group=2,
        max_lots_per_bidder_per_group=1,
        budget_per_year=20000,
    )


def with_a_fixed_bid(seed: int) -> AwardProblem:
    problem = random_problem(seed)
    bid = random.Random(seed).choice(problem.candidates)
    return problem.model_copy(update={"fixed": frozenset({(bid.lot_id, bid.bidder_id)})})


def htlah() -> AwardProblem:
    tender = load_tender(FIXTURES / "htlah-2016")
    return build_problem(tender, score_tender(tender))


CASES = {
    "random-100": lambda: random_problem(100),
    "random-102": lambda: random_problem(102),
    "random-0-fixed-bid": lambda: with_a_fixed_bid(0),
    "clashing-ids-tendered-share": lambda: clashing(0.4, "tendered"),
    "clashing-ids-awarded-share": lambda: clashing(0.5, "awarded"),
    "htlah-2016": htlah,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_array_model_is_the_pulp_model_row_for_row(case: str) -> None:
    assert dump(CASES[case]()) == (GOLDEN / f"{case}.txt").read_text(encoding="utf-8")


def test_linear_sums_merge_a_column_in_both() -> None:
    # 2 a + 3 b plus 5 b - 1 c: b once, 8; terms in the order first seen.
    total = Linear([0, 1], [2, 3]) + Linear([1, 2], [5, -1])
    assert total.columns.tolist() == [0, 1, 2]
    assert total.coefficients.tolist() == [2, 8, -1]
    assert (2 * total).coefficients.tolist() == [4, 16, -2]
    assert total.value(np.array([1.0, 1.0, 3.0])) == 7.0


def test_start_values_keep_every_row() -> None:
    problem = random_problem(100)
    model = AwardModel.build(problem)
    award = frozenset({(c.lot_id, c.bidder_id) for c in problem.candidates if c.rank == 1})
    values = model.start_values(award)
    for name, row in model.rows:
        worth = row.expression.value(values)
        assert row.lower is None or worth >= row.lower, name
        if name.startswith(("min", "holds", "providers", "awarded")):
            assert row.upper is None or worth <= row.upper, name


def test_the_pulp_copy_for_cbc_has_the_same_rows() -> None:
    model = AwardModel.build(clashing(0.5, "awarded"))
    names = model.columns.names
    copy = PulpModel(model.columns, "award")
    copy.add_rows(model.rows)
    assert copy.problem.numConstraints() == len(model.rows)
    for name, row in model.rows:
        constraint = copy.problem.get_constraint_by_name(name)
        terms = row.expression
        pairs = zip(terms.columns.tolist(), terms.coefficients.tolist(), strict=True)
        assert {var.name: c for var, c in constraint.items()} == {names[i]: c for i, c in pairs}
        bound = row.upper if row.lower is None else row.lower
        assert -constraint.constant == bound
        sense = {(True, False): "<=", (False, True): ">=", (False, False): "="}
        expected = sense[(row.lower is None, row.upper is None)]
        assert {-1: "<=", 1: ">=", 0: "="}[constraint.sense] == expected, name
    with pytest.raises(ValueError, match="one bound"):
        copy.add_rows([("ranged", Row(model.vacancies(), 0, 1))])


def test_integer_data_by_hand() -> None:
    # L3 (1000 hours) sets max_hours: hours-weighted scores are 10,000 x score x hours / 1000;
    # its bid is the dearest (1000 x 15), so costs are 10^6 x hours x rate / 15,000.
    lots = [("L1", "G", 10), ("L2", "G", 20), ("L3", "G", 1000), ("L4", "G", 1)]
    bids = [
        ("L1", "A", 70, 15),  # 7,000 score units; cost 150 / 15,000: 10,000; 780,000 pence
        ("L1", "B", 60.5, 16),  # 6,050; 160 / 15,000 = 10,666.67: 10,667
        ("L2", "A", 80, 15.5),  # 16,000; 310 / 15,000 = 20,666.67: 20,667; 1,612,000 pence
        ("L3", "C", 50, 15),  # 500,000; 10^6
        ("L4", "D", 0.25, 15),  # 2.5 rounds half to even: 2; cost 1,000
        ("L4", "E", 0.75, 15),  # 7.5 rounds half to even: 8
    ]
    data = AwardModel.build(make_problem(lots, bids)).data
    assert data.score_weight == {
        ("L1", "A"): 7000,
        ("L1", "B"): 6050,
        ("L2", "A"): 16000,
        ("L3", "C"): 500_000,
        ("L4", "D"): 2,
        ("L4", "E"): 8,
    }
    assert data.cost_weight == {
        ("L1", "A"): 10_000,
        ("L1", "B"): 10_667,
        ("L2", "A"): 20_667,
        ("L3", "C"): 1_000_000,
        ("L4", "D"): 1000,
        ("L4", "E"): 1000,
    }
    assert data.pence[("L1", "A")] == 780_000
    assert data.pence[("L2", "A")] == 1_612_000
    # Tie-break: (4 lots - lot index) x (2 bids at most + 1 - place in the lot): L1's A
    # 4 x 2, its B 4 x 1; L2's A 3 x 2; L3's C 2 x 2; on L4, E (0.75) ranks first: 1 x 2.
    assert data.tie_weight == {
        ("L1", "A"): 8,
        ("L1", "B"): 4,
        ("L2", "A"): 6,
        ("L3", "C"): 4,
        ("L4", "D"): 1,
        ("L4", "E"): 2,
    }
    assert list(data.position) == [
        ("L1", "A"),
        ("L1", "B"),
        ("L2", "A"),
        ("L3", "C"),
        ("L4", "E"),
        ("L4", "D"),
    ]
