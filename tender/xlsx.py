"""Tender workbooks: a whole tender folder as one ``.xlsx`` file, read and written.

The workbook has the folder's files as sheets: ``lots``, ``bidders``, ``bids``, ``marks`` and
optionally ``moderation`` hold the CSV files (row 1 the same column names, then one row per
record); ``tender`` holds tender.toml as **key/value rows**: columns ``key`` and ``value``
(and ``note``, ignored), one row per TOML key written as its dotted path
(``evaluation.quality_weight``, ``rules.providers_per_lot.min``, ``price.bands.urban.upper_rate``)
and criteria numbered ``criteria.1.id``, ``criteria.1.weight``, ... A sheet ``notes`` explains
the others and is ignored on reading. An optional sheet ``scenarios`` carries the folder's
``scenarios/NAME.toml`` files, one row each: ``name`` and ``toml``, the file's text exactly
(:func:`scenario_texts`); the tender itself is read without it. Key/value rows rather than
TOML text in cells for the tender because a panel edits a workbook in Excel: one value per
cell, no quoting, and a wrong value is pointed at by its cell. An empty value means "not
set", as an empty CSV cell does.

Reading turns every cell into the text a CSV cell would hold and runs the folder's own checks
(:func:`tender.load.tender_from_rows`), so the messages are the same, located as Excel shows
them: ``bids!C17: rate: not a number: 'abc'``. A formula cell counts as the value Excel saved
with it; a formula with no saved value (a file written by a program and never opened in a
spreadsheet) is an error, not an empty cell. openpyxl is imported only here and in the award
workbook export, inside functions, so the light commands stay fast.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import tomllib
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tender.errors import MAX_PROBLEMS, InputError, Problem
from tender.export.folder import table_rows
from tender.load import (
    CSV_FILES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    TOML_FILE,
    Table,
    tender_from_rows,
)
from tender.models import (
    BandPrice,
    Criterion,
    Evaluation,
    PriceRules,
    Rules,
    SourceFile,
    Tender,
    TenderInfo,
)
from tender.output import write_outputs

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "MAX_UNZIPPED_BYTES",
    "NOTES_SHEET",
    "SCENARIOS_SHEET",
    "SHEETS",
    "TENDER_SHEET",
    "add_sheet",
    "blank_workbook_bytes",
    "carried_scenarios",
    "put_text",
    "read_workbook",
    "save_workbook_bytes",
    "scenario_texts",
    "workbook_bytes",
    "write_workbook",
]

TENDER_SHEET = "tender"
NOTES_SHEET = "notes"
SCENARIOS_SHEET = "scenarios"
_SCENARIO_COLUMNS = ("name", "toml")
#: The most characters an Excel cell holds.
MAX_CELL_CHARS = 32_767
#: A scenario name becomes a file name (scenarios/NAME.toml) when a workbook is converted.
_SCENARIO_NAME = re.compile(r"^[^./\\\x00-\x1f][^/\\\x00-\x1f]{0,99}$")
#: The sheet of each CSV file of the folder, in the folder's order.
SHEETS: dict[str, str] = {name.removesuffix(".csv"): name for name in CSV_FILES}
_TENDER_COLUMNS = ("key", "value", "note")

#: An .xlsx is a zip of XML: a few kilobytes can unpack to gigabytes, so the unpacked size is
#: checked before openpyxl reads it (a tender's workbook unpacks to megabytes).
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024

#: Rows the data validation lists of a written workbook cover beyond the rows it holds.
_SPARE_ROWS = 1000

#: Cells an .xlsx cannot hold at all (XML 1.0 forbids these control characters).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_EPOCH = datetime(2000, 1, 1)

_MODIFIED = re.compile(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


# --- reading -------------------------------------------------------------------------------


@dataclass
class _Sheets:
    """The cells of a workbook's sheets, as ``(row number, [(value, data_type), ...])``."""

    rows: dict[str, list[tuple[int, list[tuple[Any, str]]]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Rows with a cell that cannot be used (no saved formula value, an error value).
    bad_rows: set[tuple[str, int]] = field(default_factory=set)


def read_workbook(path: Path | str) -> Tender:
    """Load and validate a tender workbook.

    Args:
        path: an ``.xlsx`` file with sheets tender, lots, bidders, bids, marks and optionally
            moderation (see the module docstring for the tender sheet).

    Returns:
        The validated tender; ``sources`` holds the workbook's SHA-256.

    Raises:
        InputError: every problem found, located as ``sheet!cell`` (``bids!C17``).
    """
    path = Path(path)
    data = _read_bytes(path)
    source_file = _source(path, data)
    sheets = _read_sheets(data, path.name)
    found = list(sheets.problems)
    headers: dict[str, list[str]] = {}
    tables: dict[str, Table | None] = {}
    for sheet, name in SHEETS.items():
        if sheet not in sheets.rows:
            continue
        table = _table(sheet, sheets, found)
        tables[name] = table
        headers[name] = table.header if table is not None else []
    config, locate = _tender_config(sheets, found)
    try:
        return tender_from_rows(
            config, tables, locate=locate, sources=[source_file], found=found[:MAX_PROBLEMS]
        )
    except InputError as exc:
        problems = [_relocate(p, headers) for p in exc.problems]
        raise InputError(problems=problems, truncated=exc.truncated) from None


def scenario_texts(path: Path | str) -> dict[str, tuple[str, str]]:
    """The scenarios a workbook carries: name -> (its cell, as ``scenarios!B3``, its TOML text).

    Empty when the workbook has no ``scenarios`` sheet. The text is parsed only when a
    scenario is used (:func:`tender.load.scenario_from_toml`), as a folder's files are.

    Raises:
        InputError: a row without a usable name or text, or a name given twice, by cell.
    """
    path = Path(path)
    data = _read_bytes(path)
    book = _open(data, path.name, data_only=True)
    try:
        title = next((t for t in book.sheetnames if t.strip().lower() == SCENARIOS_SHEET), None)
        rows = [] if title is None else _sheet_cells(book[title], SCENARIOS_SHEET, [])
    finally:
        book.close()
    found: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    problems: list[Problem] = []
    if rows and [_text(v).strip() for v, _ in rows[0][1]] != list(_SCENARIO_COLUMNS):
        raise InputError(
            f"row 1 must be the headers {', '.join(_SCENARIO_COLUMNS)}",
            file=f"{SCENARIOS_SHEET}!A1",
        )
    for number, cells in rows[1:]:
        name, text = ([v for v, _ in cells] + [None, None])[:2]
        if not isinstance(name, str) or not _SCENARIO_NAME.match(name.strip()):
            problems.append(
                Problem(
                    f"{SCENARIOS_SHEET}!A{number}",
                    message="a scenario name is a file name: no '/', '\\', or leading '.'",
                )
            )
        elif name.strip() in seen:
            problems.append(
                Problem(f"{SCENARIOS_SHEET}!A{number}", message=f"scenario {name!r} given twice")
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(
                Problem(
                    f"{SCENARIOS_SHEET}!B{number}",
                    message=f"scenario {name.strip()!r}: expected its TOML text",
                )
            )
        else:
            found[name.strip()] = (f"{SCENARIOS_SHEET}!B{number}", text)
        if isinstance(name, str):
            seen.add(name.strip())
    if problems:
        raise InputError(problems=problems[:MAX_PROBLEMS])
    return found


def _read_bytes(path: Path) -> bytes:
    name = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"too large: {size:,} bytes (the limit is {MAX_FILE_BYTES:,}); is this the right file?",
            file=name,
        )
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        hint = " (an old .xls? save it as .xlsx)" if data.startswith(b"\xd0\xcf\x11\xe0") else ""
        raise InputError(
            f"not a tender folder, and not a readable .xlsx workbook (not a zip archive){hint}",
            file=name,
        ) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise InputError("not an .xlsx workbook (no xl/workbook.xml in the archive)", file=name)
    unzipped = sum(info.file_size for info in infos)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InputError(
            f"too large: unpacks to {unzipped:,} bytes (the limit is {MAX_UNZIPPED_BYTES:,})",
            file=name,
        )
    return data


def _source(path: Path, data: bytes) -> SourceFile:
    return SourceFile(name=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _open(data: bytes, name: str, *, data_only: bool) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, styles): values are unharmed.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, lxml errors... on damage
        raise InputError(f"not a readable .xlsx workbook: {exc}", file=name) from None


def _read_sheets(data: bytes, name: str) -> _Sheets:
    """Every known sheet's non-empty rows; formula cells replaced by their saved values."""
    sheets = _Sheets()
    book = _open(data, name, data_only=False)
    try:
        titles = _known_titles(book.sheetnames, sheets.problems)
        formulas: list[tuple[str, int, int]] = []
        for sheet, title in titles.items():
            sheets.rows[sheet] = _sheet_cells(book[title], sheet, sheets.problems)
            formulas += [
                (sheet, number, column)
                for number, cells in sheets.rows[sheet]
                for column, (_, kind) in enumerate(cells)
                if kind == "f"
            ]
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet fails only when its XML is parsed
        raise InputError(f"not a readable .xlsx workbook: {exc}", file=name) from None
    finally:
        book.close()
    if formulas:
        _use_saved_values(data, name, titles, sheets, formulas)
    for sheet, rows in sheets.rows.items():
        for number, cells in rows:
            for column, (value, kind) in enumerate(cells):
                if kind == "e":
                    sheets.problems.append(
                        Problem(
                            f"{sheet}!{_letter(column)}{number}",
                            message=f"the cell holds the error {value}: type the value",
                        )
                    )
                    sheets.bad_rows.add((sheet, number))
    return sheets


def _known_titles(titles: list[str], problems: list[Problem]) -> dict[str, str]:
    """Map each expected sheet to its title (matched ignoring case, as Excel does)."""
    expected = [TENDER_SHEET, *SHEETS]
    found: dict[str, str] = {}
    for title in titles:
        key = title.strip().lower()
        if key in expected:
            found[key] = title
        elif key not in (NOTES_SHEET, SCENARIOS_SHEET):
            close = difflib.get_close_matches(key, expected, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(Problem(title, message=f"unexpected sheet{hint}"))
    for sheet in expected:
        if sheet not in found and (sheet == TENDER_SHEET or CSV_FILES[SHEETS[sheet]].needed):
            problems.append(
                Problem(sheet, message=f"missing: a tender workbook needs a sheet named {sheet}")
            )
    return found


def _sheet_cells(
    worksheet: Any, sheet: str, problems: list[Problem]
) -> list[tuple[int, list[tuple[Any, str]]]]:
    # The dimension a writer records can be wrong; read up to the last row actually present.
    worksheet.reset_dimensions()
    rows: list[tuple[int, list[tuple[Any, str]]]] = []
    for number, row in enumerate(worksheet.iter_rows(min_row=1), start=1):
        cells = [(cell.value, cell.data_type) for cell in row]
        while cells and _blank(cells[-1][0]):
            cells.pop()
        if not cells:
            continue
        if len(rows) > MAX_ROWS:
            problems.append(
                Problem(
                    f"{sheet}!{number}:{number}",
                    message=f"too many rows: more than {MAX_ROWS:,} data rows; "
                    "is this the right sheet?",
                )
            )
            break
        rows.append((number, cells))
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _use_saved_values(
    data: bytes,
    name: str,
    titles: Mapping[str, str],
    sheets: _Sheets,
    formulas: list[tuple[str, int, int]],
) -> None:
    """Replace formulas by the values saved with them, or report a formula without one."""
    wanted = set(formulas)
    saved: dict[tuple[str, int, int], Any] = {}
    book = _open(data, name, data_only=True)
    try:
        for sheet in sorted({f[0] for f in formulas}):
            worksheet = book[titles[sheet]]
            worksheet.reset_dimensions()
            for number, row in enumerate(worksheet.iter_rows(min_row=1), start=1):
                for column, cell in enumerate(row):
                    if (sheet, number, column) in wanted:
                        saved[(sheet, number, column)] = (cell.value, cell.data_type)
    finally:
        book.close()
    for sheet, rows in sheets.rows.items():
        for number, cells in rows:
            for column, (formula, kind) in enumerate(cells):
                if kind != "f":
                    continue
                value = saved.get((sheet, number, column), (None, "n"))
                cells[column] = value
                if value[0] is None:
                    sheets.problems.append(
                        Problem(
                            f"{sheet}!{_letter(column)}{number}",
                            message=f"the formula {formula} has no saved value (the file was "
                            "never opened in a spreadsheet): open and save it in Excel or "
                            "LibreOffice, or type the value",
                        )
                    )
                    sheets.bad_rows.add((sheet, number))


def _letter(index: int) -> str:
    """The column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: Any) -> str:
    """A cell as the text a CSV cell would hold (numbers exact, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _table(sheet: str, sheets: _Sheets, found: list[Problem]) -> Table | None:
    """A CSV sheet as the loader's Table: row 1 the header, the rest records."""
    rows = sheets.rows[sheet]
    if not rows:
        found.append(Problem(sheet, message="empty sheet: row 1 needs the column names"))
        return None
    first, header_cells = rows[0]
    if first != 1:
        columns = ", ".join(CSV_FILES[SHEETS[sheet]].columns)
        found.append(
            Problem(f"{sheet}!1:1", message=f"row 1 must hold the column names ({columns})")
        )
        return None
    header = [_text(value).strip() for value, _ in header_cells]
    records = []
    unread = []
    for number, cells in rows[1:]:
        texts = [_text(value) for value, _ in cells]
        texts += [""] * (len(header) - len(texts))
        if (sheet, number) in sheets.bad_rows:
            # Already reported; checking it again would only repeat the problem, but its id
            # keeps references to it from being reported as unknown.
            unread.append((number, texts))
            continue
        records.append((number, texts))
    return Table(header=header, records=records, unread=unread)


@dataclass
class _Keys:
    """The tender sheet's keys: where each is written, to locate problems."""

    rows: dict[str, int] = field(default_factory=dict)
    #: criteria.N: the N of each criterion, in the order they are given to the loader.
    criteria: list[int] = field(default_factory=list)

    def locate(self, loc: tuple[Any, ...]) -> int | None:
        parts = [
            str(self.criteria[p] if p < len(self.criteria) else p + 1)
            if isinstance(p, int)
            else str(p)
            for p in loc
        ]
        key = ".".join(parts)
        if key in self.rows:
            return self.rows[key]
        return min((r for k, r in self.rows.items() if k.startswith(key + ".")), default=None)


def _tender_config(sheets: _Sheets, found: list[Problem]) -> tuple[dict[str, Any] | None, Any]:
    """tender.toml's data from the tender sheet's key/value rows, and where each key is."""
    keys = _Keys()
    rows = sheets.rows.get(TENDER_SHEET)
    if rows is None:
        return None, keys.locate
    columns = _tender_columns(rows, found)
    if columns is None:
        return None, keys.locate
    key_at, value_at = columns
    raw: dict[str, Any] = {}
    criteria: dict[int, dict[str, Any]] = {}
    before = len(found)
    for number, cells in rows[1:]:
        key = _text(cells[key_at][0]).strip() if key_at < len(cells) else ""
        value = _text(cells[value_at][0]).strip() if value_at < len(cells) else ""
        if (TENDER_SHEET, number) in sheets.bad_rows or not value:
            keys.rows.setdefault(key, number)
            continue
        where = f"{TENDER_SHEET}!{_letter(key_at)}{number}"
        if not key:
            found.append(Problem(where, message="a value without a key"))
            continue
        if key in keys.rows and keys.rows[key] != number:
            found.append(Problem(where, column=key, message=_duplicate_key(keys, key)))
            continue
        keys.rows[key] = number
        problem = _put_key(raw, criteria, key, value)
        if problem:
            found.append(Problem(where, column=key, message=problem))
    if len(found) > before:
        return None, keys.locate
    keys.criteria = sorted(criteria)
    if criteria:
        raw["criteria"] = [criteria[n] for n in keys.criteria]
    return raw, keys.locate


def _duplicate_key(keys: _Keys, key: str) -> str:
    return f"duplicate key (first given in row {keys.rows[key]})"


def _tender_columns(
    rows: list[tuple[int, list[tuple[Any, str]]]], found: list[Problem]
) -> tuple[int, int] | None:
    if not rows or rows[0][0] != 1:
        found.append(
            Problem(
                f"{TENDER_SHEET}!1:1",
                message="row 1 must hold the column names (key, value, note)",
            )
        )
        return None
    header = [_text(value).strip() for value, _ in rows[0][1]]
    ok = True
    for index, column in enumerate(header):
        if column not in _TENDER_COLUMNS:
            close = difflib.get_close_matches(column, _TENDER_COLUMNS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "expected key, value, note"
            found.append(
                Problem(
                    f"{TENDER_SHEET}!{_letter(index)}1",
                    column=column or "(blank)",
                    message=f"unknown column ({hint})",
                )
            )
            ok = False
    for column in ("key", "value"):
        if column not in header:
            found.append(Problem(f"{TENDER_SHEET}!1:1", column=column, message="missing column"))
            ok = False
    return (header.index("key"), header.index("value")) if ok else None


def _put_key(
    raw: dict[str, Any], criteria: dict[int, dict[str, Any]], key: str, value: str
) -> str | None:
    """Store ``key = value`` in the nested TOML data; a problem message if the key cannot be."""
    parts = key.split(".")
    if any(not p.strip() for p in parts):
        return "not a key: write table and key with dots, e.g. evaluation.quality_weight"
    if len(parts) == 1:
        close = [k for k in _known_keys() if k.endswith("." + key)]
        hint = f"did you mean {close[0]!r}?" if close else "e.g. evaluation.quality_weight"
        return f"a key needs its table ({hint})"
    if parts[0] == "criteria":
        if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) < 1:
            return "criteria keys are criteria.N.KEY with N = 1, 2, 3... (e.g. criteria.1.weight)"
        target = criteria.setdefault(int(parts[1]), {})
        parts = parts[2:]
    else:
        target = raw
    for part in parts[:-1]:
        inner = target.setdefault(part, {})
        if not isinstance(inner, dict):
            return f"{part!r} already has a value, so it cannot also hold keys"
        target = inner
    if isinstance(target.get(parts[-1]), dict):
        return "this key also has keys below it: give either a value or the keys below"
    target[parts[-1]] = value
    return None


def _relocate(problem: Problem, headers: Mapping[str, list[str]]) -> Problem:
    """A folder-style location (``bids.csv``, row 17, ``lot_id``) as Excel shows it."""
    message = _sheet_words(problem.message)
    if problem.file == TOML_FILE:
        value = _letter(_TENDER_COLUMNS.index("value"))
        where = f"{TENDER_SHEET}!{value}{problem.row}" if problem.row else TENDER_SHEET
        return Problem(where, None, problem.column, message)
    if problem.file not in headers:
        return Problem(problem.file, problem.row, problem.column, message)
    sheet = problem.file.removesuffix(".csv")
    if problem.row is None:
        return Problem(sheet, None, problem.column, message)
    header = headers[problem.file]
    column = "" if problem.column == "(blank)" else problem.column
    if column in header:
        where = f"{sheet}!{_letter(header.index(column))}{problem.row}"
    else:
        where = f"{sheet}!{problem.row}:{problem.row}"
    return Problem(where, None, problem.column, message)


_WORDS = [
    (re.compile(rf"\b{re.escape(name)}\b"), f"sheet {name.removesuffix('.csv')}")
    for name in CSV_FILES
] + [
    (re.compile(r"\btender\.toml\b"), f"sheet {TENDER_SHEET}"),
    (re.compile(r"\bempty file\b"), "empty sheet"),
    (re.compile(r"\bthe file has no data rows\b"), "the sheet has no data rows"),
]


def _sheet_words(message: str) -> str:
    for pattern, words in _WORDS:
        message = pattern.sub(words, message)
    return message


# --- the tender sheet's keys ---------------------------------------------------------------

#: What each key of the tender sheet means (shown in its ``note`` column).
KEY_NOTES: dict[str, str] = {
    "tender.id": "Tender id: letters, digits, '.', '_' or '-'.",
    "tender.title": "Title of the tender.",
    "tender.authority": "The contracting authority.",
    "tender.currency": "ISO 4217 currency code (default GBP).",
    "tender.regime": "pa2023 (Procurement Act 2023) or pcr2015: standstill and letters.",
    "tender.award_decision_date": "Date of the award decision, YYYY-MM-DD.",
    "evaluation.quality_weight": "Quality share of the total; quality + price weight = 100.",
    "evaluation.price_weight": "Price share of the total.",
    "evaluation.price_method": "lowest_ratio, linear or fixed.",
    "evaluation.moderation": "Without a consensus mark: mean or median of the evaluators.",
    "evaluation.quality_pass_mark": "Percent of quality_weight a bid must reach.",
    "evaluation.divergence_amber": "Evaluator spread / max_score that flags a mark amber.",
    "evaluation.divergence_red": "Spread that flags a mark red.",
    "criteria.N.id": "Criterion id (marks name it in criterion_id).",
    "criteria.N.name": "Criterion name.",
    "criteria.N.weight": "Its share of the quality points; weights add up to quality_weight.",
    "criteria.N.max_score": "Highest mark an evaluator can give.",
    "criteria.N.min_score": "Optional pass mark for this criterion.",
    "price.lower_rate": "Below: abnormally low, flagged (or rejected).",
    "price.upper_rate": "Above: non-compliant.",
    "price.fixed_rate": 'Only with price_method "fixed".',
    "price.below_lower": "flag or reject a rate below lower_rate.",
    "price.reablement_share": "Only with stepped tariffs: share of hours at the reablement rate.",
    "price.bands.NAME.lower_rate": "lower_rate for lots of band NAME.",
    "price.bands.NAME.upper_rate": "upper_rate for lots of band NAME.",
    "price.bands.NAME.fixed_rate": "fixed_rate for lots of band NAME.",
    "rules.providers_per_lot.min": "Fewest providers per lot (default 1).",
    "rules.providers_per_lot.max": "Most providers per lot (empty: no upper limit).",
    "rules.max_lots_per_bidder": "Most lots one bidder may win.",
    "rules.max_share_of_hours": "Largest share of the hours one bidder may win (0-1).",
    "rules.share_basis": "tendered (default) or awarded hours as the base of the share.",
    "rules.min_providers_per_group": "Fewest distinct providers across a group's lots.",
    "rules.max_lots_per_bidder_per_group": "Most lots one bidder may win in a group.",
    "rules.budget_per_year": "Affordability envelope: hours x 52 x rate.",
    "rules.vacancies": "allow (uncovered lots reported) or forbid (exit 3).",
    "rules.objective": "hours_weighted or score.",
}


def _known_keys() -> list[str]:
    return list(KEY_NOTES)


def _note(key: str) -> str:
    generic = re.sub(r"^criteria\.\d+\.", "criteria.N.", key)
    generic = re.sub(r"^price\.bands\.[^.]+\.", "price.bands.NAME.", generic)
    return KEY_NOTES.get(generic, "")


def _flatten(prefix: str, values: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, dict):
            yield from _flatten(f"{prefix}{key}.", value)
        else:
            yield f"{prefix}{key}", value


def _model_keys(prefix: str, model: type[Any], values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every field of ``model`` in order, with its value if set (nested ranges flattened)."""
    rows: list[tuple[str, Any]] = []
    for name in model.model_fields:
        value = values.get(name)
        if name == "providers_per_lot":
            value = value or {}
            rows += [(f"{prefix}{name}.{k}", value.get(k)) for k in ("min", "max")]
        elif name != "bands":
            rows.append((f"{prefix}{name}", value))
    return rows


def _tender_key_rows(config: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The tender sheet's rows: every known key, with the value of those that are set."""
    rows = _model_keys("tender.", TenderInfo, config.get("tender", {}))
    rows += _model_keys("evaluation.", Evaluation, config.get("evaluation", {}))
    for number, criterion in enumerate(config.get("criteria", []), start=1):
        rows += _model_keys(f"criteria.{number}.", Criterion, criterion)
    price = config.get("price", {})
    rows += _model_keys("price.", PriceRules, price)
    for band, rates in price.get("bands", {}).items():
        rows += _model_keys(f"price.bands.{band}.", BandPrice, rates)
    rows += _model_keys("rules.", Rules, config.get("rules", {}))
    return rows


def _config_of(tender: Tender) -> dict[str, Any]:
    def dump(model: Any) -> dict[str, Any]:
        return dict(model.model_dump(exclude_unset=True, exclude_none=True))

    return {
        "tender": dump(tender.info),
        "evaluation": dump(tender.evaluation),
        "criteria": [dump(c) for c in tender.criteria],
        "price": dump(tender.price),
        "rules": dump(tender.rules),
    }


# --- writing -------------------------------------------------------------------------------

#: What each column of the CSV sheets means (the notes sheet).
COLUMN_NOTES: dict[str, dict[str, str]] = {
    "lots": {
        "lot_id": "Lot id: letters, digits, '.', '_' or '-'.",
        "name": "Lot name.",
        "group": "Locality or area the lot belongs to.",
        "hours_per_week": "Hours of care per week.",
        "band": "Price band (price.bands.NAME in the tender sheet).",
        "min_providers": "Fewest providers for this lot (overrides the rule).",
        "max_providers": "Most providers for this lot (overrides the rule).",
    },
    "bidders": {
        "bidder_id": "Bidder id.",
        "name": "Bidder name.",
        "capacity_hours_per_week": "Most hours per week the bidder can take on.",
        "max_lots": "Most lots this bidder may win (the tighter of this and the rule applies).",
        "sme": "true or false.",
        "status": "active (default) or excluded.",
        "status_reason": "Why the bidder is excluded (required then).",
    },
    "bids": {
        "bidder_id": "A bidder_id of the bidders sheet.",
        "lot_id": "A lot_id of the lots sheet.",
        "rate": "Hourly rate; empty when the two stepped rates are given.",
        "reablement_rate": "Stepped tariff: the reablement rate.",
        "maintenance_rate": "Stepped tariff: the maintenance rate.",
    },
    "marks": {
        "bidder_id": "A bidder_id of the bidders sheet.",
        "criterion_id": "A criteria.N.id of the tender sheet.",
        "evaluator": "Who gave the mark.",
        "score": "The mark, from 0 to the criterion's max_score.",
        "lot_id": "Empty: the mark applies to every lot the bidder bids on.",
        "comment": "The evaluator's comment.",
    },
    "moderation": {
        "bidder_id": "A bidder_id of the bidders sheet.",
        "criterion_id": "A criteria.N.id of the tender sheet.",
        "score": "The panel's consensus mark: replaces the evaluators' marks.",
        "rationale": "Why the panel agreed this mark.",
        "lot_id": "Empty: the consensus applies to every lot.",
    },
}

SHEET_NOTES: dict[str, str] = {
    TENDER_SHEET: "tender.toml as key/value rows: the key's dotted path, its value; an empty "
    "value means not set. Criteria are numbered: criteria.1.id, criteria.1.weight...",
    "lots": "One row per lot (lots.csv).",
    "bidders": "One row per bidder (bidders.csv).",
    "bids": "One row per bid (bids.csv): a rate, or both stepped rates.",
    "marks": "One row per evaluator's mark (marks.csv).",
    "moderation": "Optional: the panel's consensus marks (moderation.csv).",
    SCENARIOS_SHEET: "Optional: lotting scenarios for tender compare, one per row: name (the "
    "file name, scenarios/NAME.toml) and toml (the file's text). Not part of the tender.",
    NOTES_SHEET: "This sheet; ignored when the workbook is read.",
}


def add_sheet(
    book: Workbook,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    formats: Mapping[str, str] | None = None,
    text_columns: Iterable[str] = (),
) -> Worksheet:
    """A sheet with a bold, frozen, filtered header row and fitted column widths.

    Every text is stored exactly, as a text cell (see :func:`put_text`), so a bidder named
    ``=HYPERLINK(...)`` is shown, never run, in a tender workbook and an export alike.

    Args:
        book: The workbook.
        title: The sheet's name.
        columns: Header names.
        rows: Values per row: text, numbers, booleans or ``None`` (empty).
        formats: Number format per column name (``"0.00"``).
        text_columns: Columns formatted as text (``@``), so ids typed later stay text.
    """
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    for index, column in enumerate(columns):
        cell = sheet.cell(row=1, column=index + 1)
        put_text(cell, column)
        cell.font = Font(bold=True)
    widths = [len(c) for c in columns]
    formats = formats or {}
    as_text = set(text_columns)
    for number, values in enumerate(rows, start=2):
        for index, value in enumerate(values):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=index + 1)
            if isinstance(value, str):
                text = put_text(cell, value)
                widths[index] = max(widths[index], len(text))
            else:
                cell.value = value
                fmt = formats.get(columns[index])
                if fmt:
                    cell.number_format = fmt
                widths[index] = max(widths[index], len(_text(value)) + 2)
    for index, column in enumerate(columns):
        letter = _letter(index)
        sheet.column_dimensions[letter].width = min(max(widths[index], 6) + 2, 60)
        if column in as_text:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{_letter(max(len(columns) - 1, 0))}{max(sheet.max_row, 1)}"
    return sheet


def put_text(cell: Any, value: str) -> str:
    """Store ``value`` in ``cell`` as text, never as a formula; return the text stored.

    openpyxl takes any text starting with ``=`` for a formula, so the cell is typed as text.
    Text a spreadsheet would run once edited (``=``, ``+``, ``-``, ``@``, tab, carriage
    return: :func:`tender.output.neutralise_cell`) also gets the quote-prefix style, Excel's
    own leading apostrophe: shown as typed, kept as text when the cell is edited, and the
    value read back is the text itself, not the text with a visible ``'``. Characters an
    .xlsx cannot hold become U+FFFD.
    """
    from tender.output import neutralise_cell

    text = _ILLEGAL.sub("\ufffd", value)
    cell.value = text
    cell.data_type = "s"
    if neutralise_cell(text) != text:
        cell.quotePrefix = True
    return text


def save_workbook_bytes(book: Workbook, stamp: datetime) -> bytes:
    """The workbook's bytes, the same on every run.

    openpyxl stamps the save time into docProps/core.xml (``modified``, whatever was set
    before saving) and into each zip entry; both are replaced by ``stamp`` (a date from the
    tender) and a fixed zip time. Carriage returns in cells are kept (see below).
    """
    book.properties.creator = "tender"
    book.properties.lastModifiedBy = None
    book.properties.created = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            data = source.read(info.filename)
            if info.filename.startswith(("xl/worksheets/", "xl/sharedStrings")):
                # A raw carriage return in XML text is read back as a line feed: a
                # character reference keeps it (Windows line ends in a scenario's text).
                data = data.replace(b"\r", b"&#13;")
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rf"\g<1>{when}\g<2>", data.decode("utf-8")).encode("utf-8")
            target.writestr(entry, data)
    return out.getvalue()


def _check_storable(tender: Tender) -> None:
    """An .xlsx cannot hold control characters: say which record has one, not crash."""
    problems = []
    for name in CSV_FILES:
        columns, rows = table_rows(tender, name, all_columns=True)
        for index, row in enumerate(rows):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str) and (bad := _ILLEGAL.search(value)):
                    problems.append(
                        Problem(
                            name,
                            None,
                            column,
                            f"record {index + 1} ({columns[0]} {row[0]!r}) holds the control "
                            f"character U+{ord(bad.group()):04X}, which a workbook cannot store",
                        )
                    )
    if problems:
        raise InputError(problems=problems[:MAX_PROBLEMS])


def carried_scenarios(source: Path | str) -> dict[str, str]:
    """The scenarios a tender folder (scenarios/NAME.toml) or workbook carries: name -> text.

    Each is parsed first, so only valid scenarios are carried into another form.

    Raises:
        InputError: a scenario that is not valid, or too long for a workbook cell.
    """
    from tender.load import load_scenario, scenario_from_toml, scenario_paths

    source = Path(source)
    texts: dict[str, str] = {}
    if source.is_file():
        for name, (where, text) in scenario_texts(source).items():
            scenario_from_toml(text, name=name, shown=where)
            texts[name] = text
        return texts
    for path in scenario_paths(source):
        scenario = load_scenario(path)
        text = path.read_bytes().decode("utf-8")  # not read_text: it would turn \r\n into \n
        if len(text) > MAX_CELL_CHARS:
            raise InputError(
                f"too long for a workbook cell ({len(text):,} characters, the limit is "
                f"{MAX_CELL_CHARS:,})",
                file=scenario.source,
            )
        if bad := _ILLEGAL.search(text):
            raise InputError(
                f"holds the control character U+{ord(bad.group()):04X}, which a workbook "
                "cannot store",
                file=scenario.source,
            )
        texts[path.stem] = text
    return texts


def workbook_bytes(tender: Tender, *, scenarios: Mapping[str, str] | None = None) -> bytes:
    """The tender as a workbook: the same bytes for the same tender.

    Args:
        tender: The tender.
        scenarios: Scenario TOML texts by name (:func:`carried_scenarios`), written as
            the ``scenarios`` sheet when there are any.

    Raises:
        InputError: a text holds a control character that a workbook cannot store.
    """
    _check_storable(tender)
    tables = {name: table_rows(tender, name, all_columns=True) for name in CSV_FILES}
    counts = {name.removesuffix(".csv"): len(rows) for name, (_, rows) in tables.items()}
    book = _tender_book(_tender_key_rows(_config_of(tender)), tables, counts)
    if scenarios:
        rows = [[name, text] for name, text in sorted(scenarios.items())]
        sheet = add_sheet(book, SCENARIOS_SHEET, _SCENARIO_COLUMNS, rows, text_columns=("name",))
        sheet.column_dimensions["B"].width = 80
        book.move_sheet(SCENARIOS_SHEET, offset=-1)  # before the notes, which stay last
    stamp = datetime.combine(tender.info.award_decision_date, time(0))
    return save_workbook_bytes(book, stamp)


def blank_workbook_bytes() -> bytes:
    """A workbook to fill in: the blank template's tender keys, headers, notes and lists."""
    from tender.resources import template_text

    config = tomllib.loads(template_text("blank-tender.toml"))
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        name: (list(spec.columns), []) for name, spec in CSV_FILES.items()
    }
    book = _tender_book(_tender_key_rows(config), tables, dict.fromkeys(SHEETS, 0))
    return save_workbook_bytes(book, _EPOCH)


def write_workbook(
    tender: Tender,
    path: Path | str,
    *,
    scenarios: Mapping[str, str] | None = None,
    force: bool = False,
) -> Path:
    """Write the tender as a workbook at ``path`` (atomically; never over a file unless ``force``).

    Raises:
        OutputExistsError: ``path`` exists and ``force`` is false.
        InputError: a text holds a control character that a workbook cannot store.
    """
    path = Path(path)
    data = workbook_bytes(tender, scenarios=scenarios)
    return write_outputs(path.parent, {path.name: data}, force=force)[0]


def _tender_book(
    keys: list[tuple[str, Any]],
    tables: Mapping[str, tuple[list[str], list[list[Any]]]],
    counts: Mapping[str, int],
) -> Workbook:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    values = [[key, _key_value(value), _note(key)] for key, value in keys]
    add_sheet(book, TENDER_SHEET, _TENDER_COLUMNS, values, text_columns=("key",))
    for name, (columns, rows) in tables.items():
        sheet = name.removesuffix(".csv")
        ids = [c for c in columns if c.endswith("_id") or c == "band"]
        add_sheet(book, sheet, columns, rows, text_columns=ids)
    _add_lists(book, tables, counts, len(values))
    notes = [[s, "", "", text] for s, text in SHEET_NOTES.items()]
    for sheet, columns in COLUMN_NOTES.items():
        spec = CSV_FILES[SHEETS[sheet]]
        notes += [
            [sheet, column, "yes" if column in spec.required else "no", text]
            for column, text in columns.items()
        ]
    add_sheet(book, NOTES_SHEET, ("sheet", "column", "required", "meaning"), notes)
    return book


def _key_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()  # text: a date cell would show in the reader's locale
    return value


def _add_lists(
    book: Workbook,
    tables: Mapping[str, tuple[list[str], list[list[Any]]]],
    counts: Mapping[str, int],
    tender_rows: int,
) -> None:
    """Drop-down lists of the known ids in the bids, marks and moderation sheets."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def source(sheet: str, column: str) -> str:
        letter = _letter(tables[SHEETS[sheet]][0].index(column))
        return f"{sheet}!${letter}$2:${letter}${counts[sheet] + 1 + _SPARE_ROWS}"

    lists = {"bidder_id": source("bidders", "bidder_id"), "lot_id": source("lots", "lot_id")}
    last_key = tender_rows + 1 + _SPARE_ROWS
    for sheet in ("bids", "marks", "moderation"):
        columns = tables[SHEETS[sheet]][0]
        end = counts[sheet] + 1 + _SPARE_ROWS
        for column in columns:
            letter = _letter(columns.index(column))
            if column in lists:
                rule = DataValidation(type="list", formula1=lists[column], allow_blank=True)
            elif column == "criterion_id":
                # Criterion ids live in the tender sheet's criteria.N.id rows: no contiguous
                # range to list, so a custom rule checks the typed id is one of them.
                rule = DataValidation(
                    type="custom",
                    formula1=f'COUNTIFS({TENDER_SHEET}!$A$2:$A${last_key},"criteria.*.id",'
                    f"{TENDER_SHEET}!$B$2:$B${last_key},{letter}2)>0",
                    allow_blank=True,
                )
            else:
                continue
            rule.error = f"Not a known {column.removesuffix('_id')}: add it to its sheet first."
            rule.errorTitle = f"Unknown {column}"
            rule.showErrorMessage = True
            book[sheet].add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{end}")
