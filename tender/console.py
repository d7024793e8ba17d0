"""Terminal tables (rich) for people; machines get ``--json`` instead."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tender.models import Scores, Tender

__all__ = ["money", "print_scores"]


def money(value: float, currency: str) -> str:
    """An amount as a panel reads it: £15.20, or 15.20 EUR for other currencies."""
    return f"£{value:,.2f}" if currency == "GBP" else f"{value:,.2f} {currency}"


def print_scores(tender: Tender, scores: Scores, *, console: Console | None = None) -> None:
    """One ranking table per lot: compliant bids by rank, then the rest with their reasons."""
    console = console or Console(highlight=False)
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
