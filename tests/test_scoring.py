"""Scoring formulas and rules, each checked against a number worked out by hand in the test.

Unless a test says otherwise (see tests/builders.py): quality 60 / price 40 by lowest_ratio, Q1
Safeguarding and Q2 Workforce worth 30 each out of 5, rates 14.50 to 17.50, and a bidder
without marks gets 4 out of 5 on each criterion (quality 30 * 4/5 * 2 = 48).
"""

from __future__ import annotations

import random
import time

import pytest
from builders import (
    make_bid,
    make_bidder,
    make_consensus,
    make_criterion,
    make_lot,
    make_marks,
    make_tender,
)

from tender.models import ScoredBid, Scores
from tender.scoring import (
    criterion_points,
    divergence,
    divergence_flag,
    moderated_mark,
    price_points_linear,
    price_points_lowest_ratio,
    rank_bids,
    score_tender,
)


def scored(scores: Scores, lot_id: str, bidder_id: str) -> ScoredBid:
    (bid,) = [b for b in scores.bids if b.lot_id == lot_id and b.bidder_id == bidder_id]
    return bid


def mark_of(bid: ScoredBid, criterion_id: str) -> float:
    (mark,) = [m for m in bid.marks if m.criterion_id == criterion_id]
    return mark.mark


# --- the README's worked example -----------------------------------------------------------


def test_readme_worked_example() -> None:
    tender = make_tender(
        bids=[("B1", "L1", 15.00), ("B2", "L1", 16.00)],
        marks=[
            make_marks("B1", "Q1", 4, 4),
            make_marks("B1", "Q2", 3, 4),
            make_marks("B2", "Q1", 3, 5),
            make_marks("B2", "Q2", 4, 4),
        ],
        moderation=[make_consensus("B2", "Q1", 4, "Training matrix partial.")],
        evaluation={"quality_pass_mark": 50},
    )
    scores = score_tender(tender)
    b1, b2 = scored(scores, "L1", "B1"), scored(scores, "L1", "B2")
    assert b1.quality_points == pytest.approx(30 * 4 / 5 + 30 * 3.5 / 5)  # 45
    assert b1.price_points == pytest.approx(40 * 15.00 / 15.00)
    assert b1.total == pytest.approx(45 + 40)
    assert b2.quality_points == pytest.approx(30 * 4 / 5 + 30 * 4 / 5)  # 48
    assert b2.price_points == pytest.approx(40 * 15.00 / 16.00)  # 37.5
    assert b2.total == pytest.approx(48 + 37.5)
    assert [b.bidder_id for b in scores.for_lot("L1")] == ["B2", "B1"]
    assert (b2.rank, b2.gap_to_above) == (1, None)
    assert b1.rank == 2
    assert b1.gap_to_above == pytest.approx(85.5 - 85)
    assert scores.tender_id == "test"


# --- price methods -------------------------------------------------------------------------


def test_lowest_ratio_price_points() -> None:
    scores = score_tender(
        make_tender(bids=[("B1", "L1", 15.50), ("B2", "L1", 14.00), ("B3", "L1", 17.00)])
    )
    # B2's 14.00 is below the lower rate 14.50: flagged but compliant, so it sets the lowest.
    assert scored(scores, "L1", "B2").price_points == pytest.approx(40)
    assert scored(scores, "L1", "B1").price_points == pytest.approx(40 * 14.00 / 15.50)
    assert scored(scores, "L1", "B3").price_points == pytest.approx(40 * 14.00 / 17.00)
    assert scored(scores, "L1", "B1").total == pytest.approx(48 + 40 * 14.00 / 15.50)


def test_lowest_ratio_is_per_lot() -> None:
    scores = score_tender(
        make_tender(bids=[("B1", "L1", 15.00), ("B2", "L1", 16.00), ("B2", "L2", 16.00)])
    )
    assert scored(scores, "L1", "B2").price_points == pytest.approx(40 * 15 / 16)
    assert scored(scores, "L2", "B2").price_points == pytest.approx(40)


def test_linear_price_points() -> None:
    tender = make_tender(
        evaluation={"price_method": "linear"},
        bids=[("B1", "L1", 15.00), ("B2", "L1", 17.50), ("B3", "L1", 14.50), ("B4", "L1", 14.00)],
    )
    scores = score_tender(tender)
    assert scored(scores, "L1", "B1").price_points == pytest.approx(
        40 * (17.50 - 15.00) / (17.50 - 14.50)
    )
    assert scored(scores, "L1", "B2").price_points == pytest.approx(0)
    assert scored(scores, "L1", "B3").price_points == pytest.approx(40)
    # 40 * (17.50 - 14.00) / 3 = 46.67 is clipped to the price weight.
    assert scored(scores, "L1", "B4").price_points == pytest.approx(40)


def test_linear_price_points_clipped_both_ends() -> None:
    assert price_points_linear(18.00, 14.50, 17.50, 40) == 0
    assert price_points_linear(13.00, 14.50, 17.50, 40) == 40
    assert price_points_linear(16.00, 14.50, 17.50, 40) == pytest.approx(40 * 1.5 / 3)


def test_lowest_ratio_formula() -> None:
    assert price_points_lowest_ratio(16.0, 15.0, 40) == pytest.approx(40 * 15 / 16)


def test_full_points_are_exact() -> None:
    # 60 * rate / rate is 60.00000000000001 for this stepped rate: the cheapest bid must get
    # exactly the price weight, and a full mark exactly the criterion's weight.
    rate = 0.25 * 15.67 + 0.75 * 15.38
    assert price_points_lowest_ratio(rate, rate, 60) == 60
    assert criterion_points(4.7, 23.3, 4.7) == 23.3


def test_fixed_price_method() -> None:
    tender = make_tender(
        evaluation={"price_method": "fixed"},
        price={"fixed_rate": 15.50},
        bids=[("B1", "L1", 15.50), ("B2", "L1", 15.505), ("B3", "L1", 15.51)],
    )
    scores = score_tender(tender)
    b1, b2, b3 = (scored(scores, "L1", b) for b in ("B1", "B2", "B3"))
    # Quality 100 split 50/50 out of 5, marks 4: 50*4/5 * 2 = 80; no price points.
    assert (b1.price_points, b1.total) == (0, pytest.approx(50 * 4 / 5 * 2))
    assert b2.compliant  # half a penny off is the same rate typed
    assert not b3.compliant
    assert b3.reasons == ("rate £15.51 differs from the fixed rate £15.50",)
    assert b3.rank is None


# --- moderation ----------------------------------------------------------------------------


def test_moderation_mean() -> None:
    tender = make_tender(bids=[("B1", "L1", 15.0)], marks=[make_marks("B1", "Q1", 3, 4, 4)])
    bid = scored(score_tender(tender), "L1", "B1")
    assert mark_of(bid, "Q1") == pytest.approx((3 + 4 + 4) / 3)
    assert bid.marks[0].points == pytest.approx(30 * (11 / 3) / 5)
    assert bid.quality_points == pytest.approx(30 * (11 / 3) / 5 + 30 * 4 / 5)


def test_moderation_median() -> None:
    tender = make_tender(
        evaluation={"moderation": "median"},
        bids=[("B1", "L1", 15.0)],
        marks=[make_marks("B1", "Q1", 1, 4, 5), make_marks("B1", "Q2", 2, 3, 4, 4)],
    )
    bid = scored(score_tender(tender), "L1", "B1")
    assert mark_of(bid, "Q1") == 4
    assert mark_of(bid, "Q2") == pytest.approx((3 + 4) / 2)
    assert bid.quality_points == pytest.approx(30 * 4 / 5 + 30 * 3.5 / 5)


def test_consensus_overrides_evaluators_and_keeps_them() -> None:
    tender = make_tender(
        bids=[("B1", "L1", 15.0)],
        marks=[make_marks("B1", "Q1", 5, 2)],
        moderation=[make_consensus("B1", "Q1", 3, "Evidence thin on supervision.")],
    )
    (q1, _) = scored(score_tender(tender), "L1", "B1").marks
    assert q1.mark == 3
    assert q1.points == pytest.approx(30 * 3 / 5)
    assert q1.consensus is True
    assert q1.rationale == "Evidence thin on supervision."
    assert q1.evaluator_marks == (("E1", 5), ("E2", 2))
    assert q1.divergence == pytest.approx((5 - 2) / 5)


def test_evaluator_marks_sorted_by_evaluator() -> None:
    marks = tuple(reversed(make_marks("B1", "Q1", 4, 3)))  # E2's row first
    tender = make_tender(bids=[("B1", "L1", 15.0)], marks=[marks])
    (q1, _) = scored(score_tender(tender), "L1", "B1").marks
    assert q1.evaluator_marks == (("E1", 4), ("E2", 3))
    assert (q1.consensus, q1.rationale) == (False, None)


def test_lot_marks_replace_general_marks_for_that_lot() -> None:
    tender = make_tender(
        bids=[("B1", "L1", 15.0), ("B1", "L2", 15.0)],
        marks=[make_marks("B1", "Q1", 3, 3), make_marks("B1", "Q1", 5, 4, lot_id="L2")],
    )
    scores = score_tender(tender)
    assert mark_of(scored(scores, "L1", "B1"), "Q1") == 3
    assert mark_of(scored(scores, "L2", "B1"), "Q1") == pytest.approx((5 + 4) / 2)
    assert scored(scores, "L2", "B1").marks[0].evaluator_marks == (("E1", 5), ("E2", 4))


def test_consensus_precedence() -> None:
    # L1: lot consensus beats the general one; L2: lot marks beat the general consensus (which
    # moderated the general marks, not this lot's); L3: lot marks beat general marks.
    tender = make_tender(
        bids=[("B1", "L1", 15.0), ("B1", "L2", 15.0), ("B1", "L3", 15.0)],
        marks=[
            make_marks("B1", "Q1", 2, 2),
            make_marks("B1", "Q1", 5, 5, lot_id="L2"),
            make_marks("B1", "Q2", 1, 1),
            make_marks("B1", "Q2", 3, 4, lot_id="L3"),
        ],
        moderation=[make_consensus("B1", "Q1", 3), make_consensus("B1", "Q1", 4, lot_id="L1")],
    )
    scores = score_tender(tender)
    assert mark_of(scored(scores, "L1", "B1"), "Q1") == 4
    assert mark_of(scored(scores, "L2", "B1"), "Q1") == 5
    assert mark_of(scored(scores, "L3", "B1"), "Q1") == 3
    assert mark_of(scored(scores, "L1", "B1"), "Q2") == 1
    assert mark_of(scored(scores, "L3", "B1"), "Q2") == pytest.approx(3.5)


def test_mark_from_consensus_alone() -> None:
    tender = make_tender(
        bids=[("B1", "L1", 15.0)], moderation=[make_consensus("B1", "Q1", 2, "Agreed.")]
    )
    (q1, _) = scored(score_tender(tender), "L1", "B1").marks
    assert (q1.mark, q1.evaluator_marks, q1.divergence, q1.flag) == (2, (), 0, "green")


def test_moderated_mark_needs_something() -> None:
    with pytest.raises(ValueError, match="no consensus"):
        moderated_mark([])


# --- stepped tariffs and bands -------------------------------------------------------------


def test_stepped_tariff_evaluated_rate() -> None:
    tender = make_tender(
        price={"reablement_share": 0.2},
        bids=[make_bid("B1", "L1", reablement=20.00, maintenance=15.00), ("B2", "L1", 15.00)],
    )
    scores = score_tender(tender)
    b1 = scored(scores, "L1", "B1")
    assert b1.rate == pytest.approx(0.2 * 20.00 + 0.8 * 15.00)  # 16.00
    assert b1.price_points == pytest.approx(40 * 15.00 / 16.00)


def test_stepped_tariff_reason_says_evaluated_rate() -> None:
    tender = make_tender(
        price={"reablement_share": 0.2},
        bids=[make_bid("B1", "L1", reablement=25.00, maintenance=16.00)],
    )
    bid = scored(score_tender(tender), "L1", "B1")
    # 0.2 * 25 + 0.8 * 16 = 17.80
    assert bid.reasons == ("evaluated rate £17.80 is above the upper rate £17.50",)


def test_band_rates_apply_to_lots_of_the_band() -> None:
    tender = make_tender(
        lots=[make_lot("L1"), make_lot("L2", band="rural")],
        price={"bands": {"rural": {"upper_rate": 19.00}}},
        bids=[("B1", "L1", 18.00), ("B1", "L2", 18.00), ("B2", "L2", 19.50)],
    )
    scores = score_tender(tender)
    assert not scored(scores, "L1", "B1").compliant
    assert scored(scores, "L1", "B1").reasons == ("rate £18.00 is above the upper rate £17.50",)
    assert scored(scores, "L2", "B1").compliant
    assert scored(scores, "L2", "B2").reasons == (
        "rate £19.50 is above the upper rate £19.00 for band rural",
    )


def test_band_without_own_rates_uses_the_tenders() -> None:
    tender = make_tender(
        lots=[make_lot("L1", band="urban")],
        price={"bands": {"rural": {"upper_rate": 19.00}}},
        bids=[("B1", "L1", 18.00)],
    )
    assert not scored(score_tender(tender), "L1", "B1").compliant


def test_linear_uses_band_rates() -> None:
    tender = make_tender(
        evaluation={"price_method": "linear"},
        lots=[make_lot("L1", band="rural")],
        price={"bands": {"rural": {"lower_rate": 15.00, "upper_rate": 19.00}}},
        bids=[("B1", "L1", 16.00)],
    )
    bid = scored(score_tender(tender), "L1", "B1")
    assert bid.price_points == pytest.approx(40 * (19.00 - 16.00) / (19.00 - 15.00))


# --- compliance ----------------------------------------------------------------------------


def test_criterion_below_min_score_fails() -> None:
    tender = make_tender(
        criteria=[
            make_criterion("Q1", 30, name="Safeguarding"),
            make_criterion("Q2", 30, name="Workforce", min_score=2),
        ],
        bids=[("B1", "L1", 15.0), ("B2", "L1", 16.0)],
        marks=[make_marks("B1", "Q2", 2, 2, 1)],
    )
    scores = score_tender(tender)
    b1 = scored(scores, "L1", "B1")
    assert not b1.compliant
    assert b1.reasons == ("Q2 Workforce: mark 1.67 is below the minimum 2",)
    assert (b1.rank, b1.gap_to_above, b1.price_points) == (None, None, 0)
    assert b1.quality_points == pytest.approx(30 * 4 / 5 + 30 * (5 / 3) / 5)
    assert b1.total == pytest.approx(b1.quality_points)


def test_failing_mark_shown_with_enough_decimals() -> None:
    tender = make_tender(
        criteria=[make_criterion("Q1", 30, min_score=2), make_criterion("Q2", 30)],
        bids=[("B1", "L1", 15.0)],
        marks=[make_marks("B1", "Q1", 2, 2, 1.988)],  # mean 1.996 would show as 2.00
    )
    (reason,) = scored(score_tender(tender), "L1", "B1").reasons
    assert reason == "Q1 Criterion Q1: mark 1.996 is below the minimum 2"


def test_quality_below_pass_mark_fails() -> None:
    tender = make_tender(
        evaluation={"quality_pass_mark": 50},
        bids=[("B1", "L1", 15.0)],
        marks=[make_marks("B1", "Q1", 2, 3), make_marks("B1", "Q2", 2, 2.5)],
    )
    bid = scored(score_tender(tender), "L1", "B1")
    assert bid.quality_points == pytest.approx(30 * 2.5 / 5 + 30 * 2.25 / 5)  # 28.5
    assert not bid.compliant
    assert bid.reasons == ("quality 28.50 is below the pass mark 30.00 (50% of 60)",)


def test_exactly_on_thresholds_passes() -> None:
    tender = make_tender(
        evaluation={"quality_pass_mark": 50},
        criteria=[make_criterion("Q1", 30, min_score=2), make_criterion("Q2", 30)],
        price={"reablement_share": 0.2},
        bids=[
            ("B1", "L1", 17.50),
            ("B2", "L1", 14.50),
            # 0.2 * 17.60 + 0.8 * 17.475 is 17.50 plus float noise.
            make_bid("B3", "L1", reablement=17.60, maintenance=17.475),
        ],
        marks=[
            # Q1 exactly on its minimum 2; quality 30*2/5 + 30*3/5 = 30, the pass mark.
            *(make_marks(b, "Q1", 1.5, 2.5) for b in ("B1", "B2", "B3")),
            *(make_marks(b, "Q2", 3) for b in ("B1", "B2", "B3")),
        ],
    )
    for bid in score_tender(tender).bids:
        assert bid.quality_points == pytest.approx(30)
        assert bid.compliant, bid.reasons
        assert bid.reasons == ()
        assert not bid.abnormally_low


def test_abnormally_low_is_flagged_but_compliant() -> None:
    bid = scored(score_tender(make_tender(bids=[("B1", "L1", 14.00)])), "L1", "B1")
    assert bid.compliant
    assert bid.abnormally_low
    assert bid.rank == 1
    assert bid.reasons == (
        "rate £14.00 is below the lower rate £14.50: abnormally low, "
        "the bidder must be asked to explain it",
    )


def test_abnormally_low_rejected() -> None:
    tender = make_tender(price={"below_lower": "reject"}, bids=[("B1", "L1", 14.00)])
    bid = scored(score_tender(tender), "L1", "B1")
    assert not bid.compliant
    assert bid.abnormally_low
    (reason,) = bid.reasons
    assert "below the lower rate £14.50" in reason
    assert "rejected" in reason


def test_above_upper_rate_is_non_compliant() -> None:
    bid = scored(score_tender(make_tender(bids=[("B1", "L1", 17.60)])), "L1", "B1")
    assert not bid.compliant
    assert not bid.abnormally_low
    assert bid.reasons == ("rate £17.60 is above the upper rate £17.50",)


def test_other_currency_shows_its_code() -> None:
    tender = make_tender(currency="EUR", bids=[("B1", "L1", 17.60)])
    (reason,) = scored(score_tender(tender), "L1", "B1").reasons
    assert reason == "rate 17.60 EUR is above the upper rate 17.50 EUR"


def test_every_reason_reported_in_order() -> None:
    tender = make_tender(
        evaluation={"quality_pass_mark": 50},
        criteria=[
            make_criterion("Q1", 30, name="Safeguarding", min_score=2),
            make_criterion("Q2", 30, name="Workforce"),
        ],
        bids=[("B1", "L1", 18.00)],
        marks=[make_marks("B1", "Q1", 1), make_marks("B1", "Q2", 3)],
    )
    bid = scored(score_tender(tender), "L1", "B1")
    assert not bid.compliant
    # quality 30*1/5 + 30*3/5 = 24 < 30
    assert bid.reasons == (
        "Q1 Safeguarding: mark 1.00 is below the minimum 2",
        "quality 24.00 is below the pass mark 30.00 (50% of 60)",
        "rate £18.00 is above the upper rate £17.50",
    )


def test_excluded_bidder_is_out_of_every_lot() -> None:
    tender = make_tender(
        bidders=[make_bidder("B1", excluded="failed the financial standing check"), "B2"],
        bids=[("B1", "L1", 14.90), ("B1", "L2", 14.90), ("B2", "L1", 16.00), ("B2", "L2", 16.0)],
    )
    scores = score_tender(tender)
    for lot_id in ("L1", "L2"):
        b1 = scored(scores, lot_id, "B1")
        assert not b1.compliant
        assert (b1.rank, b1.quality_points, b1.price_points, b1.marks) == (None, 0, 0, ())
        assert b1.reasons == ("bidder excluded: failed the financial standing check",)
        # B1's lower rate does not count: B2 is the cheapest compliant bid.
        b2 = scored(scores, lot_id, "B2")
        assert (b2.rank, b2.price_points) == (1, pytest.approx(40))
        assert [b.bidder_id for b in scores.for_lot(lot_id)] == ["B2", "B1"]
    assert scores.divergences == tuple(d for d in scores.divergences if d.bidder_id != "B1")


def test_excluded_bidder_with_marks_keeps_its_quality() -> None:
    tender = make_tender(
        bidders=[make_bidder("B1", excluded="conflict of interest")],
        bids=[("B1", "L1", 15.00)],
        marks=[make_marks("B1", "Q1", 5), make_marks("B1", "Q2", 3)],
    )
    bid = scored(score_tender(tender), "L1", "B1")
    assert bid.quality_points == pytest.approx(30 * 5 / 5 + 30 * 3 / 5)
    assert (bid.compliant, bid.price_points) == (False, 0)
    assert bid.reasons == ("bidder excluded: conflict of interest",)


def test_price_points_only_among_compliant_bids() -> None:
    tender = make_tender(
        criteria=[make_criterion("Q1", 30, min_score=3), make_criterion("Q2", 30)],
        bids=[("B1", "L1", 14.60), ("B2", "L1", 15.00), ("B3", "L1", 16.00)],
        marks=[make_marks("B1", "Q1", 2)],
    )
    scores = score_tender(tender)
    assert scored(scores, "L1", "B1").price_points == 0
    assert scored(scores, "L1", "B2").price_points == pytest.approx(40 * 15.00 / 15.00)
    assert scored(scores, "L1", "B3").price_points == pytest.approx(40 * 15.00 / 16.00)


def test_lot_with_no_compliant_bid() -> None:
    scores = score_tender(make_tender(bids=[("B1", "L1", 18.0), ("B2", "L1", 19.0)]))
    assert [(b.bidder_id, b.rank, b.price_points) for b in scores.bids] == [
        ("B1", None, 0),
        ("B2", None, 0),
    ]


# --- ranking -------------------------------------------------------------------------------


def test_total_tie_broken_by_quality() -> None:
    tender = make_tender(
        evaluation={"price_method": "linear"},
        bids=[("B1", "L1", 14.50), ("B2", "L1", 15.40)],
        marks=[make_marks("B1", "Q1", 3), make_marks("B1", "Q2", 3)],  # B2 gets 4s
    )
    scores = score_tender(tender)
    b1, b2 = scored(scores, "L1", "B1"), scored(scores, "L1", "B2")
    # B1: 30*3/5*2 + 40 = 76; B2: 30*4/5*2 + 40*(17.50 - 15.40)/3 = 48 + 28 = 76.
    assert b1.total == pytest.approx(36 + 40)
    assert b2.total == pytest.approx(48 + 40 * (17.50 - 15.40) / 3)
    assert [b.bidder_id for b in scores.for_lot("L1")] == ["B2", "B1"]
    assert b1.gap_to_above == 0  # a tie, not float noise


def test_total_and_quality_tie_broken_by_rate_then_bidder_id() -> None:
    # Fixed prices: totals are quality only (80 each); rates within half a penny all comply.
    tender = make_tender(
        evaluation={"price_method": "fixed"},
        bids=[("B2", "L1", 15.50), ("B3", "L1", 15.496), ("B1", "L1", 15.50)],
    )
    ranked = score_tender(tender).for_lot("L1")
    assert [(b.bidder_id, b.rank) for b in ranked] == [("B3", 1), ("B1", 2), ("B2", 3)]
    assert [b.gap_to_above for b in ranked] == [None, 0, 0]


def test_gap_to_above_and_non_compliant_last() -> None:
    tender = make_tender(
        bids=[("B1", "L1", 15.00), ("B2", "L1", 16.00), ("B3", "L1", 20.0), ("B0", "L1", 19.0)],
        marks=[make_marks("B2", "Q1", 5)],
    )
    ranked = score_tender(tender).for_lot("L1")
    assert [(b.bidder_id, b.rank) for b in ranked] == [
        ("B2", 1),
        ("B1", 2),
        ("B0", None),
        ("B3", None),
    ]
    b2_total = 30 * 5 / 5 + 30 * 4 / 5 + 40 * 15 / 16  # 91.5
    b1_total = 30 * 4 / 5 * 2 + 40 * 15 / 15  # 88
    assert ranked[0].total == pytest.approx(b2_total)
    assert ranked[1].gap_to_above == pytest.approx(b2_total - b1_total)
    assert [b.gap_to_above for b in ranked[2:]] == [None, None]


def test_scores_ordered_by_lot_then_rank() -> None:
    tender = make_tender(
        lots=["L2", "L1"],
        bids=[("B1", "L1", 15.00), ("B2", "L1", 16.00), ("B1", "L2", 17.00), ("B2", "L2", 18.0)],
    )
    order = [(b.lot_id, b.bidder_id, b.rank) for b in score_tender(tender).bids]
    assert order == [("L2", "B1", 1), ("L2", "B2", None), ("L1", "B1", 1), ("L1", "B2", 2)]


def test_rank_bids_sets_rank_and_gap() -> None:
    def bid(bidder_id: str, total: float, compliant: bool = True) -> ScoredBid:
        return ScoredBid(
            bidder_id=bidder_id,
            lot_id="L1",
            rate=15.0,
            marks=(),
            quality_points=total,
            price_points=0,
            total=total,
            compliant=compliant,
        )

    ranked = rank_bids([bid("B1", 70), bid("B2", 80), bid("B0", 90, compliant=False)])
    assert [(b.bidder_id, b.rank, b.gap_to_above) for b in ranked] == [
        ("B2", 1, None),
        ("B1", 2, pytest.approx(80 - 70)),
        ("B0", None, None),
    ]


# --- divergence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "spread", "flag"),
    [
        ((4, 4), 0 / 5, "green"),
        ((3.5, 4), 0.5 / 5, "green"),
        ((3, 4), 1 / 5, "amber"),  # exactly on divergence_amber = 0.2
        ((2, 4), 2 / 5, "amber"),
        ((2, 4.5), 2.5 / 5, "red"),  # exactly on divergence_red = 0.5
        ((1, 3, 5), 4 / 5, "red"),
        ((4,), 0, "green"),
    ],
)
def test_divergence_flags(scores: tuple[float, ...], spread: float, flag: str) -> None:
    assert divergence(scores, 5) == pytest.approx(spread)
    assert divergence_flag(divergence(scores, 5), amber=0.2, red=0.5) == flag
    tender = make_tender(bids=[("B1", "L1", 15.0)], marks=[make_marks("B1", "Q1", *scores)])
    (q1, _) = scored(score_tender(tender), "L1", "B1").marks
    assert (q1.divergence, q1.flag) == (pytest.approx(spread), flag)


def test_divergences_one_per_group_of_marks() -> None:
    tender = make_tender(
        evaluation={"divergence_amber": 0.25, "divergence_red": 0.6},
        bids=[("B1", "L1", 15.0), ("B1", "L2", 15.0), ("B1", "L3", 15.0), ("B2", "L1", 15.0)],
        marks=[
            make_marks("B2", "Q1", 1, 4),
            make_marks("B1", "Q1", 3, 4),
            make_marks("B1", "Q1", 2, 4, lot_id="L3"),
            make_marks("B1", "Q2", 4, 4),
            make_marks("B2", "Q2", 5, 4),
        ],
        moderation=[make_consensus("B1", "Q1", 3, "Agreed at panel.")],
    )
    found = [
        (d.bidder_id, d.criterion_id, d.lot_id, d.spread, d.flag, d.consensus, d.rationale)
        for d in score_tender(tender).divergences
    ]
    assert found == [
        ("B1", "Q1", None, pytest.approx(1 / 5), "green", 3, "Agreed at panel."),
        # The general consensus moderated the general marks: L3's own marks still need one.
        ("B1", "Q1", "L3", pytest.approx(2 / 5), "amber", None, None),
        ("B1", "Q2", None, 0, "green", None, None),
        ("B2", "Q1", None, pytest.approx(3 / 5), "red", None, None),
        ("B2", "Q2", None, pytest.approx(1 / 5), "green", None, None),
    ]


# --- purity and speed ----------------------------------------------------------------------


def test_score_tender_is_pure_and_deterministic() -> None:
    tender = make_tender(bids=[("B1", "L1", 15.0), ("B2", "L1", 16.0)])
    before = tender.model_dump()
    first, second = score_tender(tender), score_tender(tender)
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()
    assert tender.model_dump() == before


def test_htlah_sized_tender_scores_quickly() -> None:
    rng = random.Random(42)
    lots = [make_lot(f"L{n}", group=f"G{n % 7}") for n in range(1, 19)]
    bidders = [f"B{n:02d}" for n in range(1, 31)]
    criteria = [make_criterion(f"Q{n}", 6, min_score=1) for n in range(1, 11)]
    bids = [
        make_bid(b, lot.lot_id, reablement=rng.uniform(15, 20), maintenance=rng.uniform(14, 17))
        for b in bidders
        for lot in rng.sample(lots, 5)
    ]
    marks = [
        make_marks(b, c.id, *(rng.randint(0, 5) for _ in range(10)))
        for b in bidders
        for c in criteria
    ]
    tender = make_tender(
        lots=lots,
        bidders=bidders,
        bids=bids,
        marks=marks,
        criteria=criteria,
        price={"reablement_share": 0.2},
        evaluation={"quality_pass_mark": 40},
    )
    assert (len(tender.bids), len(tender.marks)) == (150, 3000)
    score_tender(tender)  # warm up
    start = time.perf_counter()
    scores = score_tender(tender)
    elapsed = time.perf_counter() - start
    assert len(scores.bids) == 150
    assert len(scores.divergences) == 300
    assert elapsed < 0.25, f"{elapsed:.3f} s"  # typically a few ms; this catches a blow-up
