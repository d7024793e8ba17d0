"""Explanations in plain sentences: why each lot went where it went, what each rule costs.

The same sentences are printed by ``tender explain`` and put in the panel's report and the
bidders' letters, so they name bidders by id and name and say numbers as a panel reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tender.formatting import whole_money
from tender.models import ScoredBid

if TYPE_CHECKING:
    from optimiser.explain import Explanation, LotExplanation
    from tender.award import Award, LotOutcome

__all__ = ["explanation_lines", "lost_reason", "rule_cost_lines"]


def explanation_lines(
    award: Award,
    explanation: Explanation,
    *,
    lot_id: str | None = None,
    bidder_id: str | None = None,
) -> list[str]:
    """Plain sentences: why each lot went where it went, or how one bidder fared.

    The same sentences go into the panel's report, so they name bidders by id and name.
    """
    tender = award.tender
    scored = {(b.lot_id, b.bidder_id): b for b in award.scores.bids}
    outcomes = {o.lot_id: o for o in award.lots}
    lines: list[str] = []
    for lot, why in zip(tender.lots, explanation.lots, strict=True):
        if lot_id is not None and lot.lot_id != lot_id:
            continue
        if bidder_id is not None and (lot.lot_id, bidder_id) not in scored:
            continue
        lines += _lot_lines(award, lot.lot_id, why, outcomes[lot.lot_id], scored, bidder_id)
    if lot_id is None and bidder_id is None:
        lines += rule_cost_lines(explanation, tender.info.currency, tender.rules.objective)
    return lines


def rule_cost_lines(explanation: Explanation, currency: str, objective: str) -> list[str]:
    """One sentence per lotting rule: binding or not, and what removing it would change."""
    lines = (
        ["What each lotting rule costs (re-solved without it):"] if explanation.rule_costs else []
    )
    for cost in explanation.rule_costs:
        if not cost.binding:
            lines.append(f"  {cost.rule}: not binding (the award is the same without it).")
            continue
        filled = f", {cost.vacancies_filled} more places filled" if cost.vacancies_filled else ""
        lines.append(
            f"  {cost.rule}: without it {cost.awards_changed} appointments change, "
            f"{'hours-weighted score' if objective == 'hours_weighted' else 'score'} "
            f"{cost.score_gain:+,.2f}, annual cost "
            f"{'+' if cost.cost_change >= 0 else ''}{whole_money(cost.cost_change, currency)}"
            f"{filled}."
        )
    return lines


def _lot_lines(
    award: Award,
    lot_id: str,
    why: LotExplanation,
    outcome: LotOutcome,
    scored: dict[tuple[str, str], ScoredBid],
    bidder_id: str | None,
) -> list[str]:
    names = {b.bidder_id: b.name for b in award.tender.bidders}
    who = lambda b: f"{b} {names[b]}"  # noqa: E731
    lot = award.tender.lot(lot_id)
    winners = ", ".join(
        f"{who(a.bidder_id)} (rank {a.rank}, {a.total:.2f})" for a in outcome.appointments
    )
    lines = [
        f"Lot {lot.lot_id} {lot.name}: " + (f"awarded to {winners}." if winners else "no award.")
    ]
    if bidder_id is not None:
        bid = scored[(lot_id, bidder_id)]
        if not bid.compliant:
            lines.append(f"  {who(bidder_id)} was not compliant: {'; '.join(bid.reasons)}.")
        elif bidder_id in why.awarded:
            lines.append(f"  {who(bidder_id)} won this lot (rank {bid.rank}).")
        else:
            lines.append(f"  {who(bidder_id)} ranked {bid.rank} with {bid.total:.2f}.")
    if why.top_won and outcome.appointments:
        lines.append("  The top-ranked compliant bid won.")
    for reason in why.reasons:
        loser, _, text = reason.partition(": ")
        lost = scored.get((lot_id, loser))
        rank = f" ranked {lost.rank}" if lost is not None and lost.rank else ""
        if bidder_id is None or loser == bidder_id:
            lines.append(f"  {who(loser)}{rank} but did not win: {text}.")
    if outcome.vacant_places:
        lines.append(f"  {outcome.vacant_places} place(s) vacant: {outcome.reason}.")
        if not outcome.appointments and bidder_id is None:
            for bid in award.scores.for_lot(lot_id):
                if not bid.compliant:
                    lines.append(f"    {who(bid.bidder_id)}: {'; '.join(bid.reasons)}.")
    if outcome.reserves and bidder_id is None:
        lines.append(f"  Ranked reserves: {', '.join(outcome.reserves)}.")
    return lines


def lost_reason(explanation: Explanation, lot_id: str, bidder_id: str) -> str | None:
    """The optimiser's reason a compliant bid ranked above a winner did not win, if any."""
    for lot in explanation.lots:
        if lot.lot_id == lot_id:
            for reason in lot.reasons:
                loser, _, text = reason.partition(": ")
                if loser == bidder_id:
                    return text
    return None
