"""The award service: a loaded tender -> scores -> the optimiser -> an award a panel can read.

Adds to the optimiser's :class:`~optimiser.AwardResult` what a report needs and the optimiser
should not know: lot names, bidder names, hours and costs per appointment, shares and HHI.
When a lot has several providers (a framework), its hours are split evenly between them for
costs and shares: the contract does not say who will take which package, so an even split
is the neutral estimate.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from optimiser import AwardProblem, AwardResult, build_problem, solve_award
from tender.models import Scores, Tender
from tender.scoring import score_tender

__all__ = ["Appointment", "Award", "AwardTotals", "LotOutcome", "make_award"]

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
    """Figures for the panel's summary."""

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


class Award(_Model):
    """A solved award: the scores it came from, the optimiser's result and readable outcomes."""

    tender: Tender
    scores: Scores
    problem: AwardProblem
    result: AwardResult
    lots: tuple[LotOutcome, ...]
    totals: AwardTotals

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
    )


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
                reason=vacancy.reason if vacancy else None,
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
    # The share is measured as the cap is: against tendered hours, or awarded ones.
    share_base = awarded if tender.rules.share_basis == "awarded" else tender.total_hours
    lot_hours = {lot.lot_id: lot.hours_per_week for lot in tender.lots}
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
    )
