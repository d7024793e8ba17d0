"""compare.csv, rule_costs.csv and compare.json: a comparison of lotting options as data."""

from __future__ import annotations

import json
from typing import Any

from tender.compare import COMPARE_COLUMNS, Comparison, ScenarioResult
from tender.export.scores import csv_bytes, number
from tender.sensitivity import Sensitivity
from tender.withdraw import Withdrawal

__all__ = [
    "RULE_COST_COLUMNS",
    "WITHDRAWAL_COLUMNS",
    "compare_csv",
    "compare_json",
    "compare_rows",
    "margins_csv",
    "methods_csv",
    "reversals_csv",
    "rule_costs_csv",
    "sensitivity_json",
    "sweep_csv",
    "withdrawal_csv",
    "withdrawal_json",
]

#: The columns of rule_costs.csv: one row per scenario and rule that is set.
RULE_COST_COLUMNS = (
    "scenario",
    "rule",
    "binding",
    "score_gain",
    "cost_change",
    "vacancies_filled",
    "awards_changed",
    "status",
    "points_per_hour",
)


def _value(result: ScenarioResult, column: str) -> Any:
    return result.name if column == "scenario" else getattr(result, column)


def compare_rows(comparison: Comparison) -> list[list[Any]]:
    """The rows of compare.csv as values (numbers as numbers, ``None`` empty), for a sheet."""
    return [[_value(r, c) for c in COMPARE_COLUMNS] for r in comparison.results]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value)
    return str(value)


def compare_csv(comparison: Comparison) -> bytes:
    """One row per scenario, the baseline first, in :data:`COMPARE_COLUMNS` order."""
    rows = [[_text(v) for v in row] for row in compare_rows(comparison)]
    return csv_bytes(COMPARE_COLUMNS, rows)


def rule_costs_csv(comparison: Comparison) -> bytes:
    """What each rule costs in each scenario: the change if the rule were removed.

    ``points_per_hour`` is the change in the score of an average tendered hour (the
    optimiser's, a lot's hours split evenly between its providers), with the hours-weighted
    objective (empty with ``objective = "score"``).
    """
    hours_weighted = comparison.objective == "hours_weighted"
    rows = [
        [
            r.name,
            c.rule,
            "true" if c.binding else "false",
            number(c.score_gain),
            number(c.cost_change),
            str(c.vacancies_filled),
            str(c.awards_changed),
            c.status.value,
            _text(r.points(c, comparison.objective) if hours_weighted else None),
        ]
        for r in comparison.results
        for c in r.rule_costs
    ]
    return csv_bytes(RULE_COST_COLUMNS, rows)


def compare_json(comparison: Comparison) -> bytes:
    """The whole comparison, awards per lot included; the same bytes for the same inputs."""
    return _json(comparison.model_dump(mode="json"))


#: The columns of withdrawal.csv: one row per lot whose providers change.
WITHDRAWAL_COLUMNS = (
    "lot_id",
    "lot_name",
    "before",
    "after",
    "score_before",
    "score_after",
    "annual_cost_before",
    "annual_cost_after",
    "vacant_places",
    "note",
)


def withdrawal_csv(withdrawal: Withdrawal) -> bytes:
    """One row per lot whose providers change; several providers are joined with spaces."""
    rows = [
        [
            c.lot_id,
            c.lot_name,
            " ".join(c.before),
            " ".join(c.after),
            number(c.score_before),
            number(c.score_after),
            number(c.cost_before),
            number(c.cost_after),
            str(c.vacant_places),
            c.note,
        ]
        for c in withdrawal.changes
    ]
    return csv_bytes(WITHDRAWAL_COLUMNS, rows)


def withdrawal_json(withdrawal: Withdrawal) -> bytes:
    """The withdrawal as data; the same bytes for the same inputs."""
    return _json(withdrawal.model_dump(mode="json"))


def sweep_csv(result: Sensitivity) -> bytes:
    """One row per price method and quality weight: the lots awarded differently.

    ``changes`` says who holds each such lot in the tender's award and who here
    (``4:B01>B03``, several providers joined by ``+``, ``vacant`` for none), space-separated.
    """
    rows = [
        [
            p.price_method,
            number(p.quality_weight),
            number(100 - p.quality_weight),
            str(len(p.lots_changed)),
            " ".join(p.lots_changed),
            p.status,
            " ".join(
                f"{c.lot_id}:{'+'.join(c.before) or 'vacant'}>{'+'.join(c.after) or 'vacant'}"
                for c in p.changes
            ),
        ]
        for p in result.points
    ]
    header = (
        "price_method",
        "quality_weight",
        "price_weight",
        "lots_changed",
        "lots",
        "status",
        "changes",
    )
    return csv_bytes(header, rows)


def methods_csv(result: Sensitivity) -> bytes:
    """Each lot another price method ranks differently from the tender's, at one weighting."""
    rows = [
        [
            number(d.quality_weight),
            d.lot_id,
            d.price_method,
            d.leader or "",
            d.tendered_method,
            d.tendered_leader or "",
            str(d.pairs_swapped),
        ]
        for d in result.method_differences
    ]
    header = (
        "quality_weight",
        "lot_id",
        "price_method",
        "leader",
        "tendered_method",
        "tendered_leader",
        "pairs_swapped",
    )
    return csv_bytes(header, rows)


def reversals_csv(result: Sensitivity) -> bytes:
    """Every pair of bidders that swap places in a lot, with the weight where they are level."""
    rows = [
        [r.price_method, r.lot_id, r.ahead_above, r.ahead_below, number(r.weight)]
        for r in result.reversals
    ]
    return csv_bytes(("price_method", "lot_id", "ahead_above", "ahead_below", "weight"), rows)


def margins_csv(result: Sensitivity) -> bytes:
    """Each appointment's stability margin (empty: no one else could take the lot)."""
    rows = [
        [m.lot_id, m.bidder_id, number(m.total), number(m.margin), " ".join(m.goes_to)]
        for m in result.margins
    ]
    return csv_bytes(("lot_id", "bidder_id", "total", "margin", "goes_to"), rows)


def sensitivity_json(result: Sensitivity) -> bytes:
    """The whole sensitivity analysis as data; the same bytes for the same inputs."""
    return _json(result.model_dump(mode="json"))


def _json(data: Any) -> bytes:
    """JSON as every tender export writes it: sorted keys, indented, UTF-8, a final newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
