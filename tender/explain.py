"""Explanations in plain sentences: why each lot went where it went, what each rule costs.

The same sentences are printed by ``tender explain`` and put in the panel's report and the
bidders' letters, so they name bidders by id and name and say numbers as a panel reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tender.formatting import money, whole_money
from tender.models import Rules, ScoredBid
from tender.scoring import RANK_DECIMALS

if TYPE_CHECKING:
    from optimiser.explain import Explanation, LotExplanation, RuleCost
    from tender.award import Award, LotOutcome

__all__ = ["explanation_lines", "lost_reason", "rule_cost_lines", "rule_warnings"]


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
    """One sentence per lotting rule: whom it bound, and what removing it would change."""
    if not explanation.rule_costs:
        return []
    lines = ["What each lotting rule costs (each removed in turn and the award solved again):"]
    for cost in explanation.rule_costs:
        lines.append(f"  {_rule_cost_sentence(cost, currency, objective)}")
    return lines


def _rule_cost_sentence(cost: RuleCost, currency: str, objective: str) -> str:
    label = cost.label or cost.rule
    name = label[:1].upper() + label[1:]
    proven = "" if cost.status.proven else f" (not proven: the re-solve ended {cost.status.value})"
    if not cost.binding:
        also = ""
        if cost.bound:
            also = f" (it stops {_bidders(cost.bound)}, but other rules would stop them too)"
        return f"{name}: not binding: the award is the same without it{also}{proven}."
    binds = f"binds {_bidders(cost.bound)}; " if cost.bound else ""
    lots = "lot changes" if cost.lots_changed == 1 else "lots change"
    appointments = "appointment" if cost.awards_changed == 1 else "appointments"
    units = []
    if cost.points_per_hour is not None:
        units.append(f"{cost.points_per_hour:+.2f} points per tendered hour")
    if cost.mean_score_change is not None:
        units.append(f"mean total of the appointed bids {cost.mean_score_change:+.2f}")
    shown = f" ({'; '.join(units)})" if units else ""
    weighted = " hours-weighted" if objective == "hours_weighted" else ""
    sign = "+" if cost.cost_change >= 0 else ""
    filled = ""
    if cost.vacancies_filled:
        places = "place" if cost.vacancies_filled == 1 else "places"
        filled = f", {cost.vacancies_filled} more {places} filled"
    return (
        f"{name}: {binds}without it {cost.lots_changed} {lots} hands "
        f"({cost.awards_changed} {appointments} made or undone), "
        f"score {cost.score_gain:+,.2f}{weighted}{shown}, "
        f"annual cost {sign}{whole_money(cost.cost_change, currency)}{filled}{proven}."
    )


#: Bidders a rule-cost sentence names before "and N more" (the full list is in the data).
_NAMED = 12


def _bidders(ids: tuple[str, ...]) -> str:
    """``B01, B08`` or, for many, ``76 bidders: H01, H02, ... and 64 more``."""
    if len(ids) <= _NAMED:
        return ", ".join(ids)
    return f"{len(ids)} bidders: {', '.join(ids[:_NAMED])} and {len(ids) - _NAMED} more"


def _lot_lines(
    award: Award,
    lot_id: str,
    why: LotExplanation,
    outcome: LotOutcome,
    scored: dict[tuple[str, str], ScoredBid],
    bidder_id: str | None,
) -> list[str]:
    names = {b.bidder_id: b.name for b in award.tender.bidders}

    def who(b: str) -> str:
        return f"{b} {names[b]}"

    lot = award.tender.lot(lot_id)
    winners = ", ".join(
        f"{who(a.bidder_id)} (rank {a.rank}, {a.total:.2f})" for a in outcome.appointments
    )
    lines = [
        f"Lot {lot.lot_id} {lot.name}: " + (f"awarded to {winners}." if winners else "no award.")
    ]
    if bidder_id is not None:
        lines += _bidder_lines(award, why, outcome, scored, bidder_id, who)
    if why.top_won and outcome.appointments:
        lines.append("  The top-ranked compliant bid won.")
    for reason in why.reasons:
        loser, _, text = reason.partition(": ")
        lost = scored.get((lot_id, loser))
        rank = f" ranked {lost.rank}" if lost is not None and lost.rank else ""
        if bidder_id is None or loser == bidder_id:
            lines.append(f"  {who(loser)}{rank} but did not win: {text}.")
    if outcome.vacant_places:
        places = "place" if outcome.vacant_places == 1 else "places"
        lines.append(f"  {outcome.vacant_places} {places} unfilled: {outcome.reason}.")
        if not outcome.appointments and bidder_id is None:
            for bid in award.scores.for_lot(lot_id):
                if not bid.compliant:
                    lines.append(f"    {who(bid.bidder_id)}: {'; '.join(bid.reasons)}.")
    if outcome.reserves and bidder_id is None:
        reserves = "; ".join(
            f"{place}. {who(b)} (rank {bid.rank}, {bid.total:.2f})"
            for place, b in enumerate(outcome.reserves, start=1)
            for bid in (scored[(lot_id, b)],)
        )
        lines.append(f"  Ranked reserves: {reserves}.")
    return lines


def _bidder_lines(
    award: Award,
    why: LotExplanation,
    outcome: LotOutcome,
    scored: dict[tuple[str, str], ScoredBid],
    bidder_id: str,
    who: Callable[[str], str],
) -> list[str]:
    """How one bidder fared on the lot: compliance, the win, or what put it behind."""
    name = who(bidder_id)
    bid = scored[(outcome.lot_id, bidder_id)]
    if not bid.compliant:
        return [f"  {name} was not compliant: {'; '.join(bid.reasons)}."]
    if bidder_id in why.awarded:
        return [f"  {name} won this lot (rank {bid.rank})."]
    line = f"  {name} ranked {bid.rank} with {bid.total:.2f}"
    above = [
        scored[(outcome.lot_id, a.bidder_id)]
        for a in outcome.appointments
        if a.rank < (bid.rank or 0)
    ]
    if above and not any(r.startswith(f"{bidder_id}: ") for r in why.reasons):
        nearest = max(above, key=lambda b: b.rank or 0)
        line += f": {_behind(bid, nearest, who, award.tender.info.currency)}"
    lines = [line + "."]
    if bidder_id in outcome.reserves:
        place = outcome.reserves.index(bidder_id) + 1
        lines.append(f"  It is reserve {place} of {len(outcome.reserves)} on this lot.")
    return lines


def _behind(bid: ScoredBid, winner: ScoredBid, who: Callable[[str], str], currency: str) -> str:
    """Why ``bid`` ranked below ``winner``: points behind, or which tie-break decided."""
    name = who(winner.bidder_id)

    def same(a: float, b: float) -> bool:
        return round(a, RANK_DECIMALS) == round(b, RANK_DECIMALS)

    if not same(bid.total, winner.total):
        return f"{winner.total - bid.total:.2f} points behind {name} (rank {winner.rank})"
    if not same(bid.quality_points, winner.quality_points):
        return (
            f"tied with {name} on total ({bid.total:.2f}) and ranked below it on quality "
            f"points ({winner.quality_points:.2f} against {bid.quality_points:.2f}), the "
            "ranking's first tie-break"
        )
    if not same(bid.rate, winner.rate):
        return (
            f"tied with {name} on total and quality points and ranked below it on rate "
            f"({money(winner.rate, currency)} against {money(bid.rate, currency)}), the second "
            "tie-break"
        )
    return (
        f"tied with {name} on total, quality points and rate: the ranking's last tie-break "
        f"is the bidder id, and {winner.bidder_id} comes before {bid.bidder_id}"
    )


def rule_warnings(rules: Rules) -> list[str]:
    """Warnings about the tender's rules that a user should see before a long solve.

    A share cap on *awarded* hours couples every bid into each bidder's row: the design
    keeps it as an option with this warning, because it can take minutes to prove when the
    cap binds. Light to import, so ``tender validate`` can say it too.
    """
    if rules.max_share_of_hours is not None and rules.share_basis == "awarded":
        return [
            'share_basis = "awarded": the share cap is measured against awarded hours, which '
            "can be much slower to prove optimal when the cap binds; consider the default "
            '"tendered" basis, or a longer --time-limit'
        ]
    return []


def lost_reason(explanation: Explanation, lot_id: str, bidder_id: str) -> str | None:
    """The optimiser's reason a compliant bid ranked above a winner did not win, if any."""
    for lot in explanation.lots:
        if lot.lot_id == lot_id:
            for reason in lot.reasons:
                loser, _, text = reason.partition(": ")
                if loser == bidder_id:
                    return text
    return None
