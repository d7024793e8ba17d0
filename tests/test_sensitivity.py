"""Sensitivity: a rank reversal at the weight worked by hand, and stability margins."""

from __future__ import annotations

import pytest
from builders import make_marks, make_tender

from tender.errors import InputError
from tender.sensitivity import price_methods, sensitivity, weight_range


def _two_bidders() -> object:
    # Quality weight w, criteria w/2 each, out of 5. B1 marks 5 and 5 (quality share 1.0),
    # rate 17.50; B2 marks 4 and 5 on each criterion (mean 4.5, share 0.9), rate 14.50.
    # lowest_ratio: B1 = w + (100 - w) * 14.5 / 17.5, B2 = 0.9 w + (100 - w).
    # Level when 0.1 w = (100 - w) * 3 / 17.5, i.e. 35 w = 6000 - 60 w: w = 6000 / 95.
    return make_tender(
        lots=["L1"],
        bids=[("B1", "L1", 17.50), ("B2", "L1", 14.50)],
        marks=[
            make_marks("B1", "Q1", 5, 5),
            make_marks("B1", "Q2", 5, 5),
            make_marks("B2", "Q1", 4, 5),
            make_marks("B2", "Q2", 4, 5),
        ],
        fill_mark=None,
    )


def test_reversal_at_the_weight_worked_by_hand() -> None:
    result = sensitivity(_two_bidders(), methods=["lowest_ratio"], workers=1)
    assert result.weights == (100, 90, 80, 70, 60, 50)
    (reversal,) = result.reversals
    assert (reversal.ahead_above, reversal.ahead_below) == ("B1", "B2")
    assert reversal.weight == pytest.approx(6000 / 95, abs=1e-9)
    (change,) = result.leader_changes
    assert (change.above, change.below) == ("B1", "B2")
    assert change.weight == pytest.approx(6000 / 95, abs=1e-9)
    # The tender weighs 60/40, below the crossing: B2 wins; from 70/30 up B1 would.
    changed = {p.quality_weight: p.lots_changed for p in result.points}
    assert changed == {100: ("L1",), 90: ("L1",), 80: ("L1",), 70: ("L1",), 60: (), 50: ()}


def test_stability_margin_by_hand() -> None:
    # At 60/40: B2 = 54 + 40 = 94; B1 = 60 + 40 * 14.5 / 17.5 = 93.142857...
    result = sensitivity(_two_bidders(), weights=[60], methods=["lowest_ratio"], workers=1)
    (margin,) = result.margins
    assert (margin.lot_id, margin.bidder_id, margin.goes_to) == ("L1", "B2", ("B1",))
    assert margin.margin == pytest.approx(94 - (60 + 40 * 14.5 / 17.5))


def test_no_alternative_means_no_margin() -> None:
    tender = make_tender(lots=["L1"], bids=[("B1", "L1", 15.0)])
    (margin,) = sensitivity(tender, weights=[60], workers=1).margins
    assert margin.margin is None
    assert margin.goes_to == ()


def test_weight_range_and_methods() -> None:
    assert weight_range(100, 50, 25) == (100, 75, 50)
    assert weight_range(50, 60, 5) == (50, 55, 60)
    with pytest.raises(InputError):
        weight_range(100, 50, 0)
    with pytest.raises(InputError):
        weight_range(120, 50, 10)
    assert price_methods(_two_bidders()) == ("lowest_ratio", "linear")
    with pytest.raises(InputError, match="fixed"):
        sensitivity(_two_bidders(), methods=["fixed"], workers=1)
