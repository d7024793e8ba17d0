"""Scoring: moderated marks, quality and price points, compliance and the ranking in each lot.

Each formula of DESIGN.md "Scoring" is one small function whose docstring states it, so a
report can show the working and a test can check it by hand; :func:`score_tender` puts them
together. Everything here is pure: no I/O, clock or randomness, and the (frozen) input models
are never changed.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeVar

from pydantic import TypeAdapter

from tender.formatting import money
from tender.models import (
    BandPrice,
    Bid,
    Bidder,
    Criterion,
    CriterionMark,
    Divergence,
    Evaluation,
    Lot,
    Moderation,
    PriceRules,
    ScoredBid,
    Scores,
    Tender,
    share_fields_sets,
)

__all__ = [
    "FIXED_RATE_TOLERANCE",
    "RANK_DECIMALS",
    "TOLERANCE",
    "criterion_points",
    "divergence",
    "divergence_flag",
    "gap_to_above",
    "moderated_mark",
    "price_points_linear",
    "price_points_lowest_ratio",
    "quality_pass_points",
    "quality_points",
    "rank_bids",
    "score_tender",
]

#: A mark, quality or rate exactly on a threshold passes: comparisons allow this much float noise.
TOLERANCE = 1e-9

#: Half a penny: a rate typed with two decimals either is the fixed rate or is not.
FIXED_RATE_TOLERANCE = 0.005

#: Totals (and quality, rate) are compared at this many decimals when ranking, so that float
#: noise from adding points in a different order cannot break a tie.
RANK_DECIMALS = 9
_RANK_STEP = 10.0**-RANK_DECIMALS

Flag = Literal["green", "amber", "red"]
Combine = Literal["mean", "median"]


# --- formulas ------------------------------------------------------------------------------


def moderated_mark(
    evaluator_scores: Sequence[float],
    *,
    consensus: float | None = None,
    method: Combine = "mean",
) -> float:
    """The mark a criterion is scored on: the panel's consensus, else the evaluators combined.

    ``mark = consensus`` when moderation.csv has a row, else ``mean(scores)`` (or
    ``median(scores)`` with ``moderation = "median"``).

    Args:
        evaluator_scores: Each evaluator's mark for the criterion.
        consensus: The panel's consensus mark, if one was agreed.
        method: How to combine evaluators when there is no consensus.

    Returns:
        The moderated mark.

    Raises:
        ValueError: If there is neither a consensus nor any evaluator mark.
    """
    if consensus is not None:
        return consensus
    if not evaluator_scores:
        raise ValueError("no consensus and no evaluator marks to combine")
    if method == "median":
        return float(statistics.median(evaluator_scores))
    # fmean adds with math.fsum, which is exactly rounded: the mark cannot depend on row order.
    return statistics.fmean(evaluator_scores)


def criterion_points(mark: float, weight: float, max_score: float) -> float:
    """Quality points for one criterion: ``weight * mark / max_score``.

    Worked as ``weight * (mark / max_score)`` so a full mark gives exactly ``weight``.

    Args:
        mark: The moderated mark.
        weight: The criterion's weight (its share of the quality points).
        max_score: The highest mark the criterion can get.

    Returns:
        The points, between 0 and ``weight`` for a mark between 0 and ``max_score``.
    """
    return weight * (mark / max_score)


def quality_points(points: Iterable[float]) -> float:
    """Quality points of a bid: the sum of its criterion points (``math.fsum``, order-free).

    Args:
        points: The points of each criterion.

    Returns:
        The total quality points.
    """
    return math.fsum(points)


def quality_pass_points(quality_weight: float, quality_pass_mark: float) -> float:
    """The quality points a bid must reach: ``quality_weight * quality_pass_mark / 100``.

    Args:
        quality_weight: The tender's quality weight.
        quality_pass_mark: The pass mark as a percentage of ``quality_weight``.

    Returns:
        The pass mark in quality points.
    """
    return quality_weight * quality_pass_mark / 100


def divergence(evaluator_scores: Sequence[float], max_score: float) -> float:
    """How far evaluators disagreed: ``(max(scores) - min(scores)) / max_score``.

    A single evaluator (or none, for a mark set only by consensus) gives 0.

    Args:
        evaluator_scores: Each evaluator's mark for one bidder's criterion.
        max_score: The criterion's highest mark.

    Returns:
        The spread as a fraction of the mark range.
    """
    if len(evaluator_scores) < 2:
        return 0.0
    return (max(evaluator_scores) - min(evaluator_scores)) / max_score


def divergence_flag(spread: float, *, amber: float, red: float) -> Flag:
    """Traffic light for a spread: green below ``amber``, amber below ``red``, red from there.

    A spread exactly on a threshold takes the higher flag (``0.2`` with ``amber = 0.2`` is
    amber), allowing for float noise in the spread.

    Args:
        spread: The divergence, from :func:`divergence`.
        amber: The tender's ``divergence_amber``.
        red: The tender's ``divergence_red``.

    Returns:
        ``"green"``, ``"amber"`` or ``"red"``.
    """
    if spread < amber - TOLERANCE:
        return "green"
    if spread < red - TOLERANCE:
        return "amber"
    return "red"


def price_points_lowest_ratio(rate: float, lowest_rate: float, price_weight: float) -> float:
    """Price points relative to the cheapest: ``price_weight * lowest_rate / rate``.

    Worked as ``price_weight * (lowest_rate / rate)`` so the cheapest bid gets exactly
    ``price_weight``, never a float's breadth more.

    Args:
        rate: The bid's evaluated rate.
        lowest_rate: The lowest evaluated rate among the lot's compliant bids.
        price_weight: The tender's price weight.

    Returns:
        The price points; ``price_weight`` for the cheapest bid.
    """
    return price_weight * (lowest_rate / rate)


def price_points_linear(
    rate: float, lower_rate: float, upper_rate: float, price_weight: float
) -> float:
    """Price points on a straight line between the rates.

    ``price_weight * (upper_rate - rate) / (upper_rate - lower_rate)``, clipped to
    ``[0, price_weight]``: full points at or below ``lower_rate``, none at or above ``upper_rate``.

    Args:
        rate: The bid's evaluated rate.
        lower_rate: The lot's lower rate.
        upper_rate: The lot's upper rate (above ``lower_rate``).
        price_weight: The tender's price weight.

    Returns:
        The price points.
    """
    points = price_weight * (upper_rate - rate) / (upper_rate - lower_rate)
    return min(max(points, 0.0), price_weight)


def gap_to_above(total_above: float, total: float) -> float:
    """How far a bid is behind the one ranked just above it: ``total_above - total``.

    Totals equal at :data:`RANK_DECIMALS` decimals are a tie and give exactly 0, not noise.

    Args:
        total_above: The total of the bid ranked just above.
        total: This bid's total.

    Returns:
        The gap in points (0 or more).
    """
    # Rounding moves a total by half a step at most, so totals further apart than two steps
    # never round equal: only near-ties need round(), which is slow (it rounds in decimal).
    if abs(total_above - total) > 2 * _RANK_STEP:
        return total_above - total
    if round(total_above, RANK_DECIMALS) == round(total, RANK_DECIMALS):
        return 0.0
    return total_above - total


class _Rankable(Protocol):
    @property
    def bidder_id(self) -> str: ...
    @property
    def total(self) -> float: ...
    @property
    def quality_points(self) -> float: ...
    @property
    def rate(self) -> float: ...
    @property
    def compliant(self) -> bool: ...


_R = TypeVar("_R", bound=_Rankable)


@lru_cache(maxsize=4096, typed=True)
def _rounded(value: float) -> float:
    """``round(value, RANK_DECIMALS)``, remembered for the values that recur.

    A bidder's quality points are the same on most of its lots and rates repeat to the
    penny, while round() to 9 decimals is slow (it rounds in decimal).
    """
    return round(value, RANK_DECIMALS)


def _rank_key(bid: _Rankable) -> tuple[float, float, float, str]:
    return (
        -round(bid.total, RANK_DECIMALS),
        -_rounded(bid.quality_points),
        _rounded(bid.rate),
        bid.bidder_id,
    )


def _ranking(bids: Sequence[_R]) -> list[tuple[_R, int | None, float | None]]:
    """Each bid with its rank and gap to the bid above, in ranking order (see rank_bids)."""
    compliant = sorted((b for b in bids if b.compliant), key=_rank_key)
    others = sorted((b for b in bids if not b.compliant), key=lambda b: b.bidder_id)
    ranked: list[tuple[_R, int | None, float | None]] = []
    for rank, bid in enumerate(compliant, start=1):
        gap = None if rank == 1 else gap_to_above(compliant[rank - 2].total, bid.total)
        ranked.append((bid, rank, gap))
    ranked += ((b, None, None) for b in others)
    return ranked


def rank_bids(bids: Iterable[ScoredBid]) -> tuple[ScoredBid, ...]:
    """Rank one lot's bids and order them best first, non-compliant last.

    Compliant bids are ranked 1..n by total (highest first), then quality points (highest),
    then evaluated rate (lowest), then ``bidder_id``; numbers are compared at
    :data:`RANK_DECIMALS` decimals. Non-compliant bids get no rank and follow by ``bidder_id``.

    Args:
        bids: The scored bids of one lot (any rank and gap they carry are replaced).

    Returns:
        The bids with ``rank`` and ``gap_to_above`` set, in ranking order.
    """
    return tuple(
        bid.model_copy(update={"rank": rank, "gap_to_above": gap})
        for bid, rank, gap in _ranking(tuple(bids))
    )


# --- how a panel reads the numbers ---------------------------------------------------------


def _decimals(value: float, limit: float) -> int:
    """Two decimals, or more when two would show a failing number equal to its limit."""
    for places in range(2, 7):
        if f"{value:.{places}f}" != f"{limit:.{places}f}":
            return places
    return 6


# --- marks ---------------------------------------------------------------------------------

_Key = tuple[str, str, str | None]  # bidder_id, criterion_id, lot_id (None: every lot)


@dataclass(frozen=True)
class _QualityRow:
    """A bidder's marks in a lot (empty if any is ``missing``), quality points and failures."""

    marks: tuple[CriterionMark, ...]
    quality: float
    failures: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass
class _MarkBook:
    """Marks and consensus rows indexed once by (bidder, criterion, lot), results cached.

    A bidder's general marks give the same CriterionMark in every lot it bids on, so each is
    built once and shared (the models are frozen).
    """

    evaluation: Evaluation
    evaluator_marks: dict[_Key, tuple[tuple[str, float], ...]]
    consensus: dict[_Key, Moderation]
    _cache: dict[tuple[_Key, _Key | None], CriterionMark] = field(default_factory=dict)
    _rows: dict[tuple[str, str | None], _QualityRow] = field(default_factory=dict)
    _lot_specific: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lot_specific = {
            (bidder_id, lot_id)
            for bidder_id, _, lot_id in (*self.evaluator_marks, *self.consensus)
            if lot_id is not None
        }

    def quality_row(
        self, bidder_id: str, lot_id: str, criteria: Sequence[Criterion]
    ) -> _QualityRow:
        """A bidder's marks and quality in a lot, shared by every lot without own marks.

        A large tender has hundreds of bids per bidder on the same general marks: working
        them out once per bidder rather than per bid is most of the scoring time saved.
        """
        key = (bidder_id, lot_id if (bidder_id, lot_id) in self._lot_specific else None)
        row = self._rows.get(key)
        if row is None:
            found = tuple(self.criterion_mark(bidder_id, c, lot_id) for c in criteria)
            marks = tuple(m for m in found if m is not None)
            complete = len(marks) == len(found)
            quality = quality_points(m.points for m in marks) if complete else 0.0
            failures: tuple[str, ...] = ()
            if complete and marks:
                failures = tuple(_quality_failures(marks, quality, criteria, self.evaluation))
            missing = tuple(c.id for c, m in zip(criteria, found, strict=True) if m is None)
            row = _QualityRow(marks if complete else (), quality, failures, missing)
            self._rows[key] = row
        return row

    @classmethod
    def of(cls, tender: Tender) -> _MarkBook:
        grouped: dict[_Key, list[tuple[str, float]]] = defaultdict(list)
        for mark in tender.marks:
            grouped[(mark.bidder_id, mark.criterion_id, mark.lot_id)].append(
                (mark.evaluator, mark.score)
            )
        return cls(
            evaluation=tender.evaluation,
            evaluator_marks={key: tuple(sorted(pairs)) for key, pairs in grouped.items()},
            consensus={(m.bidder_id, m.criterion_id, m.lot_id): m for m in tender.moderation},
        )

    def consensus_key(self, bidder_id: str, criterion_id: str, lot_id: str) -> _Key | None:
        """The consensus row that applies in a lot: the lot's own, else the general one.

        The general row moderated the general marks, so it does not override marks that an
        evaluator gave for this lot in particular.
        """
        own: _Key = (bidder_id, criterion_id, lot_id)
        if own in self.consensus:
            return own
        general: _Key = (bidder_id, criterion_id, None)
        if own in self.evaluator_marks or general not in self.consensus:
            return None
        return general

    def criterion_mark(
        self, bidder_id: str, criterion: Criterion, lot_id: str
    ) -> CriterionMark | None:
        """The moderated mark of a bidder's criterion in a lot; ``None`` if it has no marks.

        Precedence: a consensus row for the lot, the evaluators' marks for the lot, a general
        consensus row, the evaluators' general marks.
        """
        marks_key: _Key = (bidder_id, criterion.id, lot_id)
        if marks_key not in self.evaluator_marks:
            marks_key = (bidder_id, criterion.id, None)
        consensus_key = self.consensus_key(bidder_id, criterion.id, lot_id)
        cached = self._cache.get((marks_key, consensus_key))
        if cached is not None:
            return cached
        pairs = self.evaluator_marks.get(marks_key, ())
        row = self.consensus[consensus_key] if consensus_key is not None else None
        if not pairs and row is None:
            return None
        scores = [score for _, score in pairs]
        mark = moderated_mark(
            scores,
            consensus=row.score if row is not None else None,
            method=self.evaluation.moderation,
        )
        spread = divergence(scores, criterion.max_score)
        result = CriterionMark(
            criterion_id=criterion.id,
            mark=mark,
            points=criterion_points(mark, criterion.weight, criterion.max_score),
            evaluator_marks=pairs,
            consensus=row is not None,
            rationale=row.rationale if row is not None else None,
            divergence=spread,
            flag=self.flag(spread),
        )
        self._cache[(marks_key, consensus_key)] = result
        return result

    def flag(self, spread: float) -> Flag:
        """The tender's traffic light for a spread."""
        return divergence_flag(
            spread, amber=self.evaluation.divergence_amber, red=self.evaluation.divergence_red
        )

    def divergences(
        self, criteria: dict[str, Criterion], excluded: set[str]
    ) -> tuple[Divergence, ...]:
        """One divergence per group of evaluator marks, for bidders still in the competition."""
        result = []
        for key in sorted(self.evaluator_marks, key=lambda k: (k[0], k[1], k[2] or "")):
            bidder_id, criterion_id, lot_id = key
            if bidder_id in excluded:
                continue
            pairs = self.evaluator_marks[key]
            spread = divergence([s for _, s in pairs], criteria[criterion_id].max_score)
            # The consensus that replaced exactly these marks (as in scoring).
            consensus_key = key if key in self.consensus else None
            row = self.consensus[consensus_key] if consensus_key is not None else None
            result.append(
                Divergence(
                    bidder_id=bidder_id,
                    criterion_id=criterion_id,
                    lot_id=lot_id,
                    evaluator_marks=pairs,
                    spread=spread,
                    flag=self.flag(spread),
                    consensus=row.score if row is not None else None,
                    rationale=row.rationale if row is not None else None,
                )
            )
        return tuple(result)


# --- compliance ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Assessed:
    """A bid's quality and compliance, before price points (which need the whole lot)."""

    bid: Bid
    rate: float
    marks: tuple[CriterionMark, ...]
    quality: float
    compliant: bool
    abnormally_low: bool
    reasons: tuple[str, ...]


def _quality_failures(
    marks: Sequence[CriterionMark],
    quality: float,
    criteria: Sequence[Criterion],
    evaluation: Evaluation,
) -> list[str]:
    """Each criterion under its minimum, then quality under the pass mark."""
    reasons = []
    for criterion, scored in zip(criteria, marks, strict=True):
        minimum = criterion.min_score
        if minimum is not None and scored.mark < minimum - TOLERANCE:
            shown = f"{scored.mark:.{_decimals(scored.mark, minimum)}f}"
            reasons.append(
                f"{criterion.id} {criterion.name}: mark {shown} is below the minimum {minimum:g}"
            )
    pass_points = quality_pass_points(evaluation.quality_weight, evaluation.quality_pass_mark)
    if evaluation.quality_pass_mark > 0 and quality < pass_points - TOLERANCE:
        places = _decimals(quality, pass_points)
        reasons.append(
            f"quality {quality:.{places}f} is below the pass mark {pass_points:.{places}f} "
            f"({evaluation.quality_pass_mark:g}% of {evaluation.quality_weight:g})"
        )
    return reasons


def _price_findings(
    bid: Bid, rate: float, rates: BandPrice, band: str | None, tender: Tender
) -> tuple[list[str], bool, bool]:
    """Reasons about the rate, whether it fails the bid, and whether it is abnormally low."""
    price = tender.price
    currency = tender.info.currency
    what = "evaluated rate" if bid.stepped else "rate"
    where = f" for band {band}" if band is not None and band in price.bands else ""
    reasons: list[str] = []
    failed = abnormally_low = False

    def shown(limit: float) -> tuple[str, str]:
        places = _decimals(rate, limit)
        return money(rate, currency, places), money(limit, currency, places)

    upper, lower, fixed = rates.upper_rate, rates.lower_rate, rates.fixed_rate
    if upper is not None and rate > upper + TOLERANCE:
        failed = True
        own, limit = shown(upper)
        reasons.append(f"{what} {own} is above the upper rate {limit}{where}")
    if lower is not None and rate < lower - TOLERANCE:
        abnormally_low = True
        own, limit = shown(lower)
        if price.below_lower == "reject":
            failed = True
            reasons.append(
                f"{what} {own} is below the lower rate {limit}{where}: abnormally low and "
                'rejected (below_lower = "reject")'
            )
        else:
            reasons.append(
                f"{what} {own} is below the lower rate {limit}{where}: abnormally low, "
                "the bidder must be asked to explain it"
            )
    if (
        tender.evaluation.price_method == "fixed"
        and fixed is not None
        and abs(rate - fixed) > FIXED_RATE_TOLERANCE + TOLERANCE
    ):
        failed = True
        own, limit = shown(fixed)
        reasons.append(f"{what} {own} differs from the fixed rate {limit}{where}")
    return reasons, failed, abnormally_low


@dataclass
class _RateBook:
    """What :func:`_price_findings` finds for each rate, worked out once per rate and band.

    Rates are typed in pence, so the hundreds of thousands of bids of a large tender share a
    few hundred rates; the findings depend on nothing else of the bid but its kind of tariff.
    """

    tender: Tender
    rates: dict[str | None, BandPrice]
    _found: dict[tuple[bool, float, str | None], tuple[tuple[str, ...], bool, bool]] = field(
        default_factory=dict
    )

    def findings(
        self, bid: Bid, rate: float, band: str | None
    ) -> tuple[tuple[str, ...], bool, bool]:
        """The reasons about ``rate`` in ``band``, and whether it fails or is abnormally low."""
        key = (bid.stepped, rate, band)
        found = self._found.get(key)
        if found is None:
            reasons, failed, low = _price_findings(bid, rate, self.rates[band], band, self.tender)
            found = self._found[key] = (tuple(reasons), failed, low)
        return found


def _assess(
    bid: Bid, bidder: Bidder, lot: Lot, tender: Tender, book: _MarkBook, rate_book: _RateBook
) -> _Assessed:
    """Marks, quality points and every compliance reason of one bid, in the documented order."""
    row = book.quality_row(bid.bidder_id, bid.lot_id, tender.criteria)
    excluded = bidder.status == "excluded"
    reasons: list[str] = []
    failed = False
    if excluded:
        failed = True
        reasons.append(f"bidder excluded: {bidder.status_reason}")
    if row.missing and not excluded:
        # Tender's validator refuses this, so only a tender built around it gets here.
        missing = ", ".join(row.missing)
        raise ValueError(f"bidder {bid.bidder_id!r} has no marks for {missing} in lot {lot.lot_id}")
    marks, quality = row.marks, row.quality
    if row.failures:
        failed = True
        reasons += row.failures
    rate = bid.evaluated_rate(tender.price.reablement_share)
    price_reasons, price_failed, abnormally_low = rate_book.findings(bid, rate, lot.band)
    return _Assessed(
        bid=bid,
        rate=rate,
        marks=marks,
        quality=quality,
        compliant=not (failed or price_failed),
        abnormally_low=abnormally_low,
        reasons=(*reasons, *price_reasons),
    )


# --- the lot and the tender ----------------------------------------------------------------


@dataclass(slots=True)
class _Priced:
    """An assessed bid with its price points: everything ranking needs, before the model.

    Plain fields, not properties over ``assessed``: ranking reads them for every bid.
    """

    assessed: _Assessed
    price_points: float
    bidder_id: str
    rate: float
    quality_points: float
    total: float
    compliant: bool


def _price_lot(
    assessed: Sequence[_Assessed], rates: BandPrice, evaluation: Evaluation
) -> list[_Priced]:
    """Price points among the lot's compliant bids only; the rest get 0."""
    lowest = min((a.rate for a in assessed if a.compliant), default=None)
    priced = []
    for a in assessed:
        points = 0.0
        if a.compliant and lowest is not None and evaluation.price_method == "lowest_ratio":
            points = price_points_lowest_ratio(a.rate, lowest, evaluation.price_weight)
        elif a.compliant and evaluation.price_method == "linear":
            if rates.lower_rate is None or rates.upper_rate is None:
                raise ValueError('price_method = "linear" needs lower_rate and upper_rate')
            points = price_points_linear(
                a.rate, rates.lower_rate, rates.upper_rate, evaluation.price_weight
            )
        priced.append(
            _Priced(
                assessed=a,
                price_points=points,
                bidder_id=a.bid.bidder_id,
                rate=a.rate,
                quality_points=a.quality,
                total=a.quality + points,
                compliant=a.compliant,
            )
        )
    return priced


#: Validates a lot's scored bids in one call: faster than ``model_construct`` (a Python loop
#: over the fields of each of a large tender's hundreds of thousands of bids), and checked.
_SCORED_LOT: TypeAdapter[list[ScoredBid]] = TypeAdapter(list[ScoredBid])


def _scored_lot(priced: Sequence[_Priced]) -> list[dict[str, Any]]:
    """The lot's bids ranked, as the fields of their :class:`ScoredBid` (see _SCORED_LOT)."""
    return [
        {
            "bidder_id": p.bidder_id,
            "lot_id": p.assessed.bid.lot_id,
            "rate": p.rate,
            "marks": p.assessed.marks,
            "quality_points": p.quality_points,
            "price_points": p.price_points,
            "total": p.total,
            "compliant": p.compliant,
            "abnormally_low": p.assessed.abnormally_low,
            "reasons": p.assessed.reasons,
            "rank": rank,
            "gap_to_above": gap,
        }
        for p, rank, gap in _ranking(priced)
    ]


def _band_rates(price: PriceRules, lots: Iterable[Lot]) -> dict[str | None, BandPrice]:
    """Each band's rates worked out once (``for_band`` builds a new model per call)."""
    return {band: price.for_band(band) for band in {lot.band for lot in lots}}


def score_tender(tender: Tender) -> Scores:
    """Score every bid of a tender: marks, quality and price points, compliance and rank.

    Args:
        tender: A validated tender (every bid of an active bidder has a mark per criterion).

    Returns:
        The scored bids ordered by lot (as in lots.csv) then rank, non-compliant bids last in
        their lot, and the divergence of every group of evaluator marks of bidders not
        excluded, sorted by bidder, criterion and lot.

    Raises:
        ValueError: If an active bidder's bid lacks a mark (a tender that bypassed validation).
    """
    book = _MarkBook.of(tender)
    lots = {lot.lot_id: lot for lot in tender.lots}
    bidders = {b.bidder_id: b for b in tender.bidders}
    rates = _band_rates(tender.price, tender.lots)
    rate_book = _RateBook(tender, rates)
    by_lot: dict[str, list[_Assessed]] = {lot_id: [] for lot_id in lots}
    for bid in tender.bids:
        by_lot[bid.lot_id].append(
            _assess(bid, bidders[bid.bidder_id], lots[bid.lot_id], tender, book, rate_book)
        )
    scored: list[ScoredBid] = []
    for lot in tender.lots:
        priced = _price_lot(by_lot[lot.lot_id], rates[lot.band], tender.evaluation)
        lot_bids = _SCORED_LOT.validate_python(_scored_lot(priced))
        share_fields_sets(lot_bids)
        scored += lot_bids
    excluded = {b.bidder_id for b in tender.bidders if b.status == "excluded"}
    return Scores(
        tender_id=tender.info.id,
        bids=tuple(scored),
        divergences=book.divergences({c.id: c for c in tender.criteria}, excluded),
    )
