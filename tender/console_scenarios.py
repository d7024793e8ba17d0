"""Terminal tables for commissioners: scenario comparisons, withdrawals and sensitivity."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tender.console import _console
from tender.formatting import whole_money

if TYPE_CHECKING:
    from tender.compare import Comparison, ScenarioResult
    from tender.models import Tender
    from tender.sensitivity import MethodDifference, Sensitivity
    from tender.withdraw import Withdrawal

__all__ = ["print_comparison", "print_sensitivity", "print_withdrawal"]

#: Up to this many scenarios are shown as columns; more are shown one per row.
MAX_COLUMNS = 6

#: The unit of an hours-weighted score change read per hour of care (as ``tender explain``).
POINTS_PER_HOUR = "points per hour"


def _metrics(currency: str) -> list[tuple[str, Callable[[ScenarioResult], str]]]:
    def opt(value: float | int | None, fmt: Callable[[float], str]) -> str:
        return "-" if value is None else fmt(value)

    return [
        ("Lots covered", lambda r: opt(r.lots_covered, lambda v: f"{v:.0f} of {r.lots}")),
        ("Vacant places", lambda r: opt(r.places_vacant, lambda v: f"{v:.0f}")),
        ("Total score", lambda r: opt(r.total_score, lambda v: f"{v:,.1f}")),
        ("Mean score", lambda r: opt(r.mean_score, lambda v: f"{v:.2f}")),
        ("Annual cost", lambda r: opt(r.annual_cost, lambda v: whole_money(v, currency))),
        ("Headroom", lambda r: opt(r.headroom, lambda v: whole_money(v, currency))),
        ("Providers", lambda r: opt(r.providers, lambda v: f"{v:.0f}")),
        (
            "Largest share",
            lambda r: opt(
                r.largest_share,
                lambda v: (
                    f"{v:.1%}" + (f" {r.largest_share_bidder}" if r.largest_share_bidder else "")
                ),
            ),
        ),
        ("HHI", lambda r: opt(r.hhi, lambda v: f"{v:,.0f}")),
        ("SME share", lambda r: opt(r.sme_share, lambda v: f"{v:.1%}")),
        (
            "Lots changing hands",
            lambda r: "-" if r.lots_changed is None else f"{r.lots_changed} of {r.lots_compared}",
        ),
        (
            "Solver status",
            lambda r: r.status if r.proven or r.error else f"[bold red]{r.status}[/bold red]",
        ),
    ]


def print_comparison(comparison: Comparison, *, console: Console | None = None) -> None:
    """The scenarios side by side, then what each rule costs, then any scenario's error."""
    console = console or _console()
    metrics = _metrics(comparison.currency)
    results = comparison.results
    if len(results) <= MAX_COLUMNS:
        table = Table(title="Lotting options compared", title_justify="left")
        table.add_column("")
        for r in results:
            table.add_column(escape(r.name), justify="right")
        for label, show in metrics:
            table.add_row(label, *(show(r) for r in results))
    else:
        table = Table(title="Lotting options compared", title_justify="left")
        table.add_column("Scenario")
        for label, _ in metrics:
            table.add_column(label, justify="right")
        for r in results:
            table.add_row(escape(r.name), *(show(r) for _, show in metrics))
    console.print(table)
    for r in results:
        if r.description:
            console.print(f"[dim]{escape(r.name)}: {escape(r.description)}[/dim]")
        if r.error:
            console.print(f"[red]{escape(r.name)}: {escape(r.error)}[/red]")
    _print_rule_costs(comparison, console)


def _print_rule_costs(comparison: Comparison, console: Console) -> None:
    from optimiser.explain import rule_name, rule_order

    rules = rule_order({c.rule for r in comparison.results for c in r.rule_costs})
    if not rules:
        return
    hours_weighted = comparison.objective == "hours_weighted"
    unit = POINTS_PER_HOUR if hours_weighted else "points per lot"
    score = "hours-weighted score" if hours_weighted else "score"
    table = Table(
        title=f"What each rule costs: the {score} gained if it were removed, in {unit}, "
        "and the change in annual cost",
        title_justify="left",
    )
    names = {rule: rule_name(rule) for rule in rules}
    table.add_column("Rule", no_wrap=True, min_width=max(len(name) for name in names.values()))
    shown = [r for r in comparison.results if r.rule_costs]
    for r in shown:
        table.add_column(escape(r.name), justify="right")
    for rule in rules:
        cells = []
        for r in shown:
            cost = next((c for c in r.rule_costs if c.rule == rule), None)
            if cost is None:
                cells.append("not set")
            elif not cost.binding:
                cells.append("not binding")
            else:
                filled = f", {cost.vacancies_filled} filled" if cost.vacancies_filled else ""
                sign = "+" if cost.cost_change >= 0 else ""
                points = r.points(cost, comparison.objective)
                per = f"{points:+.2f} {unit}\n" if points is not None else ""
                cells.append(
                    f"{per}{cost.score_gain:+,.1f}, "
                    f"{sign}{whole_money(cost.cost_change, comparison.currency)}{filled}"
                )
        table.add_row(names[rule], *cells)
    console.print(table)
    if hours_weighted:
        console.print(
            f"[dim]{POINTS_PER_HOUR}: the hours-weighted score divided by the tendered hours "
            "per week, i.e. the change in the score of an average hour of care.[/dim]"
        )
    else:
        console.print("[dim]points per lot: the score divided by the number of lots.[/dim]")


def print_withdrawal(
    withdrawal: Withdrawal, currency: str, *, console: Console | None = None
) -> None:
    """Who takes each freed lot, anything else that moved, and the change in score and cost."""
    console = console or _console()
    mode = "re-optimised" if withdrawal.reoptimised else "every other appointment held"
    held = len(withdrawal.lots_held)
    table = Table(
        title=escape(
            f"{withdrawal.bidder_id} {withdrawal.bidder_name} withdraws from "
            f"{held} lot{'s' if held != 1 else ''} ({mode})"
        ),
        title_justify="left",
    )
    for header in ("Lot", "Was", "Now", "Score", "Annual cost", "Note"):
        table.add_column(header, justify="right" if header in ("Score", "Annual cost") else "left")
    for c in withdrawal.changes:
        table.add_row(
            escape(f"{c.lot_id} {c.lot_name}"),
            escape(", ".join(c.before) or "vacant"),
            escape(", ".join(c.after)) if c.after else "[red]vacant[/red]",
            f"{c.score_after - c.score_before:+.2f}",
            _signed_money(c.cost_after - c.cost_before, currency),
            escape(c.note),
        )
    console.print(table)
    console.print(
        f"Change in total score {withdrawal.score_change:+.2f}; annual cost "
        f"{_signed_money(withdrawal.cost_change, currency)}. Solver: {withdrawal.status}."
    )


def _print_method_differences(result: Sensitivity, names: dict[str, str], console: Console) -> None:
    """Where another price method would lead a lot with a different bid, at the same weight.

    Runs of consecutive swept weights with the same two leaders are shown as one row.
    """
    changed = [d for d in result.method_differences if d.leader != d.tendered_leader]
    if not changed:
        return
    table = Table(
        title="Where another price method leads a lot with a different bid, at the same weighting",
        title_justify="left",
    )
    own = f"{result.price_method} (tendered) leads"
    for header in ("Price method", "Lot", "Quality/price", own, "Leads instead"):
        table.add_column(escape(header))
    order = {w: i for i, w in enumerate(result.weights)}
    lot_order = {lot_id: i for i, lot_id in enumerate(names)}
    changed.sort(
        key=lambda d: (
            d.price_method,
            lot_order.get(d.lot_id, len(lot_order)),
            order[d.quality_weight],
        )
    )
    runs: list[tuple[MethodDifference, list[float]]] = []
    for d in changed:
        if runs:
            first, weights = runs[-1]
            alike = (first.price_method, first.lot_id, first.tendered_leader, first.leader) == (
                d.price_method,
                d.lot_id,
                d.tendered_leader,
                d.leader,
            )
            if alike and order[d.quality_weight] == order[weights[-1]] + 1:
                weights.append(d.quality_weight)
                continue
        runs.append((d, [d.quality_weight]))
    for d, weights in runs:
        span = f"{weights[0]:g}/{100 - weights[0]:g}"
        if len(weights) > 1:
            span += f" to {weights[-1]:g}/{100 - weights[-1]:g}"
        table.add_row(
            d.price_method,
            escape(f"{d.lot_id} {names.get(d.lot_id, '')}"),
            span,
            escape(d.tendered_leader or "no compliant bid"),
            escape(d.leader or "no compliant bid"),
        )
    console.print(table)


def _signed_money(value: float, currency: str) -> str:
    return ("+" if value >= 0 else "") + whole_money(value, currency)


#: A margin below this many points is shown as fragile.
FRAGILE_MARGIN = 1.0


def print_sensitivity(
    result: Sensitivity, tender: Tender, *, console: Console | None = None
) -> None:
    """The award at each weighting, where lots' leaders change, and each award's margin."""
    console = console or _console()
    names = {lot.lot_id: lot.name for lot in tender.lots}
    table = Table(
        title="The award at each weighting (lots awarded differently from the tender's)",
        title_justify="left",
    )
    for header in ("Price method", "Quality/price", "Lots changed", "Which: tendered → here"):
        table.add_column(header, justify="right" if header == "Lots changed" else "left")
    table.add_column("Status")
    for p in result.points:
        own = p.quality_weight == result.quality_weight and p.price_method == result.price_method
        table.add_row(
            p.price_method,
            f"{p.quality_weight:g}/{100 - p.quality_weight:g}" + (" (tendered)" if own else ""),
            str(len(p.lots_changed)),
            escape(
                ", ".join(
                    f"{c.lot_id}: {' '.join(c.before) or 'vacant'} → "
                    f"{' '.join(c.after) or 'vacant'}"
                    for c in p.changes
                )
            ),
            p.status if p.proven else f"[bold red]{p.status}[/bold red]",
        )
    console.print(table)
    _print_method_differences(result, names, console)
    if result.leader_changes:
        table = Table(
            title="Where a lot's leading bid changes (quality weight at which they are level)",
            title_justify="left",
        )
        for header in ("Price method", "Lot", "Leads above", "Leads below", "Level at"):
            table.add_column(header, justify="right" if header == "Level at" else "left")
        for c in result.leader_changes:
            table.add_row(
                c.price_method,
                escape(f"{c.lot_id} {names.get(c.lot_id, '')}"),
                escape(c.above),
                escape(c.below),
                f"{c.weight:.2f}/{100 - c.weight:.2f}",
            )
        console.print(table)
    else:
        console.print("No lot's leading bid changes across the swept weightings.")
    console.print(
        f"{len(result.reversals)} pairs of bids swap places somewhere in the sweep "
        "(all in reversals.csv with --out)."
    )
    if result.method_differences:
        count = len(result.method_differences)
        console.print(
            f"{count} lot ranking{'s' if count != 1 else ''} at a swept weighting "
            f"differ{'s' if count == 1 else ''} between price methods "
            "(all in methods.csv with --out)."
        )
    table = Table(
        title="Stability: how far each appointed bid's total could fall before its lot moves",
        title_justify="left",
    )
    for header in ("Lot", "Appointed", "Total", "Margin", "Would go to"):
        table.add_column(header, justify="right" if header in ("Total", "Margin") else "left")
    for m in result.margins:
        if m.margin is None:
            shown = "no one else"
        elif m.margin < FRAGILE_MARGIN:
            shown = f"[yellow]{m.margin:.2f}[/yellow]"
        else:
            shown = f"{m.margin:.2f}"
        table.add_row(
            escape(f"{m.lot_id} {names.get(m.lot_id, '')}"),
            escape(m.bidder_id),
            f"{m.total:.2f}",
            shown,
            escape(", ".join(m.goes_to) or "vacant"),
        )
    console.print(table)
