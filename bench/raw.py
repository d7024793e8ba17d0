"""The raw floor: the award model's score level solved straight by the solvers, no PuLP solve.

The optimiser's :class:`~optimiser.model.AwardModel` rows and its score objective (the
weights in ``model.data.score_weight``, as ``optimiser.solve`` sets the score level) go into
one ``pulp.LpProblem`` (:mod:`optimiser.pulp_model`), written once as MPS. HiGHS then
reads it through ``highspy`` and only ``run()`` is timed; CBC (PuLP's bundled binary) is
run on the same file and the whole subprocess is timed (it includes reading the MPS, a small
part). This is the fastest a single solve of the same matrix can be, so ``tender award``
divided by it is the overhead of everything else: loading, scoring, the model, five
objective levels, checks and outputs.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import highspy
import pulp

from optimiser.model import AwardModel
from optimiser.pulp_model import PulpModel

__all__ = ["RawSolve", "solve_raw_cbc", "solve_raw_highs", "write_score_mps"]


@dataclass(frozen=True)
class RawSolve:
    """One solve of the MPS file.

    Attributes:
        solver: ``highs`` or ``cbc``.
        seconds: Wall time of the solve alone.
        status: The solver's own words (``Optimal``, ``Time limit reached``...).
        proven: Whether the solver proved optimality.
        score: The best score level found (the optimiser's integer units), if any.
        bound: The solver's best bound on it, if reported.
        gap: Relative gap between them, if both are known.
    """

    solver: str
    seconds: float
    status: str
    proven: bool
    score: float | None
    bound: float | None
    gap: float | None

    def as_dict(self) -> dict[str, Any]:
        """The fields, for JSON."""
        return asdict(self)


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


def write_score_mps(model: AwardModel, path: Path) -> Path:
    """Write the model's hard rows with the score level as the objective (minimised, negated).

    Args:
        model: A built award model.
        path: The MPS file to write.

    Returns:
        ``path``.
    """
    copy = PulpModel(model.columns, "award_score")
    copy.add_rows(model.rows)
    copy.set_objective(-model.weighted(model.data.score_weight))
    copy.problem.writeMPS(str(path))
    return path


def solve_raw_highs(path: Path, *, time_limit: float) -> RawSolve:
    """Solve the MPS file with highspy, timing ``run()`` only.

    Args:
        path: An MPS file from :func:`write_score_mps`.
        time_limit: Seconds for the solve.

    Returns:
        The solve's time, status, score and bound.
    """
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.readModel(str(path))
    start = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - start
    info = highs.getInfo()
    status = highs.modelStatusToString(highs.getModelStatus())
    found = info.primal_solution_status == 2
    score = -float(info.objective_function_value) if found else None
    raw_bound = float(info.mip_dual_bound)
    bound = -raw_bound if abs(raw_bound) < float("inf") else None
    return RawSolve(
        solver="highs",
        seconds=seconds,
        status=status,
        proven=status == "Optimal",
        score=score,
        bound=bound,
        gap=_gap(score, bound),
    )


_NUMBER = r"(-?[0-9.eE+-]+)"


def solve_raw_cbc(path: Path, *, time_limit: float) -> RawSolve:
    """Solve the MPS file with PuLP's CBC binary, timing the whole subprocess.

    ``-timeMode elapsed`` makes CBC's limit wall time, as HiGHS's is.

    Args:
        path: An MPS file from :func:`write_score_mps`.
        time_limit: Seconds for the solve.

    Returns:
        The solve's time, status, score and bound.
    """
    command = [
        pulp.PULP_CBC_CMD.pulp_cbc_path,
        str(path),
        "-timeMode",
        "elapsed",
        "-sec",
        f"{time_limit:g}",
        "-ratioGap",
        "0",
        "-solve",
        "-quit",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    text = done.stdout
    result = re.search(r"^Result - (.+)$", text, re.MULTILINE)
    objective = re.search(rf"^Objective value:\s*{_NUMBER}", text, re.MULTILINE)
    bound = re.search(rf"^Lower bound:\s*{_NUMBER}", text, re.MULTILINE)
    status = result.group(1).strip() if result else f"exit {done.returncode}"
    proven = status.startswith("Optimal")
    score = -float(objective.group(1)) if objective else None
    best = -float(bound.group(1)) if bound else (score if proven else None)
    return RawSolve(
        solver="cbc",
        seconds=seconds,
        status=status,
        proven=proven,
        score=score,
        bound=best,
        gap=_gap(score, best),
    )
