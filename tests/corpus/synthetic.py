"""Write tender folders from plain data, for tests that generate tenders (hypothesis, time-outs).

Kept apart from the code under test: it writes the documented folder format (DESIGN.md) with
the standard library only, so a test built on it checks the loader rather than trusting it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CRITERIA", "SyntheticTender", "toml_value", "write_tender"]

#: (id, weight, max_score, min_score): two criteria worth the 60 quality points.
CRITERIA: tuple[tuple[str, float, float, float | None], ...] = (
    ("Q1", 30, 5, 2),
    ("Q2", 30, 5, None),
)


@dataclass
class SyntheticTender:
    """A tender as rows; ``marks`` maps a bidder to its score per criterion (one evaluator)."""

    lots: list[dict[str, object]]
    bidders: list[dict[str, object]]
    bids: list[dict[str, object]]
    marks: dict[str, Sequence[float]]
    rules: dict[str, object] = field(default_factory=dict)
    lower_rate: float = 14.5
    upper_rate: float = 17.5
    quality_pass_mark: float = 50


def toml_value(value: object) -> str:
    """A TOML literal for the few kinds of value the rules take."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buffer.getvalue()


def write_tender(folder: Path, tender: SyntheticTender) -> Path:
    """Write ``tender`` as a tender folder and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    criteria = "".join(
        f'\n[[criteria]]\nid = "{cid}"\nname = "Criterion {cid}"\nweight = {weight}\n'
        f"max_score = {max_score}\n" + (f"min_score = {min_score}\n" if min_score else "")
        for cid, weight, max_score, min_score in CRITERIA
    )
    rules = "".join(f"{key} = {toml_value(value)}\n" for key, value in tender.rules.items())
    (folder / "tender.toml").write_text(
        '[tender]\nid = "synthetic"\ntitle = "Synthetic tender"\nauthority = "Test Council"\n'
        'regime = "pa2023"\naward_decision_date = 2026-12-01\n\n'
        "[evaluation]\nquality_weight = 60\nprice_weight = 40\n"
        f'price_method = "lowest_ratio"\nquality_pass_mark = {tender.quality_pass_mark}\n'
        f"{criteria}\n[price]\nlower_rate = {tender.lower_rate}\n"
        f"upper_rate = {tender.upper_rate}\n\n[rules]\n{rules}",
        encoding="utf-8",
    )
    lot_columns = ["lot_id", "name", "group", "hours_per_week", "min_providers", "max_providers"]
    (folder / "lots.csv").write_text(_csv(lot_columns, tender.lots), encoding="utf-8")
    bidder_columns = [
        "bidder_id",
        "name",
        "capacity_hours_per_week",
        "max_lots",
        "status",
        "status_reason",
    ]
    (folder / "bidders.csv").write_text(_csv(bidder_columns, tender.bidders), encoding="utf-8")
    bid_columns = ["bidder_id", "lot_id", "rate"]
    (folder / "bids.csv").write_text(_csv(bid_columns, tender.bids), encoding="utf-8")
    marks = [
        {"bidder_id": bidder_id, "criterion_id": cid, "evaluator": "E1", "score": score}
        for bidder_id, scores in sorted(tender.marks.items())
        for (cid, *_), score in zip(CRITERIA, scores, strict=True)
    ]
    mark_columns = ["bidder_id", "criterion_id", "evaluator", "score"]
    (folder / "marks.csv").write_text(_csv(mark_columns, marks), encoding="utf-8")
    return folder
