"""award.xlsx: the award, rankings, scores, moderation log, rule costs and scenarios.

For the panel and the commissioner who sort and filter rather than read a PDF. Numbers are
numeric cells with number formats (two decimals for points, the tender's currency for rates
and costs, percent for shares), every sheet has a frozen, filtered header row, and every
text cell that a spreadsheet would run as a formula (``=HYPERLINK(...)`` as a bidder's name)
is a text cell with Excel's quote prefix (:func:`tender.xlsx.put_text`). When the tender has
scenarios, a ``comparison`` sheet holds compare.csv's columns. The same bytes on every run.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from tender.award import Award
from tender.compare import BASELINE, COMPARE_COLUMNS, Comparison, measure
from tender.export.award import AWARD_COLUMNS
from tender.export.comparison import compare_rows
from tender.export.scores import SCORES_COLUMNS

if TYPE_CHECKING:
    from openpyxl import Workbook

    from optimiser.explain import Explanation

__all__ = ["award_workbook_bytes", "money_format"]

_POINTS = "0.00"
_SCORE = "#,##0.00"
_COUNT = "0"
_SHARE = "0.0%"
_HHI = "#,##0"


def money_format(currency: str, places: int = 2) -> str:
    """An Excel number format for amounts in ``currency``, as the reports write them.

    ``"£"#,##0.00`` for pounds (-£3.10 when negative), ``#,##0.00 "EUR"`` for others.
    """
    number = "#,##0" + ("." + "0" * places if places else "")
    return f'"£"{number}' if currency == "GBP" else f'{number} "{currency}"'


def award_workbook_bytes(
    award: Award, explanation: Explanation, *, comparison: Comparison | None = None
) -> bytes:
    """The award workbook: summary, award, rankings, scores, moderation, rule_costs.

    Args:
        award: The solved award.
        explanation: Its explanation with rule costs (``optimiser.explain_award``).
        comparison: The tender's scenarios compared (``tender.compare.compare_scenarios``),
            written as a ``comparison`` sheet; ``None`` when the tender has none.
    """
    from openpyxl import Workbook

    from tender.xlsx import add_sheet, save_workbook_bytes

    currency = award.tender.info.currency
    book = Workbook()
    book.remove(book.active)
    sheets = [
        _award(award, currency),
        _rankings(award, explanation, currency),
        _scores(award, currency),
        _moderation(award),
        _rule_costs(explanation, currency),
    ]
    if comparison is not None:
        sheets.append(_comparison(comparison))
    _add_summary(book, award, currency)
    for title, columns, rows, formats in sheets:
        add_sheet(book, title, columns, rows, formats=formats)
    stamp = datetime.combine(award.tender.info.award_decision_date, time(0))
    return save_workbook_bytes(book, stamp)


Sheet = tuple[str, list[str], list[list[Any]], dict[str, str]]


def _add_summary(book: Workbook, award: Award, currency: str) -> None:
    """The summary sheet: one item per row, each value with its own number format."""
    from tender.xlsx import add_sheet

    tender, totals, solver = award.tender, award.totals, award.result.solver
    measured = measure(BASELINE, award)
    money = money_format(currency, 0)
    hours_weighted = tender.rules.objective == "hours_weighted"
    maximised = "what the award maximises"
    rows: list[tuple[str, Any, str | None, str | None]] = [
        ("tender", f"{tender.info.id}: {tender.info.title}", None, None),
        ("authority", tender.info.authority, None, None),
        ("award_decision_date", tender.info.award_decision_date.isoformat(), None, None),
        ("currency", currency, None, None),
        ("lots", totals.lots, _COUNT, None),
        ("lots_covered", totals.lots_covered, _COUNT, None),
        ("lots_vacant", totals.lots_vacant, _COUNT, "lots with no provider"),
        ("places_vacant", totals.places_vacant, _COUNT, "unfilled places, all lots"),
        ("appointments", measured.appointments, _COUNT, None),
        ("providers", totals.providers, _COUNT, "distinct providers appointed"),
        (
            "total_score",
            measured.total_score,
            _SCORE,
            "the appointed bids' totals added up" + ("" if hours_weighted else f": {maximised}"),
        ),
        ("mean_score", measured.mean_score, _POINTS, "the mean total of an appointed bid"),
    ]
    if hours_weighted:
        rows.append(
            (
                "hours_weighted_score",
                totals.score,
                _SCORE,
                f"each appointed total times its lot's hours per week, added up: {maximised}",
            )
        )
    rows += [
        ("annual_cost", totals.annual_cost, money, "hours per week x 52 x rate, all lots"),
        ("budget_per_year", totals.budget_per_year, money, None),
        ("headroom", measured.headroom, money, "budget_per_year minus annual_cost"),
        (
            "largest_share",
            totals.largest_share,
            _SHARE,
            f"largest provider's share of {tender.rules.share_basis} hours",
        ),
        ("largest_share_bidder", totals.largest_share_bidder, None, None),
        ("hhi", totals.hhi, _HHI, "Herfindahl-Hirschman index of awarded hours (0-10,000)"),
        ("sme_share", measured.sme_share, _SHARE, "share of awarded hours held by SMEs"),
        ("status", award.result.status.value, None, None),
        ("proven_optimal", award.proven, None, None),
        ("solver", f"{solver.solver} {solver.version}", None, None),
    ]
    sheet = add_sheet(
        book, "summary", ["item", "value", "note"], [[i, v, n] for i, v, _, n in rows]
    )
    for number, (_, value, fmt, _) in enumerate(rows, start=2):
        if fmt and value is not None:
            sheet.cell(row=number, column=2).number_format = fmt


def _comparison(comparison: Comparison) -> Sheet:
    """compare.csv as a sheet: the baseline and each scenario, one per row."""
    money = money_format(comparison.currency, 0)
    formats = {
        **dict.fromkeys(
            ["lots", "lots_covered", "places_vacant", "appointments", "providers", "lots_changed"],
            _COUNT,
        ),
        "lots_compared": _COUNT,
        "total_score": _SCORE,
        "mean_score": _POINTS,
        "annual_cost": money,
        "budget_per_year": money,
        "headroom": money,
        "largest_share": _SHARE,
        "hhi": _HHI,
        "sme_share": _SHARE,
    }
    return "comparison", list(COMPARE_COLUMNS), compare_rows(comparison), formats


def _award(award: Award, currency: str) -> Sheet:
    names = {b.bidder_id: b.name for b in award.tender.bidders}
    rows: list[list[Any]] = []
    for lot, outcome in zip(award.tender.lots, award.lots, strict=True):
        head = [lot.lot_id, lot.name, lot.group]
        for a in outcome.appointments:
            rows.append(
                [
                    *head,
                    a.bidder_id,
                    names[a.bidder_id],
                    a.total,
                    a.rank,
                    a.rate,
                    a.hours_per_week,
                    a.weekly_cost,
                    a.annual_cost,
                    None,
                ]
            )
        if outcome.vacant_places:
            places = outcome.vacant_places
            reason = f"{places} place{'s' if places > 1 else ''} unfilled: {outcome.reason}"
            rows.append([*head, None, None, None, None, None, None, None, None, reason])
    formats = {
        "total": _POINTS,
        "rank": "0",
        "rate": money_format(currency),
        "hours_per_week": "#,##0.##",
        "weekly_cost": money_format(currency),
        "annual_cost": money_format(currency, 0),
    }
    return "award", list(AWARD_COLUMNS), rows, formats


def _rankings(award: Award, explanation: Explanation, currency: str) -> Sheet:
    names = {b.bidder_id: b.name for b in award.tender.bidders}
    lots = {lot.lot_id: lot for lot in award.tender.lots}
    outcomes = {o.lot_id: o for o in award.lots}
    why: dict[tuple[str, str], str] = {}
    for lot_why in explanation.lots:
        for reason in lot_why.reasons:
            bidder_id, _, text = reason.partition(": ")
            why[(lot_why.lot_id, bidder_id)] = text
    rows: list[list[Any]] = []
    for bid in award.scores.bids:
        outcome = outcomes[bid.lot_id]
        appointed = any(a.bidder_id == bid.bidder_id for a in outcome.appointments)
        status = "appointed" if appointed else "reserve" if bid.compliant else "non-compliant"
        note = why.get((bid.lot_id, bid.bidder_id)) or "; ".join(bid.reasons) or None
        rows.append(
            [
                bid.lot_id,
                lots[bid.lot_id].name,
                bid.rank,
                bid.bidder_id,
                names[bid.bidder_id],
                bid.total,
                bid.quality_points,
                bid.price_points,
                bid.rate,
                bid.gap_to_above,
                status,
                note,
            ]
        )
    columns = [
        "lot_id",
        "lot_name",
        "rank",
        "bidder_id",
        "bidder_name",
        "total",
        "quality_points",
        "price_points",
        "rate",
        "gap_to_above",
        "outcome",
        "why",
    ]
    formats = {
        "rank": "0",
        "total": _POINTS,
        "quality_points": _POINTS,
        "price_points": _POINTS,
        "rate": money_format(currency),
        "gap_to_above": _POINTS,
    }
    return "rankings", columns, rows, formats


def _scores(award: Award, currency: str) -> Sheet:
    tender = award.tender
    names = {b.bidder_id: b.name for b in tender.bidders}
    criteria = [c.id for c in tender.criteria]
    per_criterion = [f"{c} {part}" for c in criteria for part in ("mark", "points")]
    # scores.csv's columns, each criterion as its mark and its points.
    columns = [*SCORES_COLUMNS[:4], *per_criterion, *SCORES_COLUMNS[4:]]
    rows: list[list[Any]] = []
    for bid in award.scores.bids:
        marks = {m.criterion_id: m for m in bid.marks}
        cells: list[Any] = []
        for c in criteria:
            mark = marks.get(c)
            cells += [mark.mark, mark.points] if mark else [None, None]
        rows.append(
            [
                bid.lot_id,
                bid.bidder_id,
                names[bid.bidder_id],
                bid.rate,
                *cells,
                bid.quality_points,
                bid.price_points,
                bid.total,
                bid.rank,
                bid.gap_to_above,
                bid.compliant,
                bid.abnormally_low,
                "; ".join(bid.reasons) or None,
            ]
        )
    formats = dict.fromkeys(
        [*per_criterion, "quality_points", "price_points", "total", "gap_to_above"], _POINTS
    )
    formats.update(rate=money_format(currency), rank=_COUNT)
    return "scores", columns, rows, formats


def _moderation(award: Award) -> Sheet:
    """Every bidder's criterion with its evaluators' marks, spread, flag and consensus."""
    tender = award.tender
    names = {b.bidder_id: b.name for b in tender.bidders}
    criteria = {c.id: c.name for c in tender.criteria}
    evaluators = sorted({m.evaluator for m in tender.marks})
    columns = [
        "bidder_id",
        "bidder_name",
        "criterion_id",
        "criterion",
        "lot_id",
        *evaluators,
        "spread",
        "flag",
        "consensus",
        "rationale",
    ]
    rows: list[list[Any]] = []
    for d in award.scores.divergences:
        given = dict(d.evaluator_marks)
        rows.append(
            [
                d.bidder_id,
                names[d.bidder_id],
                d.criterion_id,
                criteria[d.criterion_id],
                d.lot_id,
                *(given.get(e) for e in evaluators),
                d.spread,
                d.flag,
                d.consensus,
                d.rationale,
            ]
        )
    formats = dict.fromkeys([*evaluators, "consensus"], "0.##")
    formats["spread"] = _POINTS
    return "moderation", columns, rows, formats


def _rule_costs(explanation: Explanation, currency: str) -> Sheet:
    columns = [
        "rule",
        "binding",
        "awards_changed",
        "score_gain",
        "cost_change",
        "vacancies_filled",
        "status",
    ]
    rows: list[list[Any]] = [
        [
            c.rule,
            c.binding,
            c.awards_changed,
            c.score_gain,
            c.cost_change,
            c.vacancies_filled,
            c.status.value,
        ]
        for c in explanation.rule_costs
    ]
    formats = {
        "score_gain": _SCORE,
        "awards_changed": _COUNT,
        "vacancies_filled": _COUNT,
        "cost_change": money_format(currency, 0),
    }
    return "rule_costs", columns, rows, formats
