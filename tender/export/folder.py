"""A tender back as a tender folder: tender.toml and the CSV files, in the design's format.

Used by ``tender convert`` (a workbook to a folder) and by the workbook writer (the same rows).
Values are written so that loading them gives the same numbers: integral numbers without a
decimal point, others as the shortest text that reads back as the same float (``repr``).
The comments of a hand-written tender.toml are not kept: the data is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel

from tender.export.scores import csv_line
from tender.load import CSV_FILES, TOML_FILE
from tender.models import Tender

__all__ = ["folder_files", "table_rows", "tender_toml", "toml_value"]

#: The Tender field behind each CSV file.
_FIELDS = {
    "lots.csv": "lots",
    "bidders.csv": "bidders",
    "bids.csv": "bids",
    "marks.csv": "marks",
    "moderation.csv": "moderation",
}

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def table_rows(
    tender: Tender, name: str, *, all_columns: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """The columns and rows of one CSV file (``"bids.csv"``), values as Python objects.

    Args:
        tender: The tender.
        name: A CSV file name of the folder.
        all_columns: Every optional column (a workbook shows them all); else only the
            optional columns some row uses, as a hand-written file would have.

    Returns:
        The header and one list of values per row (``None`` for "not set").
    """
    spec = CSV_FILES[name]
    records: tuple[BaseModel, ...] = getattr(tender, _FIELDS[name])
    fields = spec.model.model_fields
    columns = [
        c
        for c in spec.columns
        if c in spec.required
        or all_columns
        or any(getattr(r, c) is not None and getattr(r, c) != fields[c].default for r in records)
    ]
    return columns, [[getattr(r, c) for c in columns] for r in records]


def folder_files(tender: Tender, *, with_moderation: bool = False) -> dict[str, bytes]:
    """The files of a tender folder: tender.toml and the CSVs (moderation.csv if it has rows).

    Args:
        tender: The tender.
        with_moderation: Write moderation.csv even without rows (to replace a stale one).
    """
    files = {TOML_FILE: tender_toml(tender).encode("utf-8")}
    for name in CSV_FILES:
        if name == "moderation.csv" and not tender.moderation and not with_moderation:
            continue
        columns, rows = table_rows(tender, name)
        lines = [csv_line(columns), *(csv_line([_csv_text(v) for v in row]) for row in rows)]
        files[name] = "".join(lines).encode("utf-8")
    return files


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    """Integral numbers without ``.0``; others as the shortest text of the same float."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings, numbers, booleans, dates, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, str):
        # A JSON string is a TOML basic string, except that TOML also forbids a raw DEL.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_value(key)


def _dump(model: BaseModel) -> dict[str, Any]:
    # Unset fields keep their defaults on reading, so leaving them out mirrors the original.
    return model.model_dump(exclude_unset=True, exclude_none=True)


def _table(header: str, values: dict[str, Any]) -> Iterator[str]:
    yield ""
    yield header
    for key, value in values.items():
        if isinstance(value, dict) and not value:
            continue
        yield f"{_key(key)} = {toml_value(value)}"


def tender_toml(tender: Tender) -> str:
    """tender.toml for the tender, with only the keys that are set.

    Tables: ``[tender]``, ``[evaluation]``, ``[[criteria]]``, ``[price]`` (and
    ``[price.bands.NAME]``) and ``[rules]``.
    """
    lines = [f"# {TOML_FILE} of {tender.info.id}, written by tender convert."]
    lines += _table("[tender]", _dump(tender.info))
    lines += _table("[evaluation]", _dump(tender.evaluation))
    for criterion in tender.criteria:
        lines += _table("[[criteria]]", _dump(criterion))
    price = _dump(tender.price)
    bands = price.pop("bands", {})
    if price or bands:
        lines += _table("[price]", price)
    for band, rates in bands.items():
        lines += _table(f"[price.bands.{_key(band)}]", rates)
    rules = _dump(tender.rules)
    if rules:
        lines += _table("[rules]", rules)
    return "\n".join(lines) + "\n"
