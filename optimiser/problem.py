"""The award problem as plain data: what the integer program needs and nothing more.

An :class:`AwardProblem` is built from a scored tender by :func:`build_problem`, or in code by
tests and scenarios. It holds the *effective* numbers: a lot's provider range is its own
override or else the tender's rule, and only compliant bids become candidates. Keeping this
step separate from the model means the optimiser never sees a non-compliant bid, an excluded
bidder or a file.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

from tender.models import ID_PATTERN, Rules, Scores, Tender, share_fields_sets

__all__ = [
    "AwardBidder",
    "AwardLot",
    "AwardProblem",
    "Candidate",
    "build_problem",
]

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class AwardLot(_Model):
    """A lot with its effective provider range (``max_providers = None``: no upper limit)."""

    lot_id: Id
    group: str
    hours_per_week: Annotated[float, Field(gt=0)]
    min_providers: Annotated[int, Field(ge=0)] = 1
    max_providers: Annotated[int, Field(ge=1)] | None = 1

    @model_validator(mode="after")
    def _ordered(self) -> AwardLot:
        if self.max_providers is not None and self.min_providers > self.max_providers:
            raise ValueError(
                f"lot {self.lot_id}: min_providers {self.min_providers} is above "
                f"max_providers {self.max_providers}"
            )
        return self


class AwardBidder(_Model):
    """A bidder's own limits; the tender-wide rules are applied on top of these."""

    bidder_id: Id
    max_lots: Annotated[int, Field(ge=0)] | None = None
    capacity_hours_per_week: Annotated[float, Field(ge=0)] | None = None


class Candidate(_Model):
    """A compliant bid: the only kind the optimiser may award.

    ``score`` is the bid's total (0 to 100), ``rate`` its evaluated hourly rate and ``rank``
    its place in the lot's ranking (1 is best), used by the canonical tie-break.
    """

    bidder_id: Id
    lot_id: Id
    score: Annotated[float, Field(ge=0, le=100)]
    rate: Annotated[float, Field(gt=0)]
    rank: Annotated[int, Field(ge=1)]


class AwardProblem(_Model):
    """Everything the award optimiser decides on.

    ``lots`` are in the tender's order (lots.csv), which the canonical tie-break follows.
    ``total_hours`` is the base of a ``tendered`` share cap; it defaults to the sum of the
    lots' hours but a scenario that drops lots may keep the original tender's total.
    ``fixed`` lists ``(lot_id, bidder_id)`` candidates that every award must include (the
    appointments held when a provider withdraws); they must not break a rule together.
    ``currency`` (the tender's, e.g. "GBP") only words the money in reasons; ``None`` shows
    plain numbers.

    Change a problem by building a new one, not with ``model_copy(update=...)``: that would
    keep the cached lookups (:meth:`candidates_for`) of the old one.
    """

    lots: tuple[AwardLot, ...]
    bidders: tuple[AwardBidder, ...]
    candidates: tuple[Candidate, ...]
    rules: Rules = Field(default_factory=Rules)
    total_hours: Annotated[float, Field(gt=0)] | None = None
    fixed: tuple[tuple[str, str], ...] = ()
    currency: str | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _references(
        cls, data: Any, handler: ModelWrapValidatorHandler[AwardProblem]
    ) -> AwardProblem:
        if isinstance(data, AwardProblem):
            # Checked when it was built; as a field of another model (an Award) it would
            # otherwise be checked again, every candidate.
            return data
        problem = handler(data)
        problems: list[str] = []
        lot_ids = {lot.lot_id for lot in problem.lots}
        bidder_ids = {b.bidder_id for b in problem.bidders}
        keys = {(c.lot_id, c.bidder_id) for c in problem.candidates}
        # The sets tell whether any id is repeated; which ones, only when some are (ids
        # hold no "/", so a repeated key is a repeated "bidder/lot").
        if len(lot_ids) < len(problem.lots):
            problems.append(f"duplicate lot {_repeated(lot.lot_id for lot in problem.lots)}")
        if len(bidder_ids) < len(problem.bidders):
            problems.append(f"duplicate bidder {_repeated(b.bidder_id for b in problem.bidders)}")
        if len(keys) < len(problem.candidates):
            named = (f"{c.bidder_id}/{c.lot_id}" for c in problem.candidates)
            problems.append(f"duplicate candidate {_repeated(named)}")
        for c in problem.candidates:
            if c.lot_id not in lot_ids:
                problems.append(f"candidate {c.bidder_id}/{c.lot_id}: unknown lot")
            if c.bidder_id not in bidder_ids:
                problems.append(f"candidate {c.bidder_id}/{c.lot_id}: unknown bidder")
        for lot_id, bidder_id in problem.fixed:
            if (lot_id, bidder_id) not in keys:
                problems.append(f"fixed {bidder_id}/{lot_id}: not a candidate")
        if problems:
            raise ValueError("; ".join(problems))
        return problem

    @property
    def tendered_hours(self) -> float:
        """The base of a ``tendered`` share cap: ``total_hours`` or the sum of lot hours."""
        if self.total_hours is not None:
            return self.total_hours
        return math.fsum(lot.hours_per_week for lot in self.lots)

    @cached_property
    def _lots_by_id(self) -> dict[str, AwardLot]:
        return {lot.lot_id: lot for lot in self.lots}

    @cached_property
    def _bidders_by_id(self) -> dict[str, AwardBidder]:
        return {b.bidder_id: b for b in self.bidders}

    @cached_property
    def _candidates_by_lot(self) -> dict[str, tuple[Candidate, ...]]:
        found: dict[str, list[Candidate]] = {lot.lot_id: [] for lot in self.lots}
        for c in self.candidates:
            found[c.lot_id].append(c)
        return {
            lot_id: tuple(sorted(bids, key=lambda c: (c.rank, c.bidder_id)))
            for lot_id, bids in found.items()
        }

    def candidates_for(self, lot_id: str) -> tuple[Candidate, ...]:
        """The compliant bids on a lot, best rank first (ties by bidder id)."""
        return self._candidates_by_lot[lot_id]

    def lot(self, lot_id: str) -> AwardLot:
        """The lot with this id."""
        return self._lots_by_id[lot_id]

    def bidder(self, bidder_id: str) -> AwardBidder:
        """The bidder with this id."""
        return self._bidders_by_id[bidder_id]

    def max_lots(self, bidder_id: str) -> int | None:
        """A bidder's lot limit: the tighter of its own ``max_lots`` and the tender's rule."""
        limits = [self.bidder(bidder_id).max_lots, self.rules.max_lots_per_bidder]
        given = [limit for limit in limits if limit is not None]
        return min(given) if given else None


def _repeated(ids: Iterable[str]) -> str:
    """The ids given more than once, sorted and joined."""
    return ", ".join(sorted(k for k, n in Counter(ids).items() if n > 1))


_CANDIDATES: TypeAdapter[list[Candidate]] = TypeAdapter(list[Candidate])
_CANDIDATES_AT_ONCE = 4096


def build_problem(tender: Tender, scores: Scores) -> AwardProblem:
    """The award problem of a scored tender: effective lot ranges and compliant bids only.

    A lot's own ``min_providers``/``max_providers`` override the tender's
    ``providers_per_lot``. Excluded bidders and non-compliant or unranked bids are left
    out: the optimiser must never be able to award them.

    Args:
        tender: The tender as loaded, with its rules.
        scores: The scored bids of that tender.

    Returns:
        The problem, lots in the tender's order and candidates sorted by lot order and rank.
    """
    default = tender.rules.providers_per_lot
    lots = tuple(
        AwardLot(
            lot_id=lot.lot_id,
            group=lot.group,
            hours_per_week=lot.hours_per_week,
            min_providers=lot.min_providers if lot.min_providers is not None else default.min,
            max_providers=lot.max_providers if lot.max_providers is not None else default.max,
        )
        for lot in tender.lots
    )
    active = {b.bidder_id for b in tender.bidders if b.status == "active"}
    bidders = tuple(
        AwardBidder(
            bidder_id=b.bidder_id,
            max_lots=b.max_lots,
            capacity_hours_per_week=b.capacity_hours_per_week,
        )
        for b in sorted(tender.bidders, key=lambda b: b.bidder_id)
        if b.bidder_id in active
    )
    order = {lot.lot_id: index for index, lot in enumerate(tender.lots)}
    awardable = [
        bid
        for bid in scores.bids
        if bid.compliant and bid.rank is not None and bid.bidder_id in active
    ]
    awardable.sort(key=lambda b: (order.get(b.lot_id, len(order)), b.rank or 0, b.bidder_id))
    # Validated a slice at a time, not a model built per candidate (twice as long at 136,000
    # candidates), nor all in one call (a fields set each, all at once, before sharing).
    candidates: list[Candidate] = []
    for start in range(0, len(awardable), _CANDIDATES_AT_ONCE):
        some = _CANDIDATES.validate_python(
            [
                {
                    "bidder_id": bid.bidder_id,
                    "lot_id": bid.lot_id,
                    "score": min(max(bid.total, 0.0), 100.0),
                    "rate": bid.rate,
                    "rank": bid.rank,
                }
                for bid in awardable[start : start + _CANDIDATES_AT_ONCE]
            ]
        )
        share_fields_sets(some)
        candidates += some
    return AwardProblem.model_validate(
        {
            "lots": lots,
            "bidders": bidders,
            "candidates": candidates,
            "rules": tender.rules,
            "total_hours": tender.total_hours,
            "currency": tender.info.currency,
        }
    )
