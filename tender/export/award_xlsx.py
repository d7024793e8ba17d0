"""award.xlsx: the award, rankings, scores, moderation log and rule costs in one workbook.

For the panel and the commissioner who sort and filter rather than read a PDF. Numbers are
numeric cells with number formats (two decimals for points, money for rates and costs), every
sheet has a frozen, filtered header row, and every text cell that a spreadsheet would run as a
formula (``=HYPERLINK(...)`` as a bidder's name) is neutralised. The same bytes on every run.
The scenario comparison is not included yet.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from tender.award import Award
from tender.export.award import AWARD_COLUMNS
from tender.export.scores import SCORES_COLUMNS

if TYPE_CHECKING:
    from optimiser.explain import Explanation

__all__ = ["award_workbook_bytes"]

_POINTS = "0.00"
_MONEY = "#,##0.00"
_WHOLE_MONEY = "#,##0"
_SHARE = "0.0%"


def award_workbook_bytes(award: Award, explanation: Explanation) -> bytes:
    """The award workbook: summary, award, rankings, scores, moderation, rule_costs.

    Args:
        award: The solved award.
        explanation: Its explanation with rule costs (``optimiser.explain_award``).
    """
    from openpyxl import Workbook

    from tender.xlsx import add_sheet, save_workbook_bytes

    book = Workbook()
    book.remove(book.active)
    for title, columns, rows, formats in (
        _summary(award),
        _award(award),
        _rankings(award, explanation),
        _scores(award),
        _moderation(award),
        _rule_costs(explanation),
    ):
        add_sheet(book, title, columns, rows, formats=formats, neutralise=True)
    stamp = datetime.combine(award.tender.info.award_decision_date, time(0))
    return save_workbook_bytes(book, stamp)


Sheet = tuple[str, list[str], list[list[Any]], dict[str, str]]


def _summary(award: Award) -> Sheet:
    tender, totals, solver = award.tender, award.totals, award.result.solver
    rows: list[list[Any]] = [
        ["tender", f"{tender.info.id}: {tender.info.title}"],
        ["authority", tender.info.authority],
        ["award_decision_date", tender.info.award_decision_date.isoformat()],
        ["currency", tender.info.currency],
        ["lots", totals.lots],
        ["lots_covered", totals.lots_covered],
        ["lots_vacant", totals.lots_vacant],
        ["places_vacant", totals.places_vacant],
        ["providers", totals.providers],
        ["score", totals.score],
        ["annual_cost", totals.annual_cost],
        ["budget_per_year", totals.budget_per_year],
        ["largest_share", totals.largest_share],
        ["largest_share_bidder", totals.largest_share_bidder],
        ["hhi", totals.hhi],
        ["status", award.result.status.value],
        ["proven_optimal", award.proven],
        ["solver", f"{solver.solver} {solver.version}"],
    ]
    return "summary", ["item", "value"], rows, {}


def _award(award: Award) -> Sheet:
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
        "rate": _MONEY,
        "hours_per_week": "#,##0.##",
        "weekly_cost": _MONEY,
        "annual_cost": _WHOLE_MONEY,
    }
    return "award", list(AWARD_COLUMNS), rows, formats


def _rankings(award: Award, explanation: Explanation) -> Sheet:
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
        "rate": _MONEY,
        "gap_to_above": _POINTS,
    }
    return "rankings", columns, rows, formats


def _scores(award: Award) -> Sheet:
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
    formats.update(rate=_MONEY, rank="0")
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


def _rule_costs(explanation: Explanation) -> Sheet:
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
    formats = {"score_gain": _POINTS, "cost_change": _WHOLE_MONEY}
    return "rule_costs", columns, rows, formats
