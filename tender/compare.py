"""Comparing lotting options: the baseline tender and each scenario, solved and measured alike.

Every scenario is applied to the tender first, in this process, so a broken scenario file is
an input error before anything is solved. The solves then run one after another, or in
spawned worker processes when there are enough to pay for starting them (each solve is
independent, and results are gathered in the scenarios' order, so the output never depends
on which worker ran first).
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from optimiser import RuleCost, explain_award
from optimiser.solvers import limit_highs_threads
from tender.award import Award, make_award
from tender.errors import RuleConflict
from tender.models import Tender
from tender.scenarios import Scenario, apply_scenario

T = TypeVar("T")

__all__ = [
    "BASELINE",
    "COMPARE_COLUMNS",
    "Comparison",
    "ScenarioResult",
    "compare_scenarios",
    "measure",
    "run_jobs",
    "worker_count",
]

#: The tender as given, always the first column of a comparison.
BASELINE = Scenario(name="baseline", description="the tender as given", source="tender.toml")

#: Jobs each worker process must have before a pool pays for itself. A spawned worker takes
#: 1 to 3 s to start (a fresh interpreter importing tender, PuLP and the solvers) and an
#: HTLAH-sized solve about 0.5 to 1.5 s. Measured on a busy 2-core box: 6 comparison solves
#: took 8.8 s serially and 11.6 s in 2 workers, a 100-point sweep (118 solves) 116 s and 72 s.
JOBS_PER_WORKER = 8

#: The columns of compare.csv, in order.
COMPARE_COLUMNS = (
    "scenario",
    "description",
    "lots",
    "lots_covered",
    "places_vacant",
    "appointments",
    "total_score",
    "mean_score",
    "annual_cost",
    "budget_per_year",
    "headroom",
    "providers",
    "largest_share",
    "largest_share_bidder",
    "hhi",
    "sme_share",
    "lots_changed",
    "lots_compared",
    "status",
    "error",
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioResult(_Model):
    """One column of the comparison: a scenario's award in the metrics a commissioner reads.

    ``total_score`` sums the appointed bids' totals and ``mean_score`` is their mean;
    ``sme_share`` is the share of awarded hours held by SMEs (``None`` when bidders.csv does
    not say who is one); ``lots_changed`` counts the lots, among the ``lots_compared`` that
    the scenario and the baseline both have, whose providers differ. A scenario whose rules
    cannot be met (vacancies forbidden) has ``error`` set and no metrics. ``tendered_hours``
    (hours per week over all its lots) turns an hours-weighted score into points per hour.
    """

    name: str
    description: str
    lots: int
    tendered_hours: float | None = None
    lots_covered: int | None = None
    places_vacant: int | None = None
    appointments: int | None = None
    total_score: float | None = None
    mean_score: float | None = None
    annual_cost: float | None = None
    budget_per_year: float | None = None
    headroom: float | None = None
    providers: int | None = None
    largest_share: float | None = None
    largest_share_bidder: str | None = None
    max_share_of_hours: float | None = None
    hhi: float | None = None
    sme_share: float | None = None
    lots_changed: int | None = None
    lots_compared: int | None = None
    status: str
    proven: bool = False
    error: str | None = None
    awarded: dict[str, tuple[str, ...]] = {}
    rule_costs: tuple[RuleCost, ...] = ()

    def points(self, cost: RuleCost, objective: str) -> float | None:
        """What a rule costs in points a commissioner reads.

        With the ``hours_weighted`` objective: points per hour, the optimiser's
        :attr:`~optimiser.RuleCost.points_per_hour` (the change in the score of an average
        tendered hour); with ``score``: points per lot, the change over the number of lots.
        """
        if objective == "hours_weighted":
            return cost.points_per_hour
        return cost.score_gain / self.lots if self.lots else None


class Comparison(_Model):
    """The baseline first, then each scenario in the order given."""

    tender_id: str
    currency: str
    objective: str
    results: tuple[ScenarioResult, ...]

    @property
    def proven(self) -> bool:
        """Whether every award in the comparison was proven optimal."""
        return all(r.proven or r.error for r in self.results)


def measure(
    scenario: Scenario, award: Award, rule_costs: Sequence[RuleCost] = ()
) -> ScenarioResult:
    """A solved scenario's metrics (without the comparison against the baseline)."""
    tender, totals = award.tender, award.totals
    appointments = [a for outcome in award.lots for a in outcome.appointments]
    sme = {b.bidder_id: b.sme for b in tender.bidders}
    awarded_hours = math.fsum(a.hours_per_week for a in appointments)
    sme_share = None
    if any(flag is not None for flag in sme.values()):
        sme_hours = math.fsum(a.hours_per_week for a in appointments if sme[a.bidder_id])
        sme_share = sme_hours / awarded_hours if awarded_hours else 0.0
    total = math.fsum(a.total for a in appointments)
    budget = tender.rules.budget_per_year
    return ScenarioResult(
        name=scenario.name,
        description=scenario.description,
        lots=totals.lots,
        tendered_hours=tender.total_hours,
        lots_covered=totals.lots_covered,
        places_vacant=totals.places_vacant,
        appointments=len(appointments),
        total_score=total,
        mean_score=total / len(appointments) if appointments else None,
        annual_cost=totals.annual_cost,
        budget_per_year=budget,
        headroom=budget - totals.annual_cost if budget is not None else None,
        providers=totals.providers,
        largest_share=totals.largest_share,
        largest_share_bidder=totals.largest_share_bidder,
        max_share_of_hours=tender.rules.max_share_of_hours,
        hhi=totals.hhi,
        sme_share=sme_share,
        status=award.result.status.value,
        proven=award.proven,
        awarded={o.lot_id: tuple(sorted(a.bidder_id for a in o.appointments)) for o in award.lots},
        rule_costs=tuple(rule_costs),
    )


def _solve(
    scenario: Scenario,
    tender: Tender,
    solver: str,
    time_limit: float,
    rule_costs: bool,
) -> ScenarioResult:
    try:
        award = make_award(tender, solver=solver, time_limit=time_limit, alternatives=False)
    except RuleConflict as exc:
        return ScenarioResult(
            name=scenario.name,
            description=scenario.description,
            lots=len(tender.lots),
            tendered_hours=tender.total_hours,
            budget_per_year=tender.rules.budget_per_year,
            status="rule_conflict",
            error=str(exc),
        )
    costs = _rule_costs(award, solver, time_limit) if rule_costs else ()
    return measure(scenario, award, costs)


def _rule_costs(award: Award, solver: str, time_limit: float) -> tuple[RuleCost, ...]:
    return explain_award(
        award.problem,
        award.result,
        solver=solver,  # type: ignore[arg-type]
        time_limit=time_limit,
    ).rule_costs


def worker_count(jobs: int, cpus: int | None = None) -> int:
    """How many worker processes ``jobs`` solves are worth: 1 means solve in this process.

    One worker per :data:`JOBS_PER_WORKER` jobs, at most one per core the process may use:
    on 2 cores a comparison of a few scenarios runs serially, a long sweep in 2 workers.
    """
    if cpus is None:
        affinity = getattr(os, "sched_getaffinity", None)
        cpus = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(1, min(cpus, jobs // JOBS_PER_WORKER))


def run_jobs(
    function: Callable[..., T],
    jobs: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    labels: Sequence[str] | None = None,
) -> list[T]:
    """``function(*job)`` for every job, in order; in spawned processes when there are many.

    ``workers=None`` chooses by :func:`worker_count`. Spawned, not forked: the solvers'
    threads must not be copied into a child, and each child gives HiGHS one thread
    (:func:`optimiser.solvers.limit_highs_threads`). Results come back in the jobs' order,
    so the output never depends on which worker finished first (or whether any was used).
    """
    if workers is None:
        workers = worker_count(len(jobs))
    workers = max(1, min(workers, len(jobs)))
    names = list(labels) if labels is not None else [str(i) for i in range(len(jobs))]
    results: list[T] = []
    if workers == 1:
        for name, job in zip(names, jobs, strict=True):
            results.append(function(*job))
            if progress:
                progress(name)
        return results
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=limit_highs_threads, initargs=(1,)
    )
    with pool:
        futures = [pool.submit(function, *job) for job in jobs]
        for name, future in zip(names, futures, strict=True):
            results.append(future.result())
            if progress:
                progress(name)
    return results


def _against(result: ScenarioResult, baseline: ScenarioResult) -> ScenarioResult:
    if result.error or baseline.error:
        return result
    common = sorted(set(result.awarded) & set(baseline.awarded))
    changed = sum(1 for lot in common if result.awarded[lot] != baseline.awarded[lot])
    return result.model_copy(update={"lots_changed": changed, "lots_compared": len(common)})


def compare_scenarios(
    tender: Tender,
    scenarios: Sequence[Scenario],
    *,
    solver: str = "auto",
    time_limit: float = 60,
    rule_costs: bool = True,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    baseline: Award | None = None,
) -> Comparison:
    """Solve the baseline and every scenario, and measure each against the baseline.

    Args:
        tender: The tender as loaded (the baseline).
        scenarios: The scenarios, in the order to show them.
        solver: "auto", "highs" or "cbc".
        time_limit: Seconds for each award solve.
        rule_costs: Also price each rule in every scenario (one re-solve per rule).
        workers: Worker processes; ``None`` chooses by :func:`worker_count`, ``1`` solves
            in this process.
        progress: Called with a scenario's name as it finishes.
        baseline: The tender's award when the caller has solved it already; it is then
            measured, not solved again (with ``rule_costs``, its rules are priced here).

    Raises:
        InputError: a scenario names a lot, bidder or key the tender does not have.
        SolverError: a solver ended without an award.
    """
    names = [BASELINE.name]
    for scenario in scenarios:
        if scenario.name in names:
            scenario = scenario.model_copy(update={"name": f"{scenario.name} ({len(names)})"})
        names.append(scenario.name)
    runs = [(BASELINE, tender)]
    runs += [
        (s.model_copy(update={"name": n}), apply_scenario(tender, s))
        for s, n in zip(scenarios, names[1:], strict=True)
    ]
    if baseline is not None:
        runs = runs[1:]
    jobs = [(scenario, changed, solver, time_limit, rule_costs) for scenario, changed in runs]
    labels = names[1:] if baseline is not None else names
    results = run_jobs(_solve, jobs, workers=workers, progress=progress, labels=labels)
    if baseline is not None:
        costs = _rule_costs(baseline, solver, time_limit) if rule_costs else ()
        results.insert(0, measure(BASELINE, baseline, costs))
    first = results[0]
    return Comparison(
        tender_id=tender.info.id,
        currency=tender.info.currency,
        objective=tender.rules.objective,
        results=(first, *(_against(r, first) for r in results[1:])),
    )
