"""Talking to CBC through PuLP, and what both solvers share: outcomes and versions.

HiGHS is held in memory across solves by :mod:`optimiser.highs`; CBC is a separate program
that PuLP runs on the whole problem each time. For CBC, three things PuLP does not do for
us are done here:

- the status is read from ``sol_status`` (PuLP 3.3 reports ``status`` "Optimal" after a
  time-out that left an incumbent), so a time-limited incumbent is never called optimal;
- a warm start is passed through PuLP's ``warmStart``, so every level after the first
  starts from the award it must match;
- the best bound and the version are read back from CBC's log, which is written to a
  private temporary folder and deleted after reading.

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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import highspy
import pulp

from optimiser.result import SolveStatus

__all__ = [
    "SOLVERS",
    "SolveOutcome",
    "SolverName",
    "create_highs_quietly",
    "demote_within_gap",
    "highs_threads",
    "limit_highs_threads",
    "run_cbc",
    "solver_version",
]

SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[SolverName, ...] = ("highs", "cbc")

_banner_lock = threading.Lock()
_banner_silenced = False
_highs_threads: int | None = None
_highs_made = False


def limit_highs_threads(count: int) -> None:
    """Give every HiGHS solve of this process ``count`` threads; call before the first.

    For processes that solve side by side, as the workers of a sweep do. Left to choose,
    HiGHS gives itself half the cores in each of them, and its idle threads spin while
    they wait: on 2 cores a 100-point sweep of htlah in 2 workers took 31-41 s (60-80 s of
    CPU), with one thread each 21-23 s (40-44 s of CPU); a lone solve is no slower either
    way. HiGHS makes its threads once per process, at the first solve, and then fails
    every solve asking for another number: hence the check.

    Raises:
        ValueError: fewer than one thread.
        RuntimeError: a HiGHS model was already made in this process.
    """
    global _highs_threads
    if count < 1:
        raise ValueError(f"a HiGHS solve needs at least one thread, not {count}")
    if _highs_made and count != _highs_threads:
        raise RuntimeError("HiGHS's threads are set before the process's first solve")
    _highs_threads = count


def highs_threads() -> int | None:
    """The threads :func:`limit_highs_threads` gave HiGHS (``None``: HiGHS's own choice)."""
    return _highs_threads


def create_highs_quietly(create: Any) -> None:
    """Run ``create`` (which makes the first ``Highs`` object) with fd 1 on the null device."""
    global _banner_silenced, _highs_made
    with _banner_lock:
        _highs_made = True
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


@dataclass(frozen=True)
class SolveOutcome:
    """One solve's outcome: mapped status, variable values by name, objective and bound."""

    status: SolveStatus
    values: Mapping[str, float]
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


def run_cbc(
    prob: pulp.LpProblem,
    *,
    time_limit: float,
    mip_gap: float,
    start: dict[str, float] | None = None,
) -> SolveOutcome:
    """Solve ``prob`` once with CBC and map the outcome; solver failures become ``ERROR``.

    Args:
        prob: The problem, objective set, minimising.
        time_limit: Seconds for this solve.
        mip_gap: Relative gap at which the solver may stop (0 for a proof).
        start: A feasible value for every variable, by name, to start from.

    Returns:
        The outcome; ``values`` is empty unless the status :attr:`~SolveStatus.is_ok`.
    """
    try:
        outcome = _run_cbc(prob, time_limit, mip_gap, start)
    except pulp.PulpSolverError as exc:
        return SolveOutcome(SolveStatus.ERROR, {}, None, None, "unknown", str(exc))
    return demote_within_gap(outcome, mip_gap)


def demote_within_gap(outcome: SolveOutcome, mip_gap: float) -> SolveOutcome:
    """An "optimal" solve that was allowed a gap is good enough, but not a proof."""
    if outcome.status is SolveStatus.OPTIMAL and mip_gap > 0:
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
    """The solver's version (CBC's from solving a one-variable problem once per process)."""
    if solver not in _versions:
        if solver == "highs":
            holder: list[highspy.Highs] = []
            create_highs_quietly(lambda: holder.append(highspy.Highs()))
            _versions[solver] = str(holder[0].version())
        else:
            prob = pulp.LpProblem("version", pulp.LpMinimize)
            var = prob.add_variable("z", 0, 1, cat=pulp.LpBinary)
            prob.setObjective(pulp.lpSum([var]))
            prob.addConstraint(var >= 0, "c")
            _versions[solver] = run_cbc(prob, time_limit=10, mip_gap=0).version
    return _versions[solver]
