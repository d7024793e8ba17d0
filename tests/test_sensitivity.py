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


def test_price_methods_compared_at_the_same_weight_by_hand() -> None:
    # linear with rates 14.50 to 17.50: B1 (17.50) gets no price points, B2 (14.50) all of
    # them. B1 = w, B2 = 0.9 w + (100 - w): level at 0.1 w = 100 - w, w = 1000 / 11.
    # lowest_ratio is level at 6000 / 95 (above), so from 90/10 to 70/30 the two methods
    # lead L1 with different bids: B1 under lowest_ratio, B2 under linear.
    result = sensitivity(_two_bidders(), workers=1)
    assert result.methods == ("lowest_ratio", "linear")
    differences = [
        (d.quality_weight, d.leader, d.tendered_leader) for d in result.method_differences
    ]
    assert differences == [(90, "B2", "B1"), (80, "B2", "B1"), (70, "B2", "B1")]
    assert all(
        d.pairs_swapped == 1 and d.tendered_method == "lowest_ratio"
        for d in result.method_differences
    )
    linear = [c for c in result.leader_changes if c.price_method == "linear"]
    assert [(c.above, c.below) for c in linear] == [("B1", "B2")]
    assert linear[0].weight == pytest.approx(1000 / 11, abs=1e-9)
    # Each changed lot says from whom to whom: the tender's award gives L1 to B2.
    changes = {(p.price_method, p.quality_weight): p.changes for p in result.points}
    (change,) = changes[("lowest_ratio", 80)]
    assert (change.lot_id, change.before, change.after) == ("L1", ("B2",), ("B1",))
    assert [w for (m, w), c in changes.items() if m == "linear" and c] == [100]


def test_a_zero_quality_weight_is_refused_before_solving() -> None:
    with pytest.raises(InputError, match="quality weight of 0"):
        sensitivity(_two_bidders(), weights=[100, 0], workers=1)


def test_each_weighting_is_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import tender.award
    import tender.sensitivity
    from tender.scoring import score_tender

    calls: list[float] = []

    def counted(tender):  # type: ignore[no-untyped-def]
        calls.append(tender.evaluation.quality_weight)
        return score_tender(tender)

    monkeypatch.setattr(tender.sensitivity, "score_tender", counted)
    monkeypatch.setattr(tender.award, "score_tender", counted)
    result = sensitivity(_two_bidders(), workers=1)
    # 6 weights x 2 methods, the tender's own 60/40 lowest_ratio among them: 12 scorings.
    assert len(result.points) == 12
    assert len(calls) == 12
