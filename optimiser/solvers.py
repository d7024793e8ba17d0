"""Talking to HiGHS and CBC through PuLP: one solve in, one mapped outcome out.

Three things PuLP does not do for us are done here:

- the status is read from ``sol_status`` (PuLP 3.3 reports ``status`` "Optimal" after a
  time-out that left an incumbent), and for HiGHS checked against the primal solution
  status, so a time-limited incumbent is never called optimal;
- a warm start is passed to both solvers (CBC through PuLP's ``warmStart``, HiGHS through
  ``setSolution``), so every level after the first starts from the award it must match;
- the best bound and the solver version are read back (HiGHS from its info, CBC from its
  log, which is written to a private temporary folder and deleted after reading).

HiGHS prints a banner to the process's standard output the first time one is created in a
process, whatever the options; it is sent to the null device, because a ``--json`` run
must print nothing but JSON.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pulp

from optimiser.result import SolveStatus

__all__ = ["SOLVERS", "SolveOutcome", "SolverName", "run_solver", "solver_version"]

SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[SolverName, ...] = ("highs", "cbc")

_banner_lock = threading.Lock()
_banner_silenced = False


def _create_highs_quietly(create: Any) -> None:
    """Run ``create`` (which makes the first ``Highs`` object) with fd 1 on the null device."""
    global _banner_silenced
    with _banner_lock:
        if _banner_silenced:
            create()
            return
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            create()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
            _banner_silenced = True


class _HiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS with a quiet first start and an optional warm start."""

    def __init__(self, *, start: dict[str, float] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._start = start

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        _create_highs_quietly(lambda: super(_HiGHS, self).createAndConfigureSolver(lp))

    def callSolver(self, lp: pulp.LpProblem) -> None:
        if self._start is not None:
            columns = lp.variables()
            index = [var.index for var in columns]
            values = [float(self._start.get(var.name, 0.0)) for var in columns]
            lp.solverModel.setSolution(len(index), index, values)
        lp.solverModel.run()


@dataclass(frozen=True)
class SolveOutcome:
    """One solve's outcome: mapped status, variable values by name, objective and bound."""

    status: SolveStatus
    values: dict[str, float]
    objective: float | None
    bound: float | None
    version: str
    message: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap ``|objective - bound| / max(1, |objective|)`` when both are known."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


def map_status(status: int, sol_status: int) -> SolveStatus:
    """Map PuLP's ``(status, sol_status)`` pair to a :class:`SolveStatus`.

    ``sol_status`` decides: 1 optimal, 2 feasible but not proven (a time-out with an
    incumbent, whatever ``status`` says), -1 infeasible, -2 unbounded; with no solution
    ``status`` tells infeasible, unbounded or undefined (an error) from "stopped".
    """
    by_solution = {
        pulp.LpSolutionOptimal: SolveStatus.OPTIMAL,
        pulp.LpSolutionIntegerFeasible: SolveStatus.FEASIBLE_NOT_PROVEN,
        pulp.LpSolutionInfeasible: SolveStatus.INFEASIBLE,
        pulp.LpSolutionUnbounded: SolveStatus.UNBOUNDED,
    }
    if sol_status in by_solution:
        return by_solution[sol_status]
    by_status = {
        pulp.LpStatusInfeasible: SolveStatus.INFEASIBLE,
        pulp.LpStatusUnbounded: SolveStatus.UNBOUNDED,
        pulp.LpStatusUndefined: SolveStatus.ERROR,
    }
    return by_status.get(status, SolveStatus.NO_SOLUTION)


def _values(prob: pulp.LpProblem) -> dict[str, float]:
    return {var.name: float(var.varValue or 0.0) for var in prob.variables()}


def _run_highs(
    prob: pulp.LpProblem, time_limit: float, mip_gap: float, start: dict[str, float] | None
) -> SolveOutcome:
    solver = _HiGHS(msg=False, timeLimit=time_limit, gapRel=mip_gap, start=start)
    prob.solve(solver)
    status = map_status(prob.status, prob.sol_status)
    highs = prob.solverModel
    info = highs.getInfo()
    version = str(highs.version())
    # A HiGHS time-out without an incumbent can still look feasible to PuLP; 2 = feasible.
    if status is SolveStatus.FEASIBLE_NOT_PROVEN and info.primal_solution_status != 2:
        status = SolveStatus.NO_SOLUTION
    if not status.is_ok:
        return SolveOutcome(status, {}, None, None, version, str(highs.getModelStatus()))
    bound = float(info.mip_dual_bound)
    return SolveOutcome(
        status,
        _values(prob),
        float(info.objective_function_value),
        bound if abs(bound) < float("inf") else None,
        version,
    )


_CBC_NUMBER = r"(-?[0-9.eE+-]+)"


def _read_cbc_log(text: str) -> tuple[str, float | None, float | None]:
    version = re.search(r"^Version:\s*(\S+)", text, re.MULTILINE)
    objective = re.search(rf"^Objective value:\s*{_CBC_NUMBER}", text, re.MULTILINE)
    bound = re.search(rf"^Lower bound:\s*{_CBC_NUMBER}", text, re.MULTILINE)
    return (
        version.group(1) if version else "unknown",
        float(objective.group(1)) if objective else None,
        float(bound.group(1)) if bound else None,
    )


def _run_cbc(
    prob: pulp.LpProblem, time_limit: float, mip_gap: float, start: dict[str, float] | None
) -> SolveOutcome:
    if start is not None:
        for var in prob.variables():
            var.setInitialValue(start.get(var.name, 0.0), check=False)
    with tempfile.TemporaryDirectory(prefix="tender-cbc-") as folder:
        log = Path(folder) / "cbc.log"
        # COIN_CMD on PuLP's bundled binary: same program as PULP_CBC_CMD, which warns
        # that it is deprecated (and tests turn warnings into errors).
        solver = pulp.COIN_CMD(
            path=pulp.PULP_CBC_CMD.pulp_cbc_path,
            msg=False,
            timeLimit=time_limit,
            gapRel=mip_gap,
            warmStart=start is not None,
            logPath=str(log),
        )
        prob.solve(solver)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    version, objective, bound = _read_cbc_log(text)
    status = map_status(prob.status, prob.sol_status)
    if not status.is_ok:
        return SolveOutcome(status, {}, None, None, version, text[-500:])
    if status is SolveStatus.OPTIMAL and bound is None and mip_gap == 0:
        bound = objective
    return SolveOutcome(status, _values(prob), objective, bound, version)


def run_solver(
    prob: pulp.LpProblem,
    *,
    solver: SolverName,
    time_limit: float,
    mip_gap: float,
    start: dict[str, float] | None = None,
) -> SolveOutcome:
    """Solve ``prob`` once and map the outcome; solver failures become ``ERROR``.

    Args:
        prob: The problem, objective set, minimising.
        solver: "highs" or "cbc".
        time_limit: Seconds for this solve.
        mip_gap: Relative gap at which the solver may stop (0 for a proof).
        start: A feasible value for every variable, by name, to start from.

    Returns:
        The outcome; ``values`` is empty unless the status :attr:`~SolveStatus.is_ok`.
    """
    run = _run_highs if solver == "highs" else _run_cbc
    try:
        outcome = run(prob, time_limit, mip_gap, start)
    except pulp.PulpSolverError as exc:
        return SolveOutcome(SolveStatus.ERROR, {}, None, None, "unknown", str(exc))
    if outcome.status is SolveStatus.OPTIMAL and mip_gap > 0:
        # Stopped within the requested gap: good enough, but not a proof.
        if outcome.gap is None or outcome.gap > 1e-9:
            return SolveOutcome(
                SolveStatus.FEASIBLE_NOT_PROVEN,
                outcome.values,
                outcome.objective,
                outcome.bound,
                outcome.version,
            )
    return outcome


_versions: dict[str, str] = {}


def solver_version(solver: SolverName) -> str:
    """The solver's version, found by solving a one-variable problem once per process."""
    if solver not in _versions:
        prob = pulp.LpProblem("version", pulp.LpMinimize)
        var = prob.add_variable("z", 0, 1, cat=pulp.LpBinary)
        prob.setObjective(pulp.lpSum([var]))
        prob.addConstraint(var >= 0, "c")
        _versions[solver] = run_solver(prob, solver=solver, time_limit=10, mip_gap=0).version
    return _versions[solver]
