"""How much the award depends on the weighting, the price method and each winner's score.

Three questions a panel is asked after an award:

- *Weighting*: at which quality/price split would a lot's ranking change? A bid's total is
  ``quality_weight / Q0 * quality + price_weight / P0 * price`` for the tender's weights
  ``Q0``/``P0``, which is linear in the quality weight (the price weight being ``100 - w``).
  So between two swept weights where two bidders swap places, they are level at exactly
  the weight found by linear interpolation, which is reported, not just the step.
- *Price method*: the same sweep under each price method the tender's rates allow, and at
  each weighting the lots whose ranking another method orders differently from the
  tender's own.
- *Stability*: how far could a winner's total fall before its lot would go elsewhere?
  The award maximises the (hours-weighted) sum of scores, so the margin is the loss of the
  best award without that appointment, divided by the lot's weight in that sum; re-solving
  once per appointment gives it exactly. An appointment no one else can take without a
  vacancy has no margin: coverage comes first, whatever the score.

Each weighting is applied and scored once, in the job that awards it (so inside the
progress bar and the worker processes); its award is solved from those scores and its
rankings come back for the comparisons, which need no scoring of their own. The tender's
own weighting is the award already made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import combinations, pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict

from optimiser import AwardProblem, solve_award
from tender.award import Award, make_award
from tender.compare import run_jobs
from tender.errors import InputError
from tender.models import Scores, Tender
from tender.scenarios import Scenario, apply_scenario
from tender.scoring import score_tender

__all__ = [
    "DEFAULT_WEIGHTS",
    "AwardChange",
    "LeaderChange",
    "Margin",
    "MethodDifference",
    "Reversal",
    "Sensitivity",
    "SweepPoint",
    "price_methods",
    "sensitivity",
    "weight_range",
]

#: Quality weights swept by default: 100/0 down to 50/50 in steps of 10.
DEFAULT_WEIGHTS = (100.0, 90.0, 80.0, 70.0, 60.0, 50.0)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reversal(_Model):
    """Two bidders swap places in a lot's ranking at quality weight ``weight``.

    ``ahead_above`` leads the pair at higher quality weights, ``ahead_below`` at lower ones.
    """

    price_method: str
    lot_id: str
    ahead_above: str
    ahead_below: str
    weight: float


class LeaderChange(_Model):
    """The top-ranked bid in a lot changes between two swept weights."""

    price_method: str
    lot_id: str
    above: str
    below: str
    weight: float


class AwardChange(_Model):
    """A lot awarded differently at a sweep point: who holds it in the tender's award, who here."""

    lot_id: str
    before: tuple[str, ...]
    after: tuple[str, ...]


class SweepPoint(_Model):
    """The award at one weighting and price method, and the lots it gives differently."""

    price_method: str
    quality_weight: float
    awarded: dict[str, tuple[str, ...]]
    lots_changed: tuple[str, ...]
    status: str
    proven: bool
    changes: tuple[AwardChange, ...] = ()


class MethodDifference(_Model):
    """At one weighting, a lot ranked differently under a price method than under the tender's.

    ``leader`` leads the lot under ``price_method``, ``tendered_leader`` under the tender's
    own ``tendered_method`` at the same weight; ``pairs_swapped`` counts the pairs of bids
    the two methods put in opposite order.
    """

    quality_weight: float
    lot_id: str
    price_method: str
    leader: str | None
    tendered_method: str
    tendered_leader: str | None
    pairs_swapped: int


class Margin(_Model):
    """How far an appointed bid's total could fall before its lot would go elsewhere.

    ``margin`` is in score points (``None``: no one else could take the lot without a
    vacancy); ``goes_to`` is who would hold the lot in the best award without this one.
    """

    lot_id: str
    bidder_id: str
    total: float
    margin: float | None
    goes_to: tuple[str, ...]


class Sensitivity(_Model):
    """The sweep's results, the tender's own weighting first among the weights."""

    quality_weight: float
    price_method: str
    weights: tuple[float, ...]
    methods: tuple[str, ...]
    points: tuple[SweepPoint, ...]
    reversals: tuple[Reversal, ...]
    leader_changes: tuple[LeaderChange, ...]
    method_differences: tuple[MethodDifference, ...]
    margins: tuple[Margin, ...]
    proven: bool


def weight_range(start: float, stop: float, step: float) -> tuple[float, ...]:
    """Quality weights from ``start`` to ``stop`` in ``step`` (either direction), inclusive.

    Raises:
        InputError: a weight outside 0 to 100 or a step that is not positive.
    """
    if step <= 0 or not all(0 <= w <= 100 for w in (start, stop)):
        raise InputError(
            "weights must lie between 0 and 100 and the step must be positive",
            file="--weights",
        )
    count = math.floor(abs(stop - start) / step + 1e-9)
    sign = 1 if stop >= start else -1
    return tuple(round(start + sign * i * step, 9) for i in range(count + 1))


def price_methods(tender: Tender) -> tuple[str, ...]:
    """The price methods the tender's rates allow, its own first.

    ``linear`` needs a lower and upper rate for every lot; ``fixed`` is only meaningful for
    a tender that fixes its price (under it, any other rate is non-compliant).
    """
    methods = [tender.evaluation.price_method]
    rated = all(
        (rates := tender.price.for_band(lot.band)).lower_rate is not None
        and rates.upper_rate is not None
        for lot in tender.lots
    )
    for method in ("lowest_ratio", "linear"):
        if method not in methods and (method != "linear" or rated):
            methods.append(method)
    return tuple(methods)


def _variant(tender: Tender, weight: float, method: str) -> Tender:
    return apply_scenario(
        tender,
        Scenario(
            name=f"{method} {weight:g}/{100 - weight:g}",
            source="--weights",
            evaluation={"quality_weight": weight, "price_method": method},
        ),
    )


class _Ranking(_Model):
    """A weighting's rankings, as the comparisons need them: per lot, each compliant bid."""

    totals: dict[str, dict[str, float]]
    ranks: dict[str, dict[str, int]]

    @classmethod
    def of(cls, scores: Scores) -> _Ranking:
        totals: dict[str, dict[str, float]] = {}
        ranks: dict[str, dict[str, int]] = {}
        for bid in scores.bids:
            if bid.compliant and bid.rank is not None:
                totals.setdefault(bid.lot_id, {})[bid.bidder_id] = bid.total
                ranks.setdefault(bid.lot_id, {})[bid.bidder_id] = bid.rank
        return cls(totals=totals, ranks=ranks)

    def leader(self, lot_id: str) -> str | None:
        """The top-ranked bidder in the lot, if any bid is compliant."""
        ranked = self.ranks.get(lot_id, {})
        return min(ranked, key=lambda b: (ranked[b], b)) if ranked else None


def _point(award: Award, weight: float, method: str) -> SweepPoint:
    return SweepPoint(
        price_method=method,
        quality_weight=weight,
        awarded={o.lot_id: tuple(sorted(a.bidder_id for a in o.appointments)) for o in award.lots},
        lots_changed=(),
        status=award.result.status.value,
        proven=award.proven,
    )


def _award_point(
    tender: Tender, weight: float, method: str, solver: str, time_limit: float
) -> tuple[SweepPoint, _Ranking]:
    """One weighting: applied and scored once, awarded from those scores."""
    variant = _variant(tender, weight, method)
    scores = score_tender(variant)
    award = make_award(
        variant, solver=solver, time_limit=time_limit, scores=scores, alternatives=False
    )
    return _point(award, weight, method), _Ranking.of(scores)


def _crossings(
    method: str, lot_ids: Sequence[str], ranked: Sequence[tuple[float, _Ranking]]
) -> tuple[list[Reversal], list[LeaderChange]]:
    """Rank reversals and leader changes between consecutive swept weights of one method."""
    reversals: list[Reversal] = []
    leaders: list[LeaderChange] = []
    for (w1, s1), (w2, s2) in pairwise(ranked):
        for lot_id in lot_ids:
            a_totals, b_totals = s1.totals.get(lot_id, {}), s2.totals.get(lot_id, {})
            common = sorted(set(a_totals) & set(b_totals))
            crossing: dict[frozenset[str], float] = {}
            for a, b in combinations(common, 2):
                d1 = a_totals[a] - a_totals[b]
                d2 = b_totals[a] - b_totals[b]
                if d1 * d2 < 0:
                    weight = w1 + (w2 - w1) * d1 / (d1 - d2)
                    above, below = (a, b) if d1 > 0 else (b, a)
                    crossing[frozenset((a, b))] = weight
                    reversals.append(
                        Reversal(
                            price_method=method,
                            lot_id=lot_id,
                            ahead_above=above,
                            ahead_below=below,
                            weight=weight,
                        )
                    )
            top1, top2 = s1.leader(lot_id), s2.leader(lot_id)
            if top1 and top2 and top1 != top2:
                leaders.append(
                    LeaderChange(
                        price_method=method,
                        lot_id=lot_id,
                        above=top1,
                        below=top2,
                        weight=crossing.get(frozenset((top1, top2)), (w1 + w2) / 2),
                    )
                )
    return reversals, leaders


def _method_differences(
    weight: float,
    lot_ids: Sequence[str],
    own: tuple[str, _Ranking],
    other: tuple[str, _Ranking],
) -> list[MethodDifference]:
    """The lots another price method ranks differently from the tender's at one weight."""
    (own_method, mine), (method, theirs) = own, other
    found = []
    for lot_id in lot_ids:
        a, b = mine.ranks.get(lot_id, {}), theirs.ranks.get(lot_id, {})
        common = sorted(set(a) & set(b))
        swapped = sum(1 for x, y in combinations(common, 2) if (a[x] - a[y]) * (b[x] - b[y]) < 0)
        leader, own_leader = theirs.leader(lot_id), mine.leader(lot_id)
        if swapped or leader != own_leader:
            found.append(
                MethodDifference(
                    quality_weight=weight,
                    lot_id=lot_id,
                    price_method=method,
                    leader=leader,
                    tendered_method=own_method,
                    tendered_leader=own_leader,
                    pairs_swapped=swapped,
                )
            )
    return found


def _without(problem: AwardProblem, lot_id: str, bidder_id: str) -> AwardProblem:
    candidates = tuple(
        c for c in problem.candidates if (c.lot_id, c.bidder_id) != (lot_id, bidder_id)
    )
    return AwardProblem.model_validate({**dict(problem), "candidates": candidates})


def _margin(
    problem: AwardProblem,
    lot_id: str,
    bidder_id: str,
    total: float,
    best: tuple[int, int, float],
    weight: float,
    solver: str,
    time_limit: float,
) -> tuple[Margin, bool]:
    other = solve_award(
        _without(problem, lot_id, bidder_id),
        solver=solver,  # type: ignore[arg-type]
        time_limit=time_limit,
        alternatives=False,
    )
    parts = other.objective
    covered = (parts.vacancies, parts.group_shortfall) == best[:2]
    margin = (best[2] - parts.score) / weight if covered else None
    return (
        Margin(
            lot_id=lot_id,
            bidder_id=bidder_id,
            total=total,
            margin=max(margin, 0.0) if margin is not None else None,
            goes_to=other.bidders_for(lot_id),
        ),
        other.status.proven,
    )


def sensitivity(
    tender: Tender,
    *,
    weights: Sequence[float] = DEFAULT_WEIGHTS,
    methods: Sequence[str] | None = None,
    solver: str = "auto",
    time_limit: float = 60,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Sweep the weighting and price methods, and measure each appointment's margin.

    Args:
        tender: The tender as loaded.
        weights: Quality weights to sweep (the tender's own is always added).
        methods: Price methods to sweep (default: :func:`price_methods`).
        solver: "auto", "highs" or "cbc".
        time_limit: Seconds for each award solve.
        workers: Worker processes (see :func:`tender.compare.run_jobs`).
        progress: Called as each solve finishes.
        on_start: Called with the number of solves once it is known.

    Raises:
        InputError: a price method the tender's rates do not allow.
    """
    own = tender.evaluation.quality_weight
    swept = tuple(sorted({*weights, own}, reverse=True))
    if swept[-1] <= 0 and tender.criteria:
        # Checked here: the weightings are applied in the solve jobs, maybe in workers.
        raise InputError(
            "a quality weight of 0 leaves the criteria no weight: sweep down to 1 at least "
            "(e.g. 100:1:1)",
            file="--weights",
        )
    allowed = price_methods(tender)
    methods = tuple(methods) if methods else allowed
    for method in methods:
        if method not in allowed:
            raise InputError(
                f"price method {method!r} needs rates this tender does not have "
                f"(possible: {', '.join(allowed)})",
                file="--method",
            )
    scores = score_tender(tender)
    base = make_award(tender, solver=solver, time_limit=time_limit, scores=scores)
    problem = base.problem
    hours = {lot.lot_id: lot.hours_per_week for lot in tender.lots}
    hours_weighted = tender.rules.objective == "hours_weighted"
    parts = base.result.objective
    best = (parts.vacancies, parts.group_shortfall, parts.score)
    appointed = [a for o in base.lots for a in o.appointments]
    margin_jobs = [
        (
            problem,
            a.lot_id,
            a.bidder_id,
            a.total,
            best,
            hours[a.lot_id] if hours_weighted else 1.0,
            solver,
            time_limit,
        )
        for a in appointed
    ]
    own_method = tender.evaluation.price_method
    # The tender's own weighting is the award just made: not solved again.
    grid = [(m, w) for m in methods for w in swept]
    point_jobs = [
        (tender, w, m, solver, time_limit) for m, w in grid if (m, w) != (own_method, own)
    ]
    jobs = [("margin", job) for job in margin_jobs] + [("point", job) for job in point_jobs]
    labels = [f"margin {a.lot_id} {a.bidder_id}" for a in appointed]
    labels += [f"{m} {w:g}/{100 - w:g}" for _, w, m, _, _ in point_jobs]
    if on_start:
        on_start(len(jobs))
    done = run_jobs(_job, jobs, workers=workers, progress=progress, labels=labels)
    margins = [m for _, m in done[: len(margin_jobs)]]
    solved = {(p.price_method, p.quality_weight): (p, r) for _, (p, r) in done[len(margin_jobs) :]}
    if (own_method, own) in grid:
        solved[(own_method, own)] = (_point(base, own, own_method), _Ranking.of(scores))
    baseline = {o.lot_id: tuple(sorted(a.bidder_id for a in o.appointments)) for o in base.lots}
    points = []
    for key in grid:
        point = solved[key][0]
        changes = tuple(
            AwardChange(lot_id=lot, before=baseline[lot], after=point.awarded.get(lot, ()))
            for lot in baseline
            if point.awarded.get(lot) != baseline[lot]
        )
        points.append(
            point.model_copy(
                update={"lots_changed": tuple(c.lot_id for c in changes), "changes": changes}
            )
        )
    lot_ids = [lot.lot_id for lot in tender.lots]
    reversals: list[Reversal] = []
    leaders: list[LeaderChange] = []
    for method in methods:
        ranked = [(w, solved[(method, w)][1]) for w in swept]
        found, changed = _crossings(method, lot_ids, ranked)
        reversals += found
        leaders += changed
    differences: list[MethodDifference] = []
    if own_method in methods:
        for w in swept:
            own_ranking = (own_method, solved[(own_method, w)][1])
            for method in methods:
                if method != own_method:
                    other = (method, solved[(method, w)][1])
                    differences += _method_differences(w, lot_ids, own_ranking, other)
    proven = base.proven and all(p.proven for p in points) and all(ok for _, ok in margins)
    return Sensitivity(
        quality_weight=own,
        price_method=own_method,
        weights=swept,
        methods=methods,
        points=tuple(points),
        reversals=tuple(reversals),
        leader_changes=tuple(leaders),
        method_differences=tuple(differences),
        margins=tuple(m for m, _ in margins),
        proven=proven,
    )


def _job(kind: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    """One solve of the sweep, by kind: a margin re-solve or an award at a sweep point."""
    if kind == "margin":
        return kind, _margin(*args)
    return kind, _award_point(*args)
