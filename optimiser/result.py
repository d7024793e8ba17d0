"""What a solve returns: the award, what it could not cover and why, and how sure we are.

Every field is deterministic for a given problem and solver outcome: no solve times, no
clock. A result whose status is not :attr:`SolveStatus.OPTIMAL` carries an award that is
feasible but not proven best, and says so.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Alternative",
    "AwardResult",
    "GroupShortfall",
    "LevelReport",
    "ObjectiveParts",
    "SolveStatus",
    "SolverInfo",
    "Vacancy",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SolveStatus(StrEnum):
    """How a solve ended, mapped from PuLP's ``sol_status`` (never from ``status`` alone).

    PuLP 3.3 sets ``prob.status`` to "Optimal" after a time-out that left an incumbent, for
    HiGHS and CBC alike; ``sol_status`` 2 ("integer feasible") is the only sign of it.
    """

    OPTIMAL = "optimal"
    FEASIBLE_NOT_PROVEN = "feasible_not_proven"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"
    ERROR = "error"

    @property
    def is_ok(self) -> bool:
        """Whether there is an award to show (proven best or not)."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE_NOT_PROVEN)

    @property
    def proven(self) -> bool:
        """Whether the award is proven optimal."""
        return self is SolveStatus.OPTIMAL


class LevelReport(_Model):
    """One level of the lexicographic objective as solved.

    ``value`` is the level's integer objective (see :mod:`optimiser.model` for the scaling)
    of the award carried forward; ``bound`` and ``gap`` are the solver's when it reported
    them (CBC only reports a bound when it stops early).
    """

    level: str
    status: SolveStatus
    value: int | None = None
    bound: float | None = None
    gap: float | None = None


class SolverInfo(_Model):
    """Which solver ran, how it ended and how far from proven the answer is.

    ``objective_value``, ``best_bound`` and ``gap`` are those of the deciding level: the
    first level not proven optimal, else the score level (the one panels care about).
    """

    solver: str
    version: str
    status: SolveStatus
    time_limit: float
    mip_gap: float
    objective_value: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    levels: tuple[LevelReport, ...] = ()


class Vacancy(_Model):
    """Places of a lot left unfilled below its ``min_providers``, with the reason."""

    lot_id: str
    places: int
    reason: str


class GroupShortfall(_Model):
    """A group with fewer distinct providers than ``min_providers_per_group`` asks for."""

    group: str
    providers: int
    required: int
    reason: str


class Alternative(_Model):
    """A lot that other bidders could hold without any loss in vacancies, score or cost.

    ``alternative`` lists every bidder not awarded the lot that holds it in some award
    equal to this one on coverage, score and cost (the tie-break alone chose).
    """

    lot_id: str
    awarded: tuple[str, ...]
    alternative: tuple[str, ...]


class ObjectiveParts(_Model):
    """The award's value on each level, in readable units.

    ``score`` is the sum of score x hours per week (``hours_weighted``) or of scores
    (``score``); ``annual_cost`` is the sum of hours x 52 x rate. Both are exact sums of the
    inputs, not the scaled integers the solver compared.
    """

    vacancies: int
    group_shortfall: int
    score: float
    annual_cost: float


class AwardResult(_Model):
    """An award with its vacancies, objective, solver report and alternative optima.

    ``awarded`` holds ``(lot_id, bidder_id)`` pairs sorted by lot id then bidder id.
    ``alternatives`` is only meaningful when ``alternatives_checked`` is true.
    """

    awarded: tuple[tuple[str, str], ...]
    vacancies: tuple[Vacancy, ...]
    group_shortfalls: tuple[GroupShortfall, ...] = ()
    objective: ObjectiveParts
    solver: SolverInfo
    alternatives: tuple[Alternative, ...] = ()
    alternatives_checked: bool = False

    @property
    def status(self) -> SolveStatus:
        """The solve's status (shortcut for ``solver.status``)."""
        return self.solver.status

    def bidders_for(self, lot_id: str) -> tuple[str, ...]:
        """The bidders awarded this lot, sorted."""
        return tuple(b for lot, b in self.awarded if lot == lot_id)

    def lots_for(self, bidder_id: str) -> tuple[str, ...]:
        """The lots awarded to this bidder, sorted."""
        return tuple(lot for lot, b in self.awarded if b == bidder_id)
