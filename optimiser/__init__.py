"""The award integer program: plain data in, an award with its diagnostics out.

Knows nothing of files, click or reports: :func:`build_problem` turns a scored tender into
an :class:`AwardProblem`, :func:`solve_award` solves it with HiGHS or CBC (both give the
same award; ``auto`` picks by :func:`choose_solver`) and returns an :class:`AwardResult`.
"""

from optimiser.explain import Explanation, LotExplanation, RuleCost, explain_award
from optimiser.problem import AwardBidder, AwardLot, AwardProblem, Candidate, build_problem
from optimiser.result import (
    Alternative,
    AwardResult,
    GroupShortfall,
    LevelReport,
    ObjectiveParts,
    SolverInfo,
    SolveStatus,
    Vacancy,
)
from optimiser.solve import choose_solver, solve_award
from optimiser.solvers import SOLVERS

__all__ = [
    "SOLVERS",
    "Alternative",
    "AwardBidder",
    "AwardLot",
    "AwardProblem",
    "AwardResult",
    "Candidate",
    "Explanation",
    "GroupShortfall",
    "LevelReport",
    "LotExplanation",
    "ObjectiveParts",
    "RuleCost",
    "SolveStatus",
    "SolverInfo",
    "Vacancy",
    "build_problem",
    "choose_solver",
    "explain_award",
    "solve_award",
]
