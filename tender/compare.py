"""Comparing lotting options: the baseline tender and each scenario, solved and measured alike.

Every scenario is applied to the tender first, in this process, so a broken scenario file is
an input error before anything is solved. The solves then run one after another, or in
spawned worker processes when there are many (each solve is independent, and results are
gathered in the scenarios' order, so the output never depends on which worker ran first).
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
]

#: The tender as given, always the first column of a comparison.
BASELINE = Scenario(name="baseline", description="the tender as given", source="tender.toml")

#: Solve in worker processes from this many scenarios (baseline included) on.
PARALLEL_FROM = 6

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
    cannot be met (vacancies forbidden) has ``error`` set and no metrics.
    """

    name: str
    description: str
    lots: int
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
            budget_per_year=tender.rules.budget_per_year,
            status="rule_conflict",
            error=str(exc),
        )
    costs = ()
    if rule_costs:
        costs = explain_award(
            award.problem, award.result, solver=solver, time_limit=time_limit
        ).rule_costs  # type: ignore[arg-type]
    return measure(scenario, award, costs)


def run_jobs(
    function: Callable[..., T],
    jobs: Sequence[tuple[Any, ...]],
    *,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    labels: Sequence[str] | None = None,
) -> list[T]:
    """``function(*job)`` for every job, in order; in spawned processes when there are many.

    ``workers=None`` uses every core from :data:`PARALLEL_FROM` jobs on. Spawned, not forked:
    the solvers' threads must not be copied into a child. Results come back in the jobs'
    order, so the output never depends on which worker finished first.
    """
    if workers is None:
        workers = (os.cpu_count() or 1) if len(jobs) >= PARALLEL_FROM else 1
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
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
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
) -> Comparison:
    """Solve the baseline and every scenario, and measure each against the baseline.

    Args:
        tender: The tender as loaded (the baseline).
        scenarios: The scenarios, in the order to show them.
        solver: "auto", "highs" or "cbc".
        time_limit: Seconds for each award solve.
        rule_costs: Also price each rule in every scenario (one re-solve per rule).
        workers: Worker processes; ``None`` uses every core once there are
            :data:`PARALLEL_FROM` solves or more, ``1`` solves in this process.
        progress: Called with a scenario's name as it finishes.

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
    jobs = [(scenario, changed, solver, time_limit, rule_costs) for scenario, changed in runs]
    results = run_jobs(_solve, jobs, workers=workers, progress=progress, labels=names)
    baseline = results[0]
    return Comparison(
        tender_id=tender.info.id,
        currency=tender.info.currency,
        objective=tender.rules.objective,
        results=(baseline, *(_against(r, baseline) for r in results[1:])),
    )
