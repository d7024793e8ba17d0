"""The award service: a loaded tender -> scores -> the optimiser -> an award a panel can read.

Adds to the optimiser's :class:`~optimiser.AwardResult` what a report needs and the optimiser
should not know: lot names, bidder names, hours and costs per appointment, shares and HHI.
When a lot has several providers (a framework), its hours are split evenly between them for
costs and shares: the contract does not say who will take which package, so an even split
is the neutral estimate. The optimiser's capacity and share-cap rows are stricter: they
count a lot's full hours for every provider on it (each may be called on for all of them),
so the totals also give the largest share as the cap counts it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from pydantic import BaseModel, ConfigDict

from optimiser import AwardProblem, AwardResult, build_problem, solve_award
from tender.models import ScoredBid, Scores, Tender
from tender.scoring import score_tender

__all__ = [
    "Appointment",
    "Award",
    "AwardTotals",
    "LotOutcome",
    "make_award",
    "no_compliant_bid_reason",
]

WEEKS_PER_YEAR = 52


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Appointment(_Model):
    """One bidder appointed to one lot, with its share of the lot's hours and cost."""

    lot_id: str
    bidder_id: str
    total: float
    rank: int
    rate: float
    hours_per_week: float
    weekly_cost: float
    annual_cost: float


class LotOutcome(_Model):
    """A lot's result: who was appointed, and the places left vacant with the reason."""

    lot_id: str
    appointments: tuple[Appointment, ...]
    vacant_places: int = 0
    reason: str | None = None
    #: Compliant bidders not appointed, best rank first: the ranked back-up (Leeds's framework
    #: behind its primary providers; the first call if an appointed provider withdraws).
    reserves: tuple[str, ...] = ()


class AwardTotals(_Model):
    """Figures for the panel's summary.

    ``largest_share`` splits a lot's hours evenly between its providers and is measured
    against the share basis (tendered hours, or awarded hours with ``share_basis =
    "awarded"``). ``largest_cap_share`` is the share as the cap counts it, each lot's full
    hours for every provider on it; it is set only when a share cap is.
    """

    lots: int
    lots_covered: int
    lots_vacant: int
    places_vacant: int
    providers: int
    score: float
    annual_cost: float
    budget_per_year: float | None
    largest_share: float
    largest_share_bidder: str | None
    hhi: float
    largest_cap_share: float | None = None
    largest_cap_share_bidder: str | None = None


class Award(_Model):
    """A solved award: the scores it came from, the optimiser's result and readable outcomes."""

    tender: Tender
    scores: Scores
    problem: AwardProblem
    result: AwardResult
    lots: tuple[LotOutcome, ...]
    totals: AwardTotals
    #: The ``alternatives`` asked of the optimiser (``None``: searched up to a size).
    alternatives_requested: bool | None = None

    @property
    def proven(self) -> bool:
        """Whether the solver proved this award optimal."""
        return self.result.status.proven


def make_award(
    tender: Tender,
    *,
    solver: str = "auto",
    time_limit: float = 60,
    mip_gap: float = 0.0,
    scores: Scores | None = None,
    alternatives: bool | None = None,
) -> Award:
    """Score the tender (unless ``scores`` are given) and solve its award.

    ``alternatives`` is passed to :func:`optimiser.solve_award`: sweeps that only compare
    awards skip the search for alternative optima (``False``), saving a solve or more each.

    Raises:
        RuleConflict: vacancies are forbidden and a lot cannot be covered.
        SolverError: the solver ended without an award.
    """
    scores = scores if scores is not None else score_tender(tender)
    problem = build_problem(tender, scores)
    result = solve_award(
        problem,
        solver=solver,  # type: ignore[arg-type]
        time_limit=time_limit,
        mip_gap=mip_gap,
        alternatives=alternatives,
    )
    lots = _outcomes(tender, scores, result)
    return Award(
        tender=tender,
        scores=scores,
        problem=problem,
        result=result,
        lots=lots,
        totals=_totals(tender, lots),
        alternatives_requested=alternatives,
    )


#: How a non-compliant bid's reasons (worded by :mod:`tender.scoring`) are counted: the first
#: matching phrase of each list decides its kind, quality and price counted separately.
_QUALITY_KINDS = (
    ("bidder excluded:", "from an excluded bidder"),
    ("is below the pass mark", "failed the quality pass mark"),
    ("is below the minimum", "below a criterion minimum"),
)
_PRICE_KINDS = (
    ("is above the upper rate", "above the upper rate"),
    ('rejected (below_lower = "reject")', "abnormally low and rejected"),
    ("differs from the fixed rate", "not at the fixed rate"),
)


def no_compliant_bid_reason(bids: tuple[ScoredBid, ...]) -> str:
    """Why a lot has no compliant bid, counting its bids by each kind of failure.

    For example "no compliant bid: of 9 bids, 4 failed the quality pass mark, 5 above the
    upper rate". A bid failing on quality and on price is counted under both.
    """
    if not bids:
        return "no compliant bid: no bids on this lot"
    counts: Counter[str] = Counter()
    for bid in bids:
        for kinds in (_QUALITY_KINDS, _PRICE_KINDS):
            kind = next((k for phrase, k in kinds if any(phrase in r for r in bid.reasons)), None)
            if kind is not None:
                counts[kind] += 1
    order = [k for _, k in (*_QUALITY_KINDS, *_PRICE_KINDS)]
    parts = [f"{counts[k]} {k}" for k in order if counts[k]]
    noun = "bid" if len(bids) == 1 else "bids"
    if not parts:  # a failure this list does not know: the bids' own reasons tell it
        return f"no compliant bid (of {len(bids)} {noun})"
    return f"no compliant bid: of {len(bids)} {noun}, " + ", ".join(parts)


def _outcomes(tender: Tender, scores: Scores, result: AwardResult) -> tuple[LotOutcome, ...]:
    by_key = {(b.lot_id, b.bidder_id): b for b in scores.bids}
    vacancies = {v.lot_id: v for v in result.vacancies}
    outcomes = []
    for lot in tender.lots:
        bidders = result.bidders_for(lot.lot_id)
        hours = lot.hours_per_week / len(bidders) if bidders else 0.0
        appointments = []
        for bidder_id in sorted(bidders, key=lambda b: (by_key[(lot.lot_id, b)].rank or 0, b)):
            bid = by_key[(lot.lot_id, bidder_id)]
            assert bid.rank is not None
            appointments.append(
                Appointment(
                    lot_id=lot.lot_id,
                    bidder_id=bidder_id,
                    total=bid.total,
                    rank=bid.rank,
                    rate=bid.rate,
                    hours_per_week=hours,
                    weekly_cost=hours * bid.rate,
                    annual_cost=hours * bid.rate * WEEKS_PER_YEAR,
                )
            )
        vacancy = vacancies.get(lot.lot_id)
        reason = vacancy.reason if vacancy else None
        lot_bids = scores.for_lot(lot.lot_id)
        if vacancy and not any(b.compliant for b in lot_bids):
            # Certain whatever the solver proved: say why, bid by bid, not just "none".
            reason = no_compliant_bid_reason(lot_bids)
        reserves = tuple(
            b.bidder_id
            for b in scores.for_lot(lot.lot_id)
            if b.compliant and b.bidder_id not in bidders
        )
        outcomes.append(
            LotOutcome(
                lot_id=lot.lot_id,
                appointments=tuple(appointments),
                vacant_places=vacancy.places if vacancy else 0,
                reason=reason,
                reserves=reserves,
            )
        )
    return tuple(outcomes)


def _totals(tender: Tender, lots: tuple[LotOutcome, ...]) -> AwardTotals:
    hours_by_bidder: dict[str, float] = {}
    for outcome in lots:
        for a in outcome.appointments:
            hours_by_bidder[a.bidder_id] = hours_by_bidder.get(a.bidder_id, 0.0) + a.hours_per_week
    awarded = math.fsum(hours_by_bidder.values())
    largest = max(sorted(hours_by_bidder.items()), key=lambda kv: kv[1], default=None)
    hhi = math.fsum((100 * h / awarded) ** 2 for h in hours_by_bidder.values()) if awarded else 0.0
    # The share is measured on the cap's basis: against tendered hours, or awarded ones.
    share_base = awarded if tender.rules.share_basis == "awarded" else tender.total_hours
    lot_hours = {lot.lot_id: lot.hours_per_week for lot in tender.lots}
    cap_share, cap_bidder = _cap_share(tender, lots, lot_hours)
    score_weight = (
        (lambda lot_id: lot_hours[lot_id])
        if tender.rules.objective == "hours_weighted"
        else (lambda lot_id: 1.0)
    )
    return AwardTotals(
        lots=len(lots),
        lots_covered=sum(1 for o in lots if o.appointments),
        lots_vacant=sum(1 for o in lots if not o.appointments),
        places_vacant=sum(o.vacant_places for o in lots),
        providers=len(hours_by_bidder),
        score=math.fsum(a.total * score_weight(a.lot_id) for o in lots for a in o.appointments),
        annual_cost=math.fsum(a.annual_cost for o in lots for a in o.appointments),
        budget_per_year=tender.rules.budget_per_year,
        largest_share=largest[1] / share_base if largest and share_base else 0.0,
        largest_share_bidder=largest[0] if largest else None,
        hhi=hhi,
        largest_cap_share=cap_share,
        largest_cap_share_bidder=cap_bidder,
    )


def _cap_share(
    tender: Tender, lots: tuple[LotOutcome, ...], lot_hours: dict[str, float]
) -> tuple[float | None, str | None]:
    """The largest share as the optimiser's cap counts it: each lot's full hours per provider.

    On the awarded basis the base is the sum of those full hours over every appointment,
    as the model's awarded-hours variable is.
    """
    if tender.rules.max_share_of_hours is None:
        return None, None
    full: dict[str, float] = defaultdict(float)
    for outcome in lots:
        for a in outcome.appointments:
            full[a.bidder_id] += lot_hours[outcome.lot_id]
    if not full:
        return 0.0, None
    base = math.fsum(full.values()) if tender.rules.share_basis == "awarded" else tender.total_hours
    bidder, hours = max(sorted(full.items()), key=lambda kv: kv[1])
    return hours / base, bidder
