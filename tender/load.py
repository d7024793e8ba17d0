"""Read a tender folder into a :class:`~tender.models.Tender`, or say precisely what is wrong.

The only reader of the input files. Every problem is located as a spreadsheet user would look
for it (``bids.csv:7: rate: not a number: 'abc'``: the header is row 1) and one run reports all
problems found, up to :data:`~tender.errors.MAX_PROBLEMS`, so a file can be fixed in one pass:
the checks across rows and files run on every row that passed its own checks, skipping only
those whose inputs failed, and the problems are listed by file, then row.
The standard library's ``csv`` is used rather than pandas so ``tender validate`` starts fast.

A workbook (:mod:`tender.xlsx`) is read into the same rows and goes through the same checks
(:func:`tender_from_rows`), so both sources give the same messages.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tender.errors import MAX_PROBLEMS, InputError, Problem
from tender.models import (
    ID_PATTERN,
    REFERENCES_CHECKED,
    Bid,
    Bidder,
    Criterion,
    Evaluation,
    Lot,
    Mark,
    Moderation,
    PriceRules,
    Rules,
    SourceFile,
    Tender,
    TenderInfo,
    Unread,
    closest,
    find_reference_problems,
    share_fields_sets,
)
from tender.scenarios import Scenario

__all__ = [
    "CSV_FILES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "TOML_FILE",
    "Locate",
    "Table",
    "load_scenario",
    "load_tender",
    "scenario_from_toml",
    "scenario_paths",
    "tender_from_rows",
]

TOML_FILE = "tender.toml"

#: Larger inputs are refused before they are read: a real tender's files are kilobytes.
MAX_FILE_BYTES = 64 * 1024 * 1024

#: Data rows per CSV file: this bounds memory (a bid takes about 2 KB loaded, scored and in
#: the award problem). The largest benchmark tender, 2,000 lots x 1,000 bidders, has 601,344
#: bids; no real tender comes near.
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class CsvSpec:
    """One CSV file of the folder: the model of a row and its columns."""

    model: type[BaseModel]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    #: Where a problem spanning the whole row (a model validator) is reported.
    row_column: str
    needed: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def key(self) -> str:
        """The id other files refer to a row by (for bids, marks, moderation: the bidder)."""
        return self.required[0]


CSV_FILES: dict[str, CsvSpec] = {
    "lots.csv": CsvSpec(
        Lot,
        ("lot_id", "name", "group", "hours_per_week"),
        ("band", "min_providers", "max_providers"),
        "max_providers",
    ),
    "bidders.csv": CsvSpec(
        Bidder,
        ("bidder_id", "name"),
        ("capacity_hours_per_week", "max_lots", "sme", "status", "status_reason"),
        "status_reason",
    ),
    "bids.csv": CsvSpec(
        Bid, ("bidder_id", "lot_id", "rate"), ("reablement_rate", "maintenance_rate"), "rate"
    ),
    "marks.csv": CsvSpec(
        Mark, ("bidder_id", "criterion_id", "evaluator", "score"), ("lot_id", "comment"), "score"
    ),
    "moderation.csv": CsvSpec(
        Moderation,
        ("bidder_id", "criterion_id", "score", "rationale"),
        ("lot_id",),
        "score",
        needed=False,
    ),
}

#: The tables of tender.toml and the model each one must satisfy.
TOML_TABLES: dict[str, type[BaseModel]] = {
    "tender": TenderInfo,
    "evaluation": Evaluation,
    "price": PriceRules,
    "rules": Rules,
}
TOML_REQUIRED = ("tender", "evaluation", "criteria")

#: Where a key path of tender.toml (``("criteria", 0, "weight")``) is written: its row or line.
Locate = Callable[[tuple[Any, ...]], int | None]


@dataclass(frozen=True)
class Table:
    """One CSV file's content as read from any source: header and ``(row, cells)`` records.

    ``row`` is the row number a spreadsheet shows (the header is row 1), so a problem found
    in a record is reported where the user will look for it. ``unread`` holds records the
    source could not use (a workbook's formula without a saved value), already reported:
    they are not checked again, but their ids keep other files' references to them quiet.
    """

    header: list[str]
    records: Iterable[tuple[int, list[str]]]
    unread: Iterable[tuple[int, list[str]]] = ()


class _TooMany(Exception):
    """Raised inside the loader once MAX_PROBLEMS have been collected."""


#: The order problems are listed in: the folder's files (or a workbook's sheets) in turn.
_FILE_ORDER = [Path(TOML_FILE).stem, *(Path(name).stem for name in CSV_FILES)]


def _problem_order(problem: Problem) -> tuple[int, int]:
    """File in the folder's order, then row; a workbook reader's ``bids!C5`` falls in place."""
    name, _, cell = problem.file.partition("!")
    stem = name.removesuffix(".csv").removesuffix(".toml")
    rank = _FILE_ORDER.index(stem) if stem in _FILE_ORDER else len(_FILE_ORDER)
    row = problem.row
    if row is None:
        digits = re.search(r"\d+", cell)
        row = int(digits.group()) if digits else 0
    return rank, row


@dataclass
class _Problems:
    """Collects problems; stops the load once there are too many to be useful."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(file, row, column, message))
        if len(self.items) >= MAX_PROBLEMS:
            raise _TooMany

    def error(self, *, truncated: bool = False) -> InputError:
        """Every problem, listed by file then row (stable: a row's problems keep their order)."""
        return InputError(problems=sorted(self.items, key=_problem_order), truncated=truncated)

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class _Read:
    """One file's records that passed their own checks, and the ids of those that did not."""

    models: list[BaseModel] = field(default_factory=list)
    #: The spreadsheet row of each model.
    rows: list[int] = field(default_factory=list)
    #: Ids of the rows that failed; ``None`` when the file, or a failed row's id, is unknown.
    unread: set[str] | None = field(default_factory=set)

    def forget(self, key: str | None) -> None:
        """Note a row that failed its own checks, by its id when that is a readable one."""
        if key is None or not re.fullmatch(ID_PATTERN, key):
            self.unread = None
        elif self.unread is not None:
            self.unread.add(key)


def _unreadable() -> _Read:
    return _Read(unread=None)


@dataclass
class _Config:
    """tender.toml as read: each table's model, or ``None`` where the table failed its checks."""

    info: TenderInfo | None = None
    evaluation: Evaluation | None = None
    price: PriceRules | None = None
    rules: Rules | None = None
    criteria: tuple[Criterion, ...] = ()
    #: Ids of criteria that failed; ``None`` when the criteria could not be read at all.
    unread_criteria: frozenset[str] | None = None


def load_tender(folder: Path | str) -> Tender:
    """Load and validate a tender folder or workbook.

    Args:
        folder: a folder holding tender.toml, lots.csv, bidders.csv, bids.csv, marks.csv and
            optionally moderation.csv; or an ``.xlsx`` workbook with sheets of those names.

    Returns:
        The validated tender, with the SHA-256 of every file read in ``sources``.

    Raises:
        InputError: with every problem found (file, row, column and a plain message).
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError("no such folder", file=str(folder))
    if folder.is_file() and folder.suffix.lower() in (".xlsx", ".xlsm"):
        from tender.xlsx import read_workbook  # openpyxl is slow to import: only when needed

        return read_workbook(folder)
    if not folder.is_dir():
        hint = " (a tender is a folder or an .xlsx workbook)" if folder.suffix else ""
        raise InputError(f"not a tender folder{hint}", file=str(folder))
    problems = _Problems()
    try:
        return _load(folder, problems)
    except _TooMany:
        raise problems.error(truncated=True) from None


def tender_from_rows(
    config: Mapping[str, Any] | None,
    tables: Mapping[str, Table | None],
    *,
    locate: Locate,
    sources: Sequence[SourceFile] = (),
    found: Sequence[Problem] = (),
) -> Tender:
    """Validate a tender given as rows, exactly as the files of a folder are validated.

    Args:
        config: tender.toml as parsed data (``None``: missing or unreadable, already reported).
        tables: per CSV file name (``"bids.csv"``), its rows; ``None`` for a file that is
            present but unreadable (already reported), no entry for a missing one.
        locate: the row (or line) where a tender.toml key path is written.
        sources: the files read, for the audit trail.
        found: problems the reader has already found (unreadable cells, missing sheets).

    Raises:
        InputError: every problem, located as for a folder (``bids.csv``, row, column): the
            caller translates the locations to its own (a workbook's ``bids!C17``).
    """
    problems = _Problems()
    try:
        for problem in found:
            problems.add(problem.file, problem.row, problem.column, problem.message)
        parsed = _parse_config(config, locate, problems) if config is not None else _Config()
        tables_read: dict[str, _Read] = {}
        for name, spec in CSV_FILES.items():
            table = tables.get(name)
            if table is not None:
                tables_read[name] = _parse_table(table, name, spec, problems)
            elif name in tables or spec.needed:
                tables_read[name] = _unreadable()
            else:
                tables_read[name] = _Read()
        return _build(parsed, tables_read, locate, sources, problems)
    except _TooMany:
        raise problems.error(truncated=True) from None


def _load(folder: Path, problems: _Problems) -> Tender:
    sources: list[SourceFile] = []
    texts: dict[str, str | None] = {}
    absent: set[str] = set()
    for name in (TOML_FILE, *CSV_FILES):
        path = folder / name
        if not path.is_file():
            spec = CSV_FILES.get(name)
            if path.exists():  # a folder, or a link to a device such as /dev/zero
                problems.add(name, None, None, "not a regular file: expected a text file")
            elif spec is None or spec.needed:
                problems.add(name, None, None, f"missing: a tender folder needs {name}")
            else:
                absent.add(name)
            texts[name] = None
            continue
        texts[name] = _read_text(path, name, problems, sources)
    _check_extra_files(folder, problems)

    toml_text = texts[TOML_FILE]
    config = _parse_toml(toml_text, problems) if toml_text is not None else _Config()
    tables: dict[str, _Read] = {}
    for name, spec in CSV_FILES.items():
        text = texts[name]
        if text is not None:
            tables[name] = _parse_csv(text, name, spec, problems)
        else:
            tables[name] = _Read() if name in absent else _unreadable()
    return _build(config, tables, lambda loc: _toml_line(toml_text or "", loc), sources, problems)


def _build(
    config: _Config,
    tables: dict[str, _Read],
    locate: Locate,
    sources: Sequence[SourceFile],
    problems: _Problems,
) -> Tender:
    """The checks across rows and files, on every row and table that passed its own checks."""
    unread: dict[str, frozenset[str] | None] = {
        name: None if read.unread is None else frozenset(read.unread)
        for name, read in tables.items()
        if read.unread is None or read.unread
    }
    if config.unread_criteria is None or config.unread_criteria:
        unread["criteria"] = config.unread_criteria
    models: dict[str, Any] = {
        "lots": tuple(tables["lots.csv"].models),
        "bidders": tuple(tables["bidders.csv"].models),
        "bids": tuple(tables["bids.csv"].models),
        "marks": tuple(tables["marks.csv"].models),
        "moderation": tuple(tables["moderation.csv"].models),
    }
    for ref in find_reference_problems(
        evaluation=config.evaluation,
        criteria=config.criteria,
        price=config.price,
        **models,
        rules=config.rules,
        unread=Unread(unread),
        from_files=True,
        row_of=lambda table, index: tables[table].rows[index],
    ):
        row = tables[ref.table].rows[ref.index] if ref.index is not None else None
        if ref.table == TOML_FILE:
            row = locate(tuple(ref.column.split(".")) if ref.column else ())
        problems.add(ref.table, row, ref.column, ref.message)
    if problems:
        raise problems.error()
    assert config.info and config.evaluation and config.price and config.rules  # else problems
    fields = {
        "info": config.info,
        "evaluation": config.evaluation,
        "criteria": config.criteria,
        "price": config.price,
        "rules": config.rules,
        **models,
        "sources": tuple(sorted(sources, key=lambda s: s.name)),
    }
    # find_reference_problems ran above on these very rows, with the file-only checks too, and
    # found nothing: Tender need not run it again. Unless some rows went unread with no problem
    # said (a reader's slip): then it ran on less, and Tender's own run still counts.
    context = REFERENCES_CHECKED if not unread else None
    return Tender.model_validate(fields, context=context)


def _check_extra_files(folder: Path, problems: _Problems) -> None:
    """A misspelt optional file (``moderations.csv``) would be silently ignored: say so."""
    known = {TOML_FILE, *CSV_FILES}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in known:
            close = closest(path.name, sorted(known))
            hint = f" (did you mean {close}?)" if close else ""
            problems.add(path.name, None, None, f"unexpected file{hint}")


def _read_text(path: Path, name: str, problems: _Problems, sources: list[SourceFile]) -> str | None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.add(
            name,
            None,
            None,
            f"too large: {size:,} bytes (the limit is {MAX_FILE_BYTES:,}); is this the right file?",
        )
        return None
    data = path.read_bytes()
    sources.append(SourceFile(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data)))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" and some exports: readable, but not the agreed encoding.
        problems.add(name, 1, None, "UTF-16 text: save the file as UTF-8 (CSV UTF-8 in Excel)")
        return None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        problems.add(name, line, None, "binary data (a NUL byte): expected UTF-8 text")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.add(
            name,
            line,
            None,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}): "
            "save the file as UTF-8 (CSV UTF-8 in Excel)",
        )
        return None
    if not text.strip():
        problems.add(name, None, None, "empty file")
        return None
    return text


# --- tender.toml ---------------------------------------------------------------------------


def _parse_toml(text: str, problems: _Problems) -> _Config:
    """Parse and validate tender.toml into the tables of :class:`Tender`."""
    raw = _decode_toml(text, problems)
    if raw is None:
        return _Config()
    return _parse_config(raw, lambda loc: _toml_line(text, loc), problems)


def _parse_config(raw: Mapping[str, Any], locate: Locate, problems: _Problems) -> _Config:
    """Validate tender.toml's data (from the file or a workbook's tender sheet).

    Each table is checked on its own, so a bad ``[price]`` still lets the criteria be checked
    against the marks.
    """
    for key in sorted(raw):
        if key in (*TOML_TABLES, "criteria"):
            continue
        line = locate((key,))
        if isinstance(raw[key], dict | list):
            known = [*TOML_TABLES, "criteria"]
            problems.add(TOML_FILE, line, key, _unknown(key, known, "table"))
        else:
            problems.add(
                TOML_FILE, line, key, "a key outside any table: is a [table] header missing?"
            )
    for key in TOML_REQUIRED:
        if key not in raw:
            header = "[[criteria]]" if key == "criteria" else f"[{key}]"
            problems.add(TOML_FILE, None, key, f"missing: tender.toml needs a {header} table")
    tables: dict[str, Any] = {}
    for key, model in TOML_TABLES.items():
        value = raw.get(key, {})
        if not isinstance(value, dict):
            problems.add(TOML_FILE, locate((key,)), key, "must be a table")
            tables[key] = None
            continue
        tables[key] = _validate(model, value, locate, (key,), problems)
    criteria, unread = _parse_criteria(raw, locate, problems)
    return _Config(
        info=tables["tender"],
        evaluation=tables["evaluation"],
        price=tables["price"],
        rules=tables["rules"],
        criteria=criteria,
        unread_criteria=unread,
    )


def _parse_criteria(
    raw: Mapping[str, Any], locate: Locate, problems: _Problems
) -> tuple[tuple[Criterion, ...], frozenset[str] | None]:
    """The criteria that read, and the ids of those that did not (``None``: unknown)."""
    criteria = raw.get("criteria", [])
    # A missing [[criteria]] is reported already; "no criteria" would only say it again.
    unread: set[str] | None = set() if "criteria" in raw else None
    if not isinstance(criteria, list) or not all(isinstance(c, dict) for c in criteria):
        problems.add(TOML_FILE, locate(("criteria",)), "criteria", "must be [[criteria]] tables")
        criteria, unread = [], None
    read: list[Criterion] = []
    for index, item in enumerate(criteria):
        criterion = _validate(Criterion, item, locate, ("criteria", index), problems)
        if criterion is not None:
            read.append(criterion)
            continue
        criterion_id = item.get("id")
        if unread is not None and isinstance(criterion_id, str):
            if re.fullmatch(ID_PATTERN, criterion_id):
                unread.add(criterion_id)
                continue
        unread = None
    return tuple(read), None if unread is None else frozenset(unread)


def _decode_toml(text: str, problems: _Problems) -> dict[str, Any] | None:
    """The TOML document, or ``None`` with the problem (and its line) recorded."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in str(exc):
            line = len(text.splitlines()) or 1  # a file cut short: point at its last line
        problems.add(TOML_FILE, line, None, f"not valid TOML: {exc}")
    except RecursionError:
        # tomllib recurses per nesting level: ``x = [[[[...]]]]`` thousands deep.
        problems.add(TOML_FILE, None, None, "not valid TOML: values nested too deeply")
    return None


def _validate(
    model: type[BaseModel],
    value: dict[str, Any],
    locate: Locate,
    path: tuple[Any, ...],
    problems: _Problems,
) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        for err in exc.errors():
            loc = (*path, *err["loc"])
            column = ".".join(str(p) for p in loc if not isinstance(p, int))
            if err["type"] == "extra_forbidden":
                known = list(_fields_at(model, err["loc"][:-1]))
                message = _unknown(str(err["loc"][-1]), known, "key")
            else:
                message = _message(err)
            problems.add(TOML_FILE, locate(loc), column, message)
        return None


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> Iterable[str]:
    """The field names valid at ``loc`` inside ``model`` (for "did you mean" suggestions)."""
    current: Any = model
    for part in loc:
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            # a dict entry such as price.bands.<band>: its values are BandPrice tables
            args = getattr(current, "__args__", ())
            current = args[-1] if args else None
            continue
        annotation = info.annotation
        current = next(
            (
                a
                for a in getattr(annotation, "__args__", (annotation,))
                if hasattr(a, "model_fields")
            ),
            annotation,
        )
    return getattr(current, "model_fields", {}).keys()


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _toml_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of tender.toml where ``loc`` (a key path) is written, for error messages.

    ``tomllib`` gives no positions, so this walks the table headers: a guess that is right for
    the hand-written files tender.toml is meant to be, and falls back to the table's header.
    """
    names = [str(p) for p in loc if not isinstance(p, int)]
    array_index = next((p for p in loc if isinstance(p, int)), None)
    if not names:
        return None
    best: int | None = None
    section: list[str] = []
    seen_arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            section = [s.strip() for s in header.group(1).split(".")]
            if line.strip().startswith("[["):
                key = ".".join(section)
                seen_arrays[key] = seen_arrays.get(key, -1) + 1
            in_array = array_index is None or seen_arrays.get(".".join(section), 0) == array_index
            if section == names[: len(section)] and in_array and best is None:
                best = number
            continue
        if section != names[: len(section)] or len(names) <= len(section):
            continue
        if array_index is not None and seen_arrays.get(".".join(section)) != array_index:
            continue
        key = names[len(section)]
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return best


# --- CSV files -----------------------------------------------------------------------------


def _parse_csv(text: str, name: str, spec: CsvSpec, problems: _Problems) -> _Read:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.add(name, None, None, "empty file")
        return _unreadable()
    except csv.Error as exc:
        problems.add(name, 1, None, f"not a readable CSV: {exc}")
        return _unreadable()
    if not _header_ok(_named(header), name, spec, problems):
        return _unreadable()
    if text.count("\n") > MAX_ROWS + 1 and _too_many_rows(text, name, problems):
        return _unreadable()
    records = _CsvRecords(reader, name, problems)
    read = _parse_records(header, records, name, spec, problems)
    if records.broken:
        read.unread = None  # the rows after the break were never seen
    return read


@dataclass
class _CsvRecords:
    """A CSV file's records with their row numbers; a malformed one ends them, reported."""

    reader: Iterable[list[str]]
    name: str
    problems: _Problems
    broken: bool = False

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        row_number = 1
        try:
            for row_number, cells in enumerate(self.reader, start=2):
                yield row_number, cells
        except csv.Error as exc:
            self.broken = True
            self.problems.add(self.name, row_number + 1, None, f"not a readable CSV: {exc}")


def _parse_table(table: Table, name: str, spec: CsvSpec, problems: _Problems) -> _Read:
    header = [h.strip() for h in table.header]
    if not any(header):
        problems.add(name, None, None, "empty file")
        return _unreadable()
    if not _header_ok(_named(header), name, spec, problems):
        return _unreadable()
    read = _parse_records(header, table.records, name, spec, problems)
    named = _named(header)
    for _, cells in table.unread:
        read.forget(dict(zip(named, (c.strip() for c in cells), strict=False)).get(spec.key))
    return read


def _named(header: list[str]) -> list[str]:
    """The header without trailing blank names: Excel saves a column once typed in and cleared."""
    end = len(header)
    while end and not header[end - 1]:
        end -= 1
    return header[:end]


def _parse_records(
    header: list[str],
    records: Iterable[tuple[int, list[str]]],
    name: str,
    spec: CsvSpec,
    problems: _Problems,
) -> _Read:
    """Validate each record against its model: the one row check, whatever the source.

    Columns with no name at the end of the header are allowed while their cells are empty.
    """
    named = _named(header)
    width, named_width = len(header), len(named)
    validate = spec.model.model_validate
    read = _Read()
    # Once per row of files of 10^5 rows and more: each cell is stripped once, and the
    # unnamed columns are only looked at when the row reaches them.
    for row_number, cells in records:
        stripped = [c.strip() for c in cells]
        if not any(stripped):
            continue
        if not named_width <= len(cells) <= width:
            problems.add(
                name,
                row_number,
                None,
                f"{len(cells)} cells but the header has {width} columns",
            )
            read.forget(None)  # which cell is which is anybody's guess
            continue
        record = {col: cell for col, cell in zip(named, stripped, strict=False) if cell}
        if len(cells) > named_width:
            stray = [(n, c) for n, c in enumerate(stripped) if n >= named_width and c]
            for number, cell in stray[:1]:
                problems.add(
                    name,
                    row_number,
                    None,
                    f"{cell!r} in column {number + 1}, which has no name in row 1: "
                    "name the column or clear the cell",
                )
        try:
            model = validate(record)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else spec.row_column
                problems.add(name, row_number, column, _message(err))
            read.forget(record.get(spec.key))
            continue
        read.models.append(model)
        read.rows.append(row_number)
        if len(read.models) % _SHARED_EVERY == 0:
            share_fields_sets(read.models[-_SHARED_EVERY:])
    share_fields_sets(read.models[-_SHARED_EVERY:])
    return read


#: Rows read between two calls of :func:`share_fields_sets`: often enough that a large file's
#: rows never hold a set each all at once, seldom enough to cost nothing.
_SHARED_EVERY = 4096


def _too_many_rows(text: str, name: str, problems: _Problems) -> bool:
    """Count records without building models (newlines overcount: cells may hold them)."""
    records = 0
    try:
        for row_number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            records += row_number > 1 and any(c.strip() for c in cells)
            if records > MAX_ROWS:
                problems.add(
                    name,
                    row_number,
                    None,
                    f"too many rows: more than {MAX_ROWS:,} data rows; is this the right file?",
                )
                return True
    except csv.Error:
        pass  # the full parse reports it, with its row
    return False


def _header_ok(header: list[str], name: str, spec: CsvSpec, problems: _Problems) -> bool:
    ok = True
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.add(name, 1, column, "duplicate column")
            ok = False
        seen.add(column)
        if column not in spec.columns:
            problems.add(
                name, 1, column or "(blank)", _unknown(column, list(spec.columns), "column")
            )
            ok = False
    for column in spec.required:
        if column not in seen:
            problems.add(name, 1, column, "missing column")
            ok = False
    return ok


def _unknown(name: str, known: list[str], kind: str) -> str:
    close = closest(name, known)
    hint = f"did you mean {close!r}?" if close else f"expected one of: {', '.join(known)}"
    return f"unknown {kind} ({hint})"


_CURRENCY_SIGNS = "£$€"
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def _number_hint(value: Any) -> str:
    """How to write a number typed as a spreadsheet shows it (``£15.00``, ``2,000``).

    Only a hint: the files hold plain dot-decimal numbers, and guessing what ``1,500`` meant
    (fifteen hundred, or one and a half) is the user's call, not the loader's.
    """
    if not isinstance(value, str):
        return ""
    text, reasons = value.strip(), []
    bare = text.strip(_CURRENCY_SIGNS).strip()
    if bare != text:
        text = bare
        reasons.append("no currency sign")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
        reasons.append("no thousands separator")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
        reasons.append("a dot for decimals")
    if not reasons:
        return ""
    try:
        float(text)
    except ValueError:
        return f" (numbers are written plainly: {', '.join(reasons)})"
    return f" (write {text}: {', '.join(reasons)})"


def _message(err: Any) -> str:
    """A pydantic error as a plain sentence an officer can act on."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    shown = repr(value) if isinstance(value, str) else value
    if kind == "missing":
        return "required but empty"
    if kind in ("float_parsing", "float_type"):
        return f"not a number: {shown}{_number_hint(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"not a whole number: {shown}{_number_hint(value)}"
    if kind == "finite_number":
        return f"not a finite number: {shown}"
    if kind.startswith("date"):
        return f"not a date: {shown} (write dates as YYYY-MM-DD, e.g. 2026-12-01)"
    if kind in ("bool_parsing", "bool_type"):
        return f"not true or false: {shown}"
    if kind == "string_pattern_mismatch":
        return (
            f"not a valid id: {shown} (use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, at most 64 characters)"
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": "at least",
            "greater_than": "above",
            "less_than_equal": "at most",
            "less_than": "below",
        }[kind]
        limit = next(iter(ctx.values()))
        return f"must be {words} {limit:g}, not {value}"
    if kind == "literal_error":
        return f"{shown} is not allowed: expected {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind in ("string_too_short", "string_too_long"):
        return f"{err['msg'].replace('String', 'text')}"
    return f"{err['msg']} (got {shown})"


# --- scenarios -----------------------------------------------------------------------------

SCENARIO_DIR = "scenarios"
#: Scenario files are a few lines by hand; anything this big is the wrong file.
MAX_SCENARIO_BYTES = 1024 * 1024


def scenario_paths(folder: Path | str) -> list[Path]:
    """The scenario files shipped in a tender folder, sorted by name."""
    return sorted((Path(folder) / SCENARIO_DIR).glob("*.toml"))


def _read_scenario_toml(text: str, shown: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=shown) from None
    except RecursionError:
        raise InputError("not valid TOML: values nested too deeply", file=shown) from None


def load_scenario(path: Path | str, folder: Path | str | None = None) -> Scenario:
    """Read a scenario file; a bare name is looked up in the tender folder's scenarios/.

    The file holds ``[scenario]`` (description, exclude_bidders, lots, merge, split) and any
    of ``[rules]``, ``[evaluation]``, ``[price]`` with the keys they override, and
    ``[criteria]`` with criterion weights; the text ``"none"`` removes a rule (TOML has no
    null).

    Raises:
        InputError: a missing file, bad TOML or an unknown key, named by file, line and key.
    """
    path = Path(path)
    if not path.suffix and folder is not None:
        path = Path(folder) / SCENARIO_DIR / f"{path.name}.toml"
    shown = f"{SCENARIO_DIR}/{path.name}" if path.parent.name == SCENARIO_DIR else str(path)
    if not path.is_file():
        known = ", ".join(p.stem for p in scenario_paths(folder)) if folder else ""
        hint = f" (scenarios here: {known})" if known else ""
        raise InputError(f"no such scenario file{hint}", file=shown)
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise InputError(
            f"too large for a scenario file (over {MAX_SCENARIO_BYTES:,} bytes)", file=shown
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=shown) from None
    return scenario_from_toml(text, name=path.stem, shown=shown)


def scenario_from_toml(text: str, *, name: str, shown: str) -> Scenario:
    """A scenario from its TOML text (a file's, or a workbook cell's), named ``name``.

    Raises:
        InputError: bad TOML or an unknown key, located in ``shown`` by line and key.
    """
    raw = _read_scenario_toml(text, shown)
    tables = ["scenario", "rules", "evaluation", "price", "criteria"]
    for table_name in raw:
        if table_name not in tables or not isinstance(raw[table_name], dict):
            raise InputError(
                _unknown(table_name, tables, "table"),
                file=shown,
                row=_toml_line(text, (table_name,)),
                column=table_name,
            )
    head = raw.pop("scenario", {})
    overrides: dict[str, Any] = {
        table: {k: (None if v == "none" else v) for k, v in raw.get(table, {}).items()}
        for table in ("rules", "evaluation", "price")
    }
    for table, model in (("rules", Rules), ("evaluation", Evaluation), ("price", PriceRules)):
        for key in overrides[table]:
            if key not in model.model_fields:
                raise InputError(
                    _unknown(key, list(model.model_fields), "key"),
                    file=shown,
                    row=_toml_line(text, (table, key)),
                    column=f"{table}.{key}",
                )
    fields = {"name": name, "source": shown, **head, **overrides}
    fields["criteria"] = raw.get("criteria", {})
    try:
        scenario = Scenario.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        table = "criteria" if loc and loc[0] == "criteria" else "scenario"
        key = loc[1] if table == "criteria" and len(loc) > 1 else (loc[0] if loc else "")
        raise InputError(
            _message(err),
            file=shown,
            row=_toml_line(text, (table, key)),
            column=f"{table}.{key}",
        ) from None
    for group in scenario.merge:
        # Checked again when the scenario is applied (a --set scenario has no file), but
        # here the line it is written on is known.
        if len(set(group)) < 2 or len(set(group)) != len(group):
            raise InputError(
                f"a merge needs two or more different lots, not {list(group)}",
                file=shown,
                row=_toml_line(text, ("scenario", "merge")),
                column="merge",
            )
    return scenario
