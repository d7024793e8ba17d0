"""The award problem as data: what build_problem keeps, and what AwardProblem refuses."""

from __future__ import annotations

import pytest
from paths import FIXTURES
from pydantic import BaseModel, ValidationError

from optimiser import AwardBidder, AwardLot, AwardProblem, Candidate, build_problem
from tender.load import load_tender
from tender.models import Rules, Tender
from tender.scoring import score_tender


def _lot(lot_id: str) -> AwardLot:
    return AwardLot(lot_id=lot_id, group="G", hours_per_week=100)


def _candidate(bidder_id: str, lot_id: str, rank: int = 1) -> Candidate:
    return Candidate(bidder_id=bidder_id, lot_id=lot_id, score=50, rate=15, rank=rank)


def test_every_reference_problem_is_named_in_order() -> None:
    with pytest.raises(ValidationError) as info:
        AwardProblem(
            lots=(_lot("L1"), _lot("L2"), _lot("L1")),
            bidders=(AwardBidder(bidder_id="B2"), AwardBidder(bidder_id="B2")),
            candidates=(
                _candidate("B2", "L2"),
                _candidate("B2", "L2", 2),
                _candidate("B1", "L1"),
                _candidate("B2", "L9"),
            ),
            fixed=(("L2", "B3"),),
        )
    assert info.value.errors()[0]["ctx"]["error"].args[0] == (
        "duplicate lot L1; duplicate bidder B2; duplicate candidate B2/L2; "
        "candidate B1/L1: unknown bidder; candidate B2/L9: unknown lot; "
        "fixed B3/L2: not a candidate"
    )


def test_a_problem_is_checked_when_built_and_kept_as_it_is_as_a_field() -> None:
    class Holder(BaseModel):
        problem: AwardProblem

    problem = AwardProblem(
        lots=(_lot("L1"),), bidders=(AwardBidder(bidder_id="B1"),), candidates=()
    )
    assert Holder(problem=problem).problem is problem
    assert AwardProblem.model_validate(problem) is problem
    with pytest.raises(ValidationError, match="candidate B1/L2: unknown lot"):
        AwardProblem.model_validate(dict(problem) | {"candidates": (_candidate("B1", "L2"),)})


@pytest.mark.parametrize("name", ["htlah-2016", "hcl-2021", "leeds-2015", "west-leics-2017"])
def test_build_problem_keeps_the_compliant_ranked_bids_of_active_bidders(name: str) -> None:
    tender: Tender = load_tender(FIXTURES / name)
    scores = score_tender(tender)
    problem = build_problem(tender, scores)
    order = [lot.lot_id for lot in tender.lots]
    active = {b.bidder_id for b in tender.bidders if b.status == "active"}
    expected = [
        Candidate(
            bidder_id=bid.bidder_id,
            lot_id=bid.lot_id,
            score=min(max(bid.total, 0.0), 100.0),
            rate=bid.rate,
            rank=bid.rank,
        )
        for lot_id in order
        for bid in scores.for_lot(lot_id)
        if bid.compliant and bid.rank is not None and bid.bidder_id in active
    ]
    assert problem.candidates == tuple(expected)
    assert all(type(c) is Candidate for c in problem.candidates)
    assert [lot.lot_id for lot in problem.lots] == order
    assert problem.rules == tender.rules
    assert isinstance(problem.rules, Rules)
