"""scores.csv, scores.json and the moderation sheet: stable columns, UTF-8, dot decimals.

Numbers are written with six decimals (the internal precision a hand check needs, and the same
bytes on every platform); text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from tender.models import Scores, Tender
from tender.output import neutralise_cell

__all__ = [
    "SCORES_COLUMNS",
    "csv_bytes",
    "csv_line",
    "moderation_sheet_csv",
    "number",
    "scores_csv",
    "scores_json",
]

#: The fixed columns of scores.csv; one column per criterion (its id) follows ``rate``.
SCORES_COLUMNS = (
    "lot_id",
    "bidder_id",
    "bidder_name",
    "rate",
    "quality_points",
    "price_points",
    "total",
    "rank",
    "gap_to_above",
    "compliant",
    "abnormally_low",
    "reasons",
)


def number(value: float | None) -> str:
    """A number as scores.csv writes it: six decimals, empty for "not set"."""
    if value is None:
        return ""
    text = f"{value:.6f}"
    return "0.000000" if text == "-0.000000" else text


#: A number as this module writes it (``number``, ranks, counts): left as it is. ``float()``
#: would also accept `` 5``, ``\t5``, ``+5``, ``1_0`` or ``inf``, which are text to neutralise.
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_line(cells: Sequence[str]) -> str:
    """One CSV record and its line end: a cell with a comma, quote, CR or LF is quoted.

    ``csv.writer`` ending lines with LF leaves a lone CR in a cell unquoted, and a reader
    then splits the record there.
    """
    return ",".join(_quoted(c) if _QUOTE.search(c) else c for c in cells) + "\n"


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


_QUOTE = re.compile(r'[,"\r\n]')


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file as bytes: UTF-8, newline line ends, text cells (headers too) neutralised."""
    lines = [csv_line([_cell(cell) for cell in header])]
    lines += [csv_line([_cell(cell) for cell in row]) for row in rows]
    return "".join(lines).encode("utf-8")


def _cell(value: str) -> str:
    """Numbers pass as they are; any other text is neutralised against formula injection."""
    return value if _NUMBER.fullmatch(value) else neutralise_cell(value)


def scores_csv(tender: Tender, scores: Scores) -> bytes:
    """One row per bid, ordered by lot then rank; criterion marks after ``rate``."""
    criteria = [c.id for c in tender.criteria]
    names = {b.bidder_id: b.name for b in tender.bidders}
    header = [*SCORES_COLUMNS[:4], *criteria, *SCORES_COLUMNS[4:]]
    rows = []
    for bid in scores.bids:
        marks = {m.criterion_id: m.mark for m in bid.marks}
        rows.append(
            [
                bid.lot_id,
                bid.bidder_id,
                names[bid.bidder_id],
                number(bid.rate),
                *(number(marks.get(c)) for c in criteria),
                number(bid.quality_points),
                number(bid.price_points),
                number(bid.total),
                "" if bid.rank is None else str(bid.rank),
                number(bid.gap_to_above),
                "true" if bid.compliant else "false",
                "true" if bid.abnormally_low else "false",
                "; ".join(bid.reasons),
            ]
        )
    return csv_bytes(header, rows)


def scores_json(tender: Tender, scores: Scores) -> bytes:
    """The whole score sheet, with the working (evaluator marks, divergences) kept."""
    data = {
        "tender": tender.info.model_dump(mode="json"),
        "criteria": [c.model_dump(mode="json") for c in tender.criteria],
        "scores": scores.model_dump(mode="json"),
    }
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def moderation_sheet_csv(tender: Tender, scores: Scores) -> bytes:
    """The amber and red marks, worst first, for the panel's moderation meeting."""
    names = {b.bidder_id: b.name for b in tender.bidders}
    criteria = {c.id: c for c in tender.criteria}
    evaluators = sorted({m.evaluator for m in tender.marks})
    order = {"red": 0, "amber": 1}
    items = sorted(
        (d for d in scores.divergences if d.flag != "green"),
        key=lambda d: (order[d.flag], -d.spread, d.bidder_id, d.criterion_id, d.lot_id or ""),
    )
    header = [
        "flag",
        "bidder_id",
        "bidder_name",
        "criterion_id",
        "criterion",
        "lot_id",
        "spread",
        *evaluators,
        "consensus",
        "rationale",
    ]
    rows = []
    for d in items:
        given = dict(d.evaluator_marks)
        rows.append(
            [
                d.flag,
                d.bidder_id,
                names[d.bidder_id],
                d.criterion_id,
                criteria[d.criterion_id].name,
                d.lot_id or "",
                number(d.spread),
                *(number(given.get(e)) for e in evaluators),
                number(d.consensus),
                d.rationale or "",
            ]
        )
    return csv_bytes(header, rows)
