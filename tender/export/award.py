"""award.csv, award.json and solver.json.

award.json holds only what follows from the inputs (the award, vacancies, totals, ties), so
HiGHS and CBC write the same bytes; which solver ran, its version, bound and gap go to
solver.json, the audit record of the solve.
"""

from __future__ import annotations

import json
from typing import Any

from tender.award import Award
from tender.export.scores import csv_bytes, number

__all__ = ["AWARD_COLUMNS", "award_csv", "award_json", "solver_json"]

#: The fixed columns of award.csv. A vacant place is a row with an empty bidder_id.
AWARD_COLUMNS = (
    "lot_id",
    "lot_name",
    "group",
    "bidder_id",
    "bidder_name",
    "total",
    "rank",
    "rate",
    "hours_per_week",
    "weekly_cost",
    "annual_cost",
    "reason",
)


def award_csv(award: Award) -> bytes:
    """One row per appointment, and one per lot with unfilled places (with the reason)."""
    names = {b.bidder_id: b.name for b in award.tender.bidders}
    rows = []
    for lot, outcome in zip(award.tender.lots, award.lots, strict=True):
        for a in outcome.appointments:
            rows.append(
                [
                    lot.lot_id,
                    lot.name,
                    lot.group,
                    a.bidder_id,
                    names[a.bidder_id],
                    number(a.total),
                    str(a.rank),
                    number(a.rate),
                    number(a.hours_per_week),
                    number(a.weekly_cost),
                    number(a.annual_cost),
                    "",
                ]
            )
        if outcome.vacant_places:
            places = outcome.vacant_places
            reason = f"{places} place{'s' if places > 1 else ''} unfilled: {outcome.reason}"
            rows.append([lot.lot_id, lot.name, lot.group, "", "", "", "", "", "", "", "", reason])
    return csv_bytes(AWARD_COLUMNS, rows)


def award_data(award: Award) -> dict[str, Any]:
    """The award as plain data (the content of award.json)."""
    result = award.result
    return {
        "tender_id": award.tender.info.id,
        "status": result.status.value,
        "proven_optimal": result.status.proven,
        "objective": award.tender.rules.objective,
        "lots": [o.model_dump(mode="json") for o in award.lots],
        "totals": award.totals.model_dump(mode="json"),
        "group_shortfalls": [g.model_dump(mode="json") for g in result.group_shortfalls],
        "alternatives_checked": result.alternatives_checked,
        "alternatives": [a.model_dump(mode="json") for a in result.alternatives],
    }


def award_json(award: Award) -> bytes:
    """award.json: the same bytes for the same inputs, whichever solver ran."""
    return _json(award_data(award))


def solver_json(award: Award) -> bytes:
    """solver.json: which solver ran and how sure it is (bound, gap, each level's status)."""
    return _json(award.result.solver.model_dump(mode="json"))


def _json(data: Any) -> bytes:
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
