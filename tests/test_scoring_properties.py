"""Invariants of scoring over generated tenders (hypothesis).

The generated tenders are small (up to 3 lots, 4 bidders, 3 evaluators) but cover every
branch: each price method, mean and median, consensus rows, lot-specific marks, stepped
tariffs, a price band, minimum marks, pass marks, abnormally low bids flagged or rejected,
and excluded bidders with or without marks.
"""

from __future__ import annotations

import random
from typing import Any

from builders import make_bid, make_bidder, make_consensus, make_criterion, make_lot, make_tender
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.models import Bid, Mark, Moderation, Scores, Tender
from tender.scoring import (
    RANK_DECIMALS,
    criterion_points,
    gap_to_above,
    price_points_linear,
    price_points_lowest_ratio,
    score_tender,
)

SETTINGS = settings(max_examples=100, deadline=None)
FIXED_RATE = 15.50
# Pennies from below the lower rate (14.50) to above the upper one (17.50; band 19.00).
RATES = st.integers(min_value=1400, max_value=1800).map(lambda pennies: pennies / 100)


@st.composite
def tenders(draw: st.DrawFn, *, below_lower: str | None = None) -> Tender:
    method = draw(st.sampled_from(["lowest_ratio", "linear", "fixed"]))
    quality_weight = 100 if method == "fixed" else draw(st.sampled_from([40, 60, 80, 100]))
    evaluation: dict[str, Any] = {
        "price_method": method,
        "quality_weight": quality_weight,
        "moderation": draw(st.sampled_from(["mean", "median"])),
        "quality_pass_mark": draw(st.sampled_from([0, 40, 50])),
    }
    criteria = [
        make_criterion(
            "Q1", quality_weight * 0.4, max_score=5, min_score=draw(st.sampled_from([None, 2]))
        ),
        make_criterion("Q2", quality_weight * 0.6, max_score=10),
    ]
    lots = [
        make_lot(f"L{n}", band="rural" if n == 3 else None)
        for n in range(1, draw(st.integers(1, 3)) + 1)
    ]
    price = {
        "below_lower": below_lower or draw(st.sampled_from(["flag", "reject"])),
        "reablement_share": 0.25,
        "bands": {"rural": {"lower_rate": 15.00, "upper_rate": 19.00}},
    }
    if method == "fixed":
        price |= {"lower_rate": None, "upper_rate": None, "fixed_rate": FIXED_RATE}
    bidders, bids, marks, moderation = [], [], [], []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        bidder_id = f"B{number}"
        excluded = draw(st.integers(0, 7)) == 0
        bidders.append(make_bidder(bidder_id, excluded="late submission" if excluded else None))
        lot_ids = [lot.lot_id for lot in lots if draw(st.booleans())]
        bids += [_draw_bid(draw, bidder_id, lot_id, method) for lot_id in lot_ids]
        if excluded and draw(st.booleans()):
            continue  # an excluded bidder's marks may be missing
        for criterion in criteria:
            for lot_id in [None, *(lot_ids[:1] if draw(st.booleans()) else [])]:
                marks += _draw_marks(draw, bidder_id, criterion.id, criterion.max_score, lot_id)
                if draw(st.integers(0, 4)) == 0:
                    score = draw(st.integers(0, int(criterion.max_score)))
                    moderation.append(make_consensus(bidder_id, criterion.id, score, lot_id=lot_id))
    return make_tender(
        lots=lots,
        bidders=bidders,
        bids=bids,
        marks=marks,
        moderation=moderation,
        criteria=criteria,
        evaluation=evaluation,
        price=price,
        fill_mark=None,
    )


def _draw_bid(draw: st.DrawFn, bidder_id: str, lot_id: str, method: str) -> Bid:
    if method == "fixed":
        return make_bid(
            bidder_id, lot_id, draw(st.sampled_from([FIXED_RATE, FIXED_RATE, 15.503, 15.60]))
        )
    if draw(st.booleans()):
        return make_bid(bidder_id, lot_id, reablement=draw(RATES), maintenance=draw(RATES))
    return make_bid(bidder_id, lot_id, draw(RATES))


def _draw_marks(
    draw: st.DrawFn, bidder_id: str, criterion_id: str, max_score: float, lot_id: str | None
) -> list[Mark]:
    # Mostly in the upper part of the scale, so that many bids pass and get ranked.
    halves = st.integers(int(max_score * 0.6), int(2 * max_score)).map(lambda n: n / 2)
    scores = draw(st.lists(halves, min_size=1, max_size=3))
    return [
        Mark(
            bidder_id=bidder_id,
            criterion_id=criterion_id,
            evaluator=f"E{n}",
            score=score,
            lot_id=lot_id,
        )
        for n, score in enumerate(scores, start=1)
    ]


def _by_bid(scores: Scores) -> dict[tuple[str, str], Any]:
    return {(b.lot_id, b.bidder_id): b for b in scores.bids}


@SETTINGS
@given(tenders())
def test_points_stay_within_their_weights(tender: Tender) -> None:
    evaluation = tender.evaluation
    scores = score_tender(tender)
    assert len(scores.bids) == len(tender.bids)
    for bid in scores.bids:
        assert 0 <= bid.price_points <= evaluation.price_weight
        assert 0 <= bid.quality_points <= evaluation.quality_weight + 1e-9
        assert 0 <= bid.total <= 100 + 1e-9
        assert (bid.rank is None) == (not bid.compliant)
        if not bid.compliant:
            assert bid.price_points == 0
            assert bid.reasons
    for lot in tender.lots:
        ranks = [b.rank for b in scores.for_lot(lot.lot_id) if b.rank is not None]
        assert ranks == list(range(1, len(ranks) + 1))
        gaps = [b.gap_to_above for b in scores.for_lot(lot.lot_id) if b.rank not in (None, 1)]
        assert all(gap is not None and gap >= 0 for gap in gaps)


@SETTINGS
@given(tenders(below_lower="flag"), st.data())
def test_raising_a_rate_never_raises_its_price_points(tender: Tender, data: st.DataObject) -> None:
    if not tender.bids:
        return
    index = data.draw(st.integers(0, len(tender.bids) - 1))
    step = data.draw(st.integers(1, 300)) / 100
    bid = tender.bids[index]
    if bid.stepped:
        assert bid.reablement_rate is not None and bid.maintenance_rate is not None
        raised = bid.model_copy(
            update={
                "reablement_rate": bid.reablement_rate + step,
                "maintenance_rate": bid.maintenance_rate + step,
            }
        )
    else:
        assert bid.rate is not None
        raised = bid.model_copy(update={"rate": bid.rate + step})
    bids = (*tender.bids[:index], raised, *tender.bids[index + 1 :])
    key = (bid.lot_id, bid.bidder_id)
    before = _by_bid(score_tender(tender))[key]
    after = _by_bid(score_tender(tender.model_copy(update={"bids": bids})))[key]
    assert after.rate > before.rate
    assert after.price_points <= before.price_points + 1e-9


@SETTINGS
@given(tenders(), st.data())
def test_raising_a_mark_never_lowers_quality_points(tender: Tender, data: st.DataObject) -> None:
    if not tender.marks:
        return
    index = data.draw(st.integers(0, len(tender.marks) - 1))
    mark = tender.marks[index]
    max_score = next(c.max_score for c in tender.criteria if c.id == mark.criterion_id)
    if mark.score >= max_score:
        return
    new_score = data.draw(st.integers(int(mark.score * 2) + 1, int(max_score * 2))) / 2
    marks = (
        *tender.marks[:index],
        mark.model_copy(update={"score": new_score}),
        *tender.marks[index + 1 :],
    )
    before = _by_bid(score_tender(tender))
    after = _by_bid(score_tender(tender.model_copy(update={"marks": marks})))
    for key, scored in before.items():
        if key[1] == mark.bidder_id:
            assert after[key].quality_points >= scored.quality_points - 1e-9
        else:
            assert after[key].quality_points == scored.quality_points


def _shuffled(rows: tuple[Any, ...], rng: random.Random) -> tuple[Any, ...]:
    shuffled = list(rows)
    rng.shuffle(shuffled)
    return tuple(shuffled)


@SETTINGS
@given(tenders(), st.randoms(use_true_random=False))
def test_ranking_ignores_row_order(tender: Tender, rng: random.Random) -> None:
    shuffled = tender.model_copy(
        update={
            name: _shuffled(getattr(tender, name), rng)
            for name in ("lots", "bidders", "bids", "marks", "moderation")
        }
    )
    scores, again = score_tender(tender), score_tender(shuffled)
    # Every number, reason and rank is identical; only the order of lots may differ.
    for lot in tender.lots:
        assert scores.for_lot(lot.lot_id) == again.for_lot(lot.lot_id)
    assert {(b.lot_id, b.bidder_id, b.rank) for b in scores.bids} == {
        (b.lot_id, b.bidder_id, b.rank) for b in again.bids
    }
    assert scores.divergences == again.divergences


@SETTINGS
@given(tenders())
def test_consensus_rows_replace_the_evaluators(tender: Tender) -> None:
    consensus: dict[tuple[str, str, str | None], Moderation] = {
        (m.bidder_id, m.criterion_id, m.lot_id): m for m in tender.moderation
    }
    lot_marks = {(m.bidder_id, m.criterion_id, m.lot_id) for m in tender.marks if m.lot_id}
    for bid in score_tender(tender).bids:
        for mark in bid.marks:
            key = (bid.bidder_id, mark.criterion_id, bid.lot_id)
            # A general consensus moderated the general marks; lot marks stand on their own.
            row = consensus.get(key) or (
                None
                if key in lot_marks
                else consensus.get((bid.bidder_id, mark.criterion_id, None))
            )
            assert mark.consensus == (row is not None)
            if row is not None:
                assert mark.mark == row.score
            else:
                scores = [s for _, s in mark.evaluator_marks]
                assert min(scores) <= mark.mark <= max(scores)


POSITIVE = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
WEIGHT = st.floats(min_value=0, max_value=100, allow_nan=False)


@SETTINGS
@given(POSITIVE, POSITIVE, WEIGHT)
def test_price_formulas_stay_within_the_price_weight(a: float, b: float, weight: float) -> None:
    lowest, rate = min(a, b), max(a, b)
    assert 0 <= price_points_lowest_ratio(rate, lowest, weight) <= weight
    if lowest < rate:
        assert 0 <= price_points_linear(a, lowest, rate, weight) <= weight
        assert 0 <= price_points_linear(b * 2, lowest, rate, weight) <= weight


@SETTINGS
@given(POSITIVE, POSITIVE, WEIGHT)
def test_criterion_points_stay_within_the_weight(a: float, b: float, weight: float) -> None:
    mark, max_score = min(a, b), max(a, b)
    assert 0 <= criterion_points(mark, weight, max_score) <= weight


TOTAL = st.floats(min_value=0, max_value=100, allow_nan=False)
NUDGE = st.sampled_from([0.0, 1e-12, 4e-10, 5e-10, 1e-9, 1.5e-9, 2e-9, 2.5e-9, 1e-8, 0.25])


@SETTINGS
@given(TOTAL, NUDGE, st.booleans())
def test_gap_to_above_is_its_formula_near_ties_too(total: float, nudge: float, up: bool) -> None:
    above = total + nudge if up else total - nudge
    tie = round(above, RANK_DECIMALS) == round(total, RANK_DECIMALS)
    assert gap_to_above(above, total) == (0.0 if tie else above - total)
