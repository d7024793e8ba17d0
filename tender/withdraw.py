"""Contingency: an appointed provider withdraws, and its lots are awarded again.

By default every other appointment is held: the withdrawn provider's places are filled from
the remaining compliant bids under the same rules (lot caps, share caps, capacity, group
minimums), counting what each provider already holds. The evaluation stands: bids keep the
scores and ranks they were awarded on, as a council would call on the ranked reserves rather
than re-evaluate. ``reoptimise`` instead solves the whole award again without the provider,
so other lots may move too.

Holding appointments fixed needs no change to the optimiser: a held lot keeps only its held
bidders as candidates with exactly that many places, and a freed place becomes its own lot
of the same hours and group whose candidates are everyone else eligible. Coverage comes
first in the optimiser, so the held places are always filled, and the freed ones as well as
the rules allow.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from optimiser import AwardLot, AwardProblem, build_problem, explain_award, solve_award
from optimiser.check import rule_violations
from optimiser.model import integer_data
from tender.award import WEEKS_PER_YEAR, make_award
from tender.errors import InputError
from tender.models import Scores, Tender
from tender.scoring import score_tender

__all__ = ["LotChange", "Withdrawal", "read_award_json", "withdraw"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LotChange(_Model):
    """A lot whose providers changed: who held it, who holds it now, and what that does.

    Scores are the sum of the appointed bids' totals; costs are annual, with the lot's hours
    split evenly between its providers as in the award. ``passed_over`` says why each bid
    ranked above the new provider did not take the lot (``B02 (ranked 2): at its share cap
    (15% of tendered hours) (it holds 3, 7)``), in the optimiser's words.
    """

    lot_id: str
    lot_name: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    score_before: float
    score_after: float
    cost_before: float
    cost_after: float
    vacant_places: int
    note: str
    passed_over: tuple[str, ...] = ()


class Withdrawal(_Model):
    """The award after a provider withdraws, as the changes from the award before."""

    bidder_id: str
    bidder_name: str
    reoptimised: bool
    lots_held: tuple[str, ...]
    changes: tuple[LotChange, ...]
    score_change: float
    cost_change: float
    status: str
    proven: bool


def read_award_json(path: Path, tender: Tender) -> dict[str, tuple[str, ...]]:
    """The appointments in an ``award.json`` written by ``tender award``, lot by lot.

    Raises:
        InputError: the file is not an award of this tender (named by file and key).
    """
    shown = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the award: {exc}", file=shown) from None
    if not isinstance(data, dict) or not isinstance(data.get("lots"), list):
        raise InputError("not an award.json from tender award (no lots list)", file=shown)
    if data.get("tender_id") != tender.info.id:
        raise InputError(
            f"the award is for tender {data.get('tender_id')!r}, not {tender.info.id!r}",
            file=shown,
            column="tender_id",
        )
    lots = {lot.lot_id for lot in tender.lots}
    bidders = {b.bidder_id for b in tender.bidders}
    held: dict[str, tuple[str, ...]] = {}
    for index, lot in enumerate(data["lots"]):
        try:
            lot_id = lot["lot_id"]
            appointed = tuple(sorted(a["bidder_id"] for a in lot["appointments"]))
        except (KeyError, TypeError):
            raise InputError(
                "a lot without lot_id or appointments", file=shown, column=f"lots[{index}]"
            ) from None
        unknown = sorted({lot_id} - lots) or sorted(set(appointed) - bidders)
        if unknown:
            raise InputError(
                f"{unknown[0]!r} is not in this tender", file=shown, column=f"lots[{index}]"
            )
        held[lot_id] = appointed
    return {lot.lot_id: held.get(lot.lot_id, ()) for lot in tender.lots}


def withdraw(
    tender: Tender,
    bidder_id: str,
    *,
    before: dict[str, tuple[str, ...]] | None = None,
    reoptimise: bool = False,
    solver: str = "auto",
    time_limit: float = 60,
) -> Withdrawal:
    """Award the tender again without ``bidder_id``.

    Args:
        tender: The tender as loaded.
        bidder_id: The appointed provider that withdraws.
        before: The award it withdraws from (lot id -> bidders); solved afresh if not given.
        reoptimise: Let every lot move, not only the withdrawn provider's.
        solver: "auto", "highs" or "cbc".
        time_limit: Seconds for each solve.

    Raises:
        InputError: the bidder is unknown or holds no lot in the award.
    """
    names = {b.bidder_id: b.name for b in tender.bidders}
    if bidder_id not in names:
        raise InputError(f"no bidder {bidder_id!r} in this tender", file="--bidder")
    scores = score_tender(tender)
    if before is None:
        award = make_award(tender, solver=solver, time_limit=time_limit, scores=scores)
        before = {o.lot_id: tuple(sorted(a.bidder_id for a in o.appointments)) for o in award.lots}
    lots_held = tuple(lot for lot, bidders in before.items() if bidder_id in bidders)
    if not lots_held:
        raise InputError(f"{bidder_id} holds no lot in the award", file="--bidder")
    problem = build_problem(tender, scores)
    problem = _rebuilt(
        problem,
        candidates=tuple(c for c in problem.candidates if c.bidder_id != bidder_id),
        rules=problem.rules.model_copy(update={"vacancies": "allow"}),
    )
    freed: dict[str, str] = {}
    if not reoptimise:
        problem, freed = _hold(problem, before, bidder_id)
    result = solve_award(problem, solver=solver, time_limit=time_limit, alternatives=False)
    after = {}
    for lot in tender.lots:
        found = {*result.bidders_for(lot.lot_id)}
        if lot.lot_id in freed:
            found |= set(result.bidders_for(freed[lot.lot_id]))
        after[lot.lot_id] = tuple(sorted(found))
    reasons = {v.lot_id: v.reason for v in result.vacancies}
    reasons = {lot.lot_id: reasons.get(freed.get(lot.lot_id, lot.lot_id)) for lot in tender.lots}
    # Why better-ranked bids did not take a lot, judged against the rest of the new award.
    why = {w.lot_id: w.reasons for w in explain_award(problem, result, rule_costs=False).lots}
    passed = {lot.lot_id: why.get(freed.get(lot.lot_id, lot.lot_id), ()) for lot in tender.lots}
    changes = _changes(tender, scores, before, after, bidder_id, reasons, passed)
    return Withdrawal(
        bidder_id=bidder_id,
        bidder_name=names[bidder_id],
        reoptimised=reoptimise,
        lots_held=lots_held,
        changes=changes,
        score_change=math.fsum(c.score_after - c.score_before for c in changes),
        cost_change=math.fsum(c.cost_after - c.cost_before for c in changes),
        status=result.status.value,
        proven=result.status.proven,
    )


def _hold(
    problem: AwardProblem, before: dict[str, tuple[str, ...]], bidder_id: str
) -> tuple[AwardProblem, dict[str, str]]:
    """The problem with every other appointment fixed; the freed place of each lot.

    A lot the provider shared with others keeps them, fixed, and gets its freed place as a
    lot of its own (same hours and group) open to every other eligible bidder.
    """
    taken = {lot.lot_id for lot in problem.lots}
    lots: list[AwardLot] = []
    candidates = []
    fixed = []
    freed: dict[str, str] = {}
    for lot in problem.lots:
        held = set(before[lot.lot_id]) - {bidder_id}
        mine = problem.candidates_for(lot.lot_id)
        kept = [c for c in mine if c.bidder_id in held]
        if kept:
            places = len(kept)
            lots.append(lot.model_copy(update={"min_providers": places, "max_providers": places}))
            candidates += kept
            fixed += [(c.lot_id, c.bidder_id) for c in kept]
        if bidder_id in before[lot.lot_id]:
            part = lot.lot_id if not kept else _fresh(f"{lot.lot_id}.replacement", taken)
            taken.add(part)
            freed[lot.lot_id] = part
            lots.append(
                lot.model_copy(update={"lot_id": part, "min_providers": 1, "max_providers": 1})
            )
            candidates += [
                c.model_copy(update={"lot_id": part}) for c in mine if c.bidder_id not in held
            ]
        elif not kept:
            lots.append(lot.model_copy(update={"min_providers": 0}))
    changed = _rebuilt(problem, lots=tuple(lots), candidates=tuple(candidates), fixed=tuple(fixed))
    broken = rule_violations(changed, integer_data(changed), changed.fixed)
    if broken:
        raise InputError(
            "the appointments to hold break the tender's rules: " + "; ".join(broken),
            file="--after",
        )
    return changed, freed


def _rebuilt(problem: AwardProblem, **changes: object) -> AwardProblem:
    """A changed, re-validated copy of the problem.

    Not ``model_copy``: that keeps the old problem's cached lookups (``candidates_for``),
    which would then answer for the old candidates.
    """
    return AwardProblem.model_validate({**dict(problem), **changes})


def _fresh(wanted: str, taken: set[str]) -> str:
    found, n = wanted, 1
    while found in taken:
        n += 1
        found = f"{wanted}{n}"
    return found


def _changes(
    tender: Tender,
    scores: Scores,
    before: dict[str, tuple[str, ...]],
    after: dict[str, tuple[str, ...]],
    bidder_id: str,
    reasons: dict[str, str | None],
    passed: dict[str, tuple[str, ...]],
) -> tuple[LotChange, ...]:
    bids = {(b.lot_id, b.bidder_id): b for b in scores.bids}
    hours_of = {lot.lot_id: lot.hours_per_week for lot in tender.lots}
    out = []
    for lot in tender.lots:
        old, new = before[lot.lot_id], after[lot.lot_id]
        if old == new:
            continue

        def totals(bidders: tuple[str, ...], lot_id: str = lot.lot_id) -> tuple[float, float]:
            if not bidders:
                return 0.0, 0.0
            hours = hours_of[lot_id] / len(bidders)
            score = math.fsum(bids[(lot_id, b)].total for b in bidders)
            cost = math.fsum(hours * bids[(lot_id, b)].rate * WEEKS_PER_YEAR for b in bidders)
            return score, cost

        score_before, cost_before = totals(old)
        score_after, cost_after = totals(new)
        wanted = len(old) if bidder_id in old else len(new)
        vacant = max(0, wanted - len(new))
        passed_over = tuple(
            f"{who} (ranked {bids[(lot.lot_id, who)].rank}): {why}"
            for who, _, why in (reason.partition(": ") for reason in passed[lot.lot_id])
            if who not in old
        )
        if vacant:
            note = f"vacant: {reasons[lot.lot_id] or 'no eligible bidder under the rules'}"
        elif bidder_id in old:
            gained = sorted(set(new) - set(old))
            ranks = ", ".join(f"{b} (ranked {bids[(lot.lot_id, b)].rank})" for b in gained)
            note = f"re-awarded to {ranks}"
        else:
            note = "moved when the award was re-optimised"
        if passed_over and not vacant:
            note += "; passed over: " + "; ".join(passed_over)
        out.append(
            LotChange(
                lot_id=lot.lot_id,
                lot_name=lot.name,
                before=old,
                after=new,
                score_before=score_before,
                score_after=score_after,
                cost_before=cost_before,
                cost_after=cost_after,
                vacant_places=vacant,
                note=note,
                passed_over=passed_over,
            )
        )
    return tuple(out)
