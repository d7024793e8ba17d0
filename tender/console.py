"""Terminal tables (rich) for people; machines get ``--json`` instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tender.models import ScoredBid, Scores, Tender

if TYPE_CHECKING:
    from optimiser.explain import Explanation, LotExplanation
    from tender.award import Award, LotOutcome

__all__ = ["explanation_lines", "money", "print_award", "print_scores"]


#: Tables wider than a default 80-column pipe, so a report piped to a file stays readable.
MIN_WIDTH = 120


def _console() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal and console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


def money(value: float, currency: str) -> str:
    """An amount as a panel reads it: £15.20, or 15.20 EUR for other currencies."""
    return f"£{value:,.2f}" if currency == "GBP" else f"{value:,.2f} {currency}"


def whole_money(value: float, currency: str) -> str:
    """A large amount without pence: £1,664,000."""
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.0f}"
    return f"{sign}£{amount}" if currency == "GBP" else f"{sign}{amount} {currency}"


def print_scores(tender: Tender, scores: Scores, *, console: Console | None = None) -> None:
    """One ranking table per lot: compliant bids by rank, then the rest with their reasons."""
    console = console or _console()
    names = {b.bidder_id: b.name for b in tender.bidders}
    currency = tender.info.currency
    for lot in tender.lots:
        bids = scores.for_lot(lot.lot_id)
        table = Table(
            title=escape(
                f"Lot {lot.lot_id} {lot.name} ({lot.group}, {lot.hours_per_week:,.0f} h/week)"
            ),
            title_justify="left",
        )
        for header in ("Rank", "Bidder", "Rate", "Quality", "Price", "Total", "Gap", "Notes"):
            table.add_column(
                header, justify="right" if header not in ("Bidder", "Notes") else "left"
            )
        for bid in bids:
            notes = escape("; ".join(bid.reasons))
            style = None if bid.compliant else "dim"
            table.add_row(
                str(bid.rank) if bid.rank is not None else "-",
                escape(f"{bid.bidder_id} {names[bid.bidder_id]}"),
                money(bid.rate, currency),
                f"{bid.quality_points:.2f}",
                f"{bid.price_points:.2f}",
                f"{bid.total:.2f}",
                f"{bid.gap_to_above:.2f}" if bid.gap_to_above is not None else "",
                ("[red]non-compliant[/red]: " if not bid.compliant else "") + notes,
                style=style,
            )
        if not bids:
            table.add_row("-", "no bids", "", "", "", "", "", "")
        console.print(table)
    compliant = sum(1 for b in scores.bids if b.compliant)
    flagged = sum(1 for d in scores.divergences if d.flag != "green")
    console.print(
        f"{len(scores.bids)} bids scored, {compliant} compliant; "
        f"{flagged} marks flagged for moderation (amber/red)."
    )


def print_award(award: Award, *, console: Console | None = None) -> None:
    """The award table, the totals and anything the panel must not miss (status, vacancies)."""
    console = console or _console()
    tender = award.tender
    currency = tender.info.currency
    names = {b.bidder_id: b.name for b in tender.bidders}
    status = award.result.status
    if not status.proven:
        gap = award.result.solver.gap
        shown = f" (gap {gap:.2%})" if gap is not None else ""
        console.print(
            f"[bold red]NOT PROVEN OPTIMAL: the solver stopped with status {status.value}"
            f"{shown}; this award is the best found, not necessarily the best.[/bold red]"
        )
    table = Table(title=escape(f"{tender.info.title}: award"), title_justify="left")
    for header in ("Lot", "Group", "Hours/wk", "Provider", "Score", "Rate", "Weekly", "Annual"):
        table.add_column(
            header, justify="left" if header in ("Lot", "Group", "Provider") else "right"
        )
    for lot, outcome in zip(tender.lots, award.lots, strict=True):
        label = escape(f"{lot.lot_id} {lot.name}")
        for a in outcome.appointments:
            table.add_row(
                label,
                escape(lot.group),
                f"{a.hours_per_week:,.0f}",
                escape(f"{a.bidder_id} {names[a.bidder_id]}"),
                f"{a.total:.2f}",
                money(a.rate, currency),
                whole_money(a.weekly_cost, currency),
                whole_money(a.annual_cost, currency),
            )
        if outcome.vacant_places:
            table.add_row(
                label,
                escape(lot.group),
                f"{lot.hours_per_week:,.0f}",
                f"[red]{outcome.vacant_places} vacant[/red]: {escape(outcome.reason or '')}",
                "",
                "",
                "",
                "",
            )
    console.print(table)
    t = award.totals
    budget = ""
    if t.budget_per_year is not None:
        budget = f" against a budget of {whole_money(t.budget_per_year, currency)}"
    console.print(
        f"Lots covered: {t.lots_covered} of {t.lots}; vacant places: {t.places_vacant}. "
        f"Providers appointed: {t.providers}.\n"
        f"Annual cost: {whole_money(t.annual_cost, currency)}{budget}.\n"
        f"Largest share of hours: {t.largest_share:.1%}"
        + (f" ({escape(t.largest_share_bidder)})" if t.largest_share_bidder else "")
        + f"; HHI {t.hhi:,.0f}.\n"
        f"Solver: {award.result.solver.solver} {award.result.solver.version}, {status.value}."
    )
    for shortfall in award.result.group_shortfalls:
        console.print(
            f"[yellow]Group {escape(shortfall.group)}: {shortfall.providers} of "
            f"{shortfall.required} providers: {escape(shortfall.reason)}[/yellow]"
        )
    if award.result.alternatives:
        console.print("Alternative optima (equal vacancies, score and cost):")
        for alt in award.result.alternatives:
            console.print(
                f"  lot {escape(alt.lot_id)}: {', '.join(alt.awarded)} or "
                f"{', '.join(alt.alternative)}"
            )


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
        lines += _rule_cost_lines(explanation, tender.info.currency, tender.rules.objective)
    return lines


def _rule_cost_lines(explanation: Explanation, currency: str, objective: str) -> list[str]:
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
