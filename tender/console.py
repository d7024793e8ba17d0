"""Terminal tables (rich) for people; machines get ``--json`` instead."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tender.formatting import money, whole_money
from tender.models import Scores, Tender

if TYPE_CHECKING:
    from tender.award import Award

__all__ = ["print_award", "print_scores", "progress_bar"]


#: Tables wider than a default 80-column pipe, so a report piped to a file stays readable.
MIN_WIDTH = 120


def _console() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal and console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


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
        shown = f" (gap {gap:.2%})" if gap is not None else " (gap unknown: no bound reported)"
        console.print(
            f"[bold red]NOT PROVEN OPTIMAL: the solver stopped with status {status.value}"
            f"{shown}; this award is the best found, not necessarily the best.[/bold red]"
        )
    headers = ("Lot", "Group", "Hours/wk", "Provider", "Score", "Rate", "Weekly", "Annual")
    rows: list[tuple[str, ...]] = []
    vacant: set[int] = set()
    for lot, outcome in zip(tender.lots, award.lots, strict=True):
        label = f"{lot.lot_id} {lot.name}"
        for a in outcome.appointments:
            rows.append(
                (
                    label,
                    lot.group,
                    f"{a.hours_per_week:,.0f}",
                    f"{a.bidder_id} {names[a.bidder_id]}",
                    f"{a.total:.2f}",
                    money(a.rate, currency),
                    whole_money(a.weekly_cost, currency),
                    whole_money(a.annual_cost, currency),
                )
            )
        if outcome.vacant_places:
            vacant.add(len(rows))
            reason = f"{outcome.vacant_places} vacant: {outcome.reason or ''}"
            rows.append((label, lot.group, f"{lot.hours_per_week:,.0f}", reason, "", "", "", ""))
    title = f"{tender.info.title}: award"
    if len(rows) > AWARD_ROWS_DRAWN:
        _print_plain(console, title, headers, rows, left=(0, 1, 3))
    else:
        table = Table(title=escape(title), title_justify="left")
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i in (0, 1, 3) else "right")
        for i, row in enumerate(rows):
            cells = [escape(cell) for cell in row]
            if i in vacant:
                cells[3] = f"[red]{cells[3]}[/red]"
            table.add_row(*cells)
        console.print(table)
    _print_totals(award, console)
    for shortfall in award.result.group_shortfalls:
        console.print(
            f"[yellow]Group {escape(shortfall.group)}: {shortfall.providers} of "
            f"{shortfall.required} providers: {escape(shortfall.reason)}[/yellow]"
        )
    _print_reserves(award, console)
    _print_alternatives(award, console)


#: Award rows drawn as a rich table; above this the table is printed as plain columns
#: (rich took three seconds to lay out a thousand lots' rows).
AWARD_ROWS_DRAWN = 300


def _print_plain(
    console: Console,
    title: str,
    headers: tuple[str, ...],
    rows: list[tuple[str, ...]],
    *,
    left: tuple[int, ...],
) -> None:
    """A table as plain padded columns: every row still shown, in a fraction of the time."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    text = [title, line(headers), "  ".join("-" * w for w in widths)]
    text += [line(row) for row in rows]
    console.print("\n".join(text), markup=False, highlight=False, soft_wrap=True)


#: Lots named in the totals line before "and N more".
_LOTS_NAMED = 10


def _print_totals(award: Award, console: Console) -> None:
    """Coverage, score, cost, shares and the solver, each on its own line."""
    tender = award.tender
    currency = tender.info.currency
    t = award.totals
    short = [o.lot_id for o in award.lots if o.vacant_places]
    places = "place" if t.places_vacant == 1 else "places"
    coverage = f"{t.lots_covered} of {t.lots} lots have a provider"
    if short:
        named = ", ".join(short[:_LOTS_NAMED])
        more = f" and {len(short) - _LOTS_NAMED} more" if len(short) > _LOTS_NAMED else ""
        coverage += f"; {t.places_vacant} {places} unfilled ({named}{more})"
    appointed = [a.total for o in award.lots for a in o.appointments]
    if tender.rules.objective == "hours_weighted":
        score = f"Total score (hours-weighted: each bid's total x its lot's hours): {t.score:,.2f}"
    else:
        score = f"Total score (the sum of the appointed bids' totals): {t.score:,.2f}"
    if appointed:
        score += f"; mean of the appointed bids' totals {sum(appointed) / len(appointed):.2f}"
    budget = ""
    if t.budget_per_year is not None:
        budget = f" against a budget of {whole_money(t.budget_per_year, currency)}"
    basis = tender.rules.share_basis
    shared = any(len(o.appointments) > 1 for o in award.lots)
    split = ", a lot's hours split evenly between its providers" if shared else ""
    largest = f"Largest share of {basis} hours: {t.largest_share:.1%}"
    if t.largest_share_bidder:
        largest += f" ({t.largest_share_bidder})"
    lines = [
        f"{coverage}. Providers appointed: {t.providers}.",
        score + ".",
        f"Annual cost: {whole_money(t.annual_cost, currency)}{budget}.",
        f"{largest}{split}; HHI {t.hhi:,.0f}.",
    ]
    cap = tender.rules.max_share_of_hours
    if cap is not None and t.largest_cap_share is not None:
        who = f" ({t.largest_cap_share_bidder})" if t.largest_cap_share_bidder else ""
        lines.append(
            f"Largest share as the share cap counts it (each lot's full hours for every "
            f"provider on it): {t.largest_cap_share:.1%}{who}, against a cap of {cap * 100:g}%."
        )
    solver = award.result.solver
    lines.append(f"Solver: {solver.solver} {solver.version}, {solver.status.value}.")
    console.print(escape("\n".join(lines)))


#: Reserve rows printed as a table; above this a line says where the list is (a large
#: tender has a hundred thousand, which a terminal table takes minutes to draw).
RESERVES_SHOWN = 300


def _print_reserves(award: Award, console: Console) -> None:
    """Each lot's compliant bidders not appointed, best rank first: the back-up framework."""
    count = sum(len(o.reserves) for o in award.lots)
    if not count:
        return
    if count > RESERVES_SHOWN:
        lots = sum(1 for o in award.lots if o.reserves)
        console.print(
            f"Ranked reserves: {count:,} compliant bids not appointed, in {lots:,} lots; "
            "each lot's, best first, are in award.json and `tender explain --lot ID`."
        )
        return
    names = {b.bidder_id: b.name for b in award.tender.bidders}
    scored = {(b.lot_id, b.bidder_id): b for b in award.scores.bids}
    table = Table(
        title="Ranked reserves (compliant bids not appointed, best first)", title_justify="left"
    )
    for header in ("Lot", "Reserve", "Rank", "Bidder", "Score"):
        table.add_column(header, justify="left" if header in ("Lot", "Bidder") else "right")
    for lot, outcome in zip(award.tender.lots, award.lots, strict=True):
        for place, bidder_id in enumerate(outcome.reserves, start=1):
            bid = scored[(lot.lot_id, bidder_id)]
            table.add_row(
                escape(f"{lot.lot_id} {lot.name}") if place == 1 else "",
                str(place),
                str(bid.rank),
                escape(f"{bidder_id} {names[bidder_id]}"),
                f"{bid.total:.2f}",
            )
    console.print(table)


def _print_alternatives(award: Award, console: Console) -> None:
    """The lots that could change hands at no loss, or why that was not looked for."""
    from optimiser.solve import ALTERNATIVES_AUTO_LIMIT  # pulp: not for `tender score`

    result = award.result
    if result.alternatives:
        console.print("Alternative optima (equal vacancies, score and cost):")
        for alt in result.alternatives:
            console.print(
                f"  lot {escape(alt.lot_id)}: {', '.join(alt.awarded)} or "
                f"{', '.join(alt.alternative)}"
            )
        if not result.alternatives_checked:
            console.print("  (the search stopped at the time limit: there may be more)")
        return
    if result.alternatives_checked:
        console.print("Alternative optima: none (no lot could change hands at no loss).")
    elif award.alternatives_requested is False:
        console.print("Alternative optima: not searched (--no-alternatives).")
    elif not result.status.proven:
        console.print("Alternative optima: not searched (the award is not proven optimal).")
    elif award.alternatives_requested is None and len(award.problem.candidates) > (
        ALTERNATIVES_AUTO_LIMIT
    ):
        console.print(
            f"Alternative optima: not searched ({len(award.problem.candidates):,} bids); "
            "use --alternatives"
        )
    else:
        console.print("Alternative optima: the search did not finish within the time limit.")


class _Advance:
    """Advances a progress bar by one item; ``total`` sets the count once it is known."""

    def __init__(self, progress: Any, task: Any) -> None:
        self._progress, self._task = progress, task

    def __call__(self, _item: str) -> None:
        self._progress.advance(self._task)

    def total(self, count: int) -> None:
        """Set how many items the bar counts to."""
        self._progress.update(self._task, total=count)


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[_Advance]:
    """A progress bar on standard error for long runs; yields the function to advance it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield _Advance(progress, task)
