"""Tenders built in code for tests: a test states what it is about, defaults fill in the rest.

Defaults: quality 60 / price 40 by ``lowest_ratio``; two criteria (Q1 Safeguarding, Q2
Workforce) splitting the quality weight, each out of 5, no minimum and no pass mark; rates
14.50 to 17.50. Lots and bidders named by a bid or mark are created when not given, and an
active bidder without marks for a criterion gets one evaluator's mark of ``fill_mark`` times
``max_score`` (4 out of 5), so a price test never needs to mention marks.

    make_tender(bids=[("B1", "L1", 15.0), ("B2", "L1", 16.0)])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from tender.models import (
    Bid,
    Bidder,
    Criterion,
    Evaluation,
    Lot,
    Mark,
    Moderation,
    PriceRules,
    Rules,
    Tender,
    TenderInfo,
)

BidLike = Bid | tuple[str, str, float]
MarkLike = Mark | Iterable[Mark]


def make_lot(lot_id: str, *, group: str = "Area A", hours: float = 1000.0, **extra: Any) -> Lot:
    return Lot(lot_id=lot_id, name=f"Lot {lot_id}", group=group, hours_per_week=hours, **extra)


def make_bidder(bidder_id: str, *, excluded: str | None = None, **extra: Any) -> Bidder:
    """A bidder; ``excluded="reason"`` excludes it with that reason."""
    if excluded is not None:
        extra |= {"status": "excluded", "status_reason": excluded}
    return Bidder(bidder_id=bidder_id, name=f"Bidder {bidder_id}", **extra)


def make_bid(
    bidder_id: str,
    lot_id: str,
    rate: float | None = None,
    *,
    reablement: float | None = None,
    maintenance: float | None = None,
) -> Bid:
    return Bid(
        bidder_id=bidder_id,
        lot_id=lot_id,
        rate=rate,
        reablement_rate=reablement,
        maintenance_rate=maintenance,
    )


def make_marks(
    bidder_id: str, criterion_id: str, *scores: float, lot_id: str | None = None
) -> tuple[Mark, ...]:
    """One mark per score, from evaluators E1, E2, ... in order."""
    return tuple(
        Mark(
            bidder_id=bidder_id,
            criterion_id=criterion_id,
            evaluator=f"E{number}",
            score=score,
            lot_id=lot_id,
        )
        for number, score in enumerate(scores, start=1)
    )


def make_consensus(
    bidder_id: str,
    criterion_id: str,
    score: float,
    rationale: str = "Panel consensus.",
    *,
    lot_id: str | None = None,
) -> Moderation:
    return Moderation(
        bidder_id=bidder_id,
        criterion_id=criterion_id,
        score=score,
        rationale=rationale,
        lot_id=lot_id,
    )


def make_criterion(
    criterion_id: str,
    weight: float,
    *,
    max_score: float = 5,
    min_score: float | None = None,
    name: str | None = None,
) -> Criterion:
    return Criterion(
        id=criterion_id,
        name=name or f"Criterion {criterion_id}",
        weight=weight,
        max_score=max_score,
        min_score=min_score,
    )


def make_evaluation(overrides: Mapping[str, Any] | None = None) -> Evaluation:
    """The default evaluation with ``overrides``; one weight given implies the other."""
    values: dict[str, Any] = {"price_method": "lowest_ratio", **(overrides or {})}
    if "quality_weight" in values and "price_weight" not in values:
        values["price_weight"] = 100 - values["quality_weight"]
    elif "price_weight" in values and "quality_weight" not in values:
        values["quality_weight"] = 100 - values["price_weight"]
    elif "quality_weight" not in values:
        fixed = values["price_method"] == "fixed"
        values |= {"quality_weight": 100 if fixed else 60, "price_weight": 0 if fixed else 40}
    return Evaluation(**values)


def _flat_marks(marks: Iterable[MarkLike]) -> tuple[Mark, ...]:
    flat: list[Mark] = []
    for item in marks:
        flat += [item] if isinstance(item, Mark) else list(item)
    return tuple(flat)


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def make_tender(
    *,
    lots: Iterable[Lot | str] | None = None,
    bidders: Iterable[Bidder | str] | None = None,
    bids: Iterable[BidLike] = (),
    marks: Iterable[MarkLike] = (),
    moderation: Iterable[Moderation] = (),
    criteria: Iterable[Criterion] | None = None,
    evaluation: Evaluation | Mapping[str, Any] | None = None,
    price: PriceRules | Mapping[str, Any] | None = None,
    rules: Rules | Mapping[str, Any] | None = None,
    currency: str = "GBP",
    fill_mark: float | None = 0.8,
    tender_id: str = "test",
) -> Tender:
    """A valid Tender from only what a test cares about (see the module docstring).

    ``evaluation``, ``price`` and ``rules`` take a model, or a dict of overrides on the
    defaults. ``fill_mark=None`` turns the filling in of missing marks off.
    """
    if not isinstance(evaluation, Evaluation):
        evaluation = make_evaluation(evaluation)
    if not isinstance(price, PriceRules):
        defaults: dict[str, Any] = {"lower_rate": 14.50, "upper_rate": 17.50}
        if evaluation.price_method == "fixed":
            defaults["fixed_rate"] = 15.50
        price = PriceRules(**(defaults | dict(price or {})))
    if not isinstance(rules, Rules):
        rules = Rules(**dict(rules or {}))
    if criteria is None:
        half = evaluation.quality_weight / 2
        criteria = (
            make_criterion("Q1", half, name="Safeguarding"),
            make_criterion("Q2", half, name="Workforce"),
        )
    criteria = tuple(criteria)
    bids = tuple(b if isinstance(b, Bid) else make_bid(*b) for b in bids)
    marks = _flat_marks(marks)
    moderation = tuple(moderation)
    if lots is None:
        lots = _unique(b.lot_id for b in bids)
    lots = tuple(lot if isinstance(lot, Lot) else make_lot(lot) for lot in lots)
    if bidders is None:
        bidders = _unique([*(b.bidder_id for b in bids), *(m.bidder_id for m in marks)])
    bidders = tuple(b if isinstance(b, Bidder) else make_bidder(b) for b in bidders)
    if fill_mark is not None:
        marks += _filled_marks(bidders, bids, criteria, (*marks, *moderation), fill_mark)
    return Tender(
        info=TenderInfo(
            id=tender_id,
            title="Test tender",
            authority="Test Council",
            currency=currency,
            regime="pa2023",
            award_decision_date=date(2026, 1, 1),
        ),
        evaluation=evaluation,
        criteria=criteria,
        price=price,
        rules=rules,
        lots=lots,
        bidders=bidders,
        bids=bids,
        marks=marks,
        moderation=moderation,
    )


def _filled_marks(
    bidders: tuple[Bidder, ...],
    bids: tuple[Bid, ...],
    criteria: tuple[Criterion, ...],
    given: tuple[Mark | Moderation, ...],
    fill_mark: float,
) -> tuple[Mark, ...]:
    """A general mark for each active bidder's criterion that some lot it bids on lacks."""
    have = {(m.bidder_id, m.criterion_id, m.lot_id) for m in given}
    filled = []
    for bidder in bidders:
        if bidder.status == "excluded":
            continue
        lot_ids = [b.lot_id for b in bids if b.bidder_id == bidder.bidder_id]
        for criterion in criteria:
            general = (bidder.bidder_id, criterion.id, None) in have
            lacking = any(
                (bidder.bidder_id, criterion.id, lot_id) not in have for lot_id in lot_ids
            )
            if not general and lacking:
                filled += make_marks(
                    bidder.bidder_id, criterion.id, fill_mark * criterion.max_score
                )
    return tuple(filled)
