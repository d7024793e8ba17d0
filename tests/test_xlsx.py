"""Tender workbooks: round trips, errors located as sheet!cell, formulas, limits, bytes."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import FIXTURES, MINI

import tender.xlsx
from tender.errors import InputError
from tender.export.folder import folder_files, tender_toml, toml_value
from tender.load import load_tender
from tender.resources import template_text
from tender.xlsx import blank_workbook_bytes, workbook_bytes, write_workbook

EXAMPLES = sorted(p for p in FIXTURES.iterdir() if (p / "tender.toml").is_file())


def same(a, b) -> bool:
    """Equal tenders, whatever files they were read from (sources hold file hashes)."""
    return a.model_copy(update={"sources": ()}) == b.model_copy(update={"sources": ()})


def workbook(tmp_path: Path, folder: Path = MINI, name: str = "t.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(workbook_bytes(load_tender(folder)))
    return path


def edit(path: Path, changes: dict[str, dict[str, object]]) -> Path:
    """Edit cells as a user would in Excel: {"bids": {"B3": "L9"}}."""
    book = openpyxl.load_workbook(path)
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    book.save(path)
    return path


def sheet_number(path: Path, sheet: str) -> int:
    return openpyxl.load_workbook(path).sheetnames.index(sheet) + 1


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_tender(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("folder", [*EXAMPLES, MINI], ids=lambda p: p.name)
def test_round_trip_folder_xlsx_folder(folder: Path, tmp_path: Path) -> None:
    original = load_tender(folder)
    path = tmp_path / "t.xlsx"
    write_workbook(original, path)
    from_workbook = load_tender(path)
    assert same(from_workbook, original)
    back = tmp_path / "back"
    back.mkdir()
    for name, data in folder_files(from_workbook).items():
        (back / name).write_bytes(data)
    assert same(load_tender(back), original)
    assert from_workbook.sources[0].name == "t.xlsx"


def test_workbook_bytes_are_the_same_every_run(tmp_path: Path) -> None:
    tender = load_tender(FIXTURES / "htlah-2016")
    first = workbook_bytes(tender)
    assert workbook_bytes(tender) == first
    assert blank_workbook_bytes() == blank_workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    # The stamp comes from the tender (its decision date), never the clock.
    assert re.findall(r"<dcterms:(\w+)[^>]*>([^<]*)<", core) == [
        ("created", "2016-07-01T00:00:00Z"),
        ("modified", "2016-07-01T00:00:00Z"),
    ]


def test_typo_in_a_lot_id_is_located_as_excel_shows_it(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["bids"]
    assert [c.value for c in sheet[1]][:2] == ["bidder_id", "lot_id"]
    assert sheet["B3"].value == "L2"
    book.close()
    edit(path, {"bids": {"B3": "L22"}})
    assert problems(path) == ["bids!B3: lot_id: unknown lot 'L22' (not in sheet lots)"]


def test_every_problem_is_listed_with_its_cell(tmp_path: Path) -> None:
    path = edit(
        workbook(tmp_path),
        {
            "lots": {"D3": "lots"},
            "bidders": {"E2": "maybe"},
            "bids": {"C5": "cheap"},
            "tender": {"B8": 120},
        },
    )
    book = openpyxl.load_workbook(path)
    assert book["tender"]["A8"].value == "evaluation.quality_weight"
    assert book["bidders"]["E1"].value == "sme"
    assert problems(path) == [
        "tender!B8: evaluation.quality_weight: must be at most 100, not 120",
        "lots!D3: hours_per_week: not a number: 'lots'",
        "bidders!E2: sme: not true or false: 'maybe'",
        "bids!C5: rate: not a number: 'cheap'",
    ]


def test_numbers_typed_into_id_cells_read_as_ids(tmp_path: Path) -> None:
    folder = FIXTURES / "htlah-2016"  # lot ids are 1, 2, ... 18
    path = workbook(tmp_path, folder)
    edit(path, {"bids": {"B2": 1}, "lots": {"A2": 1.0}})
    assert same(load_tender(path), load_tender(folder))


def test_tender_sheet_key_problems(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    rows = {c.value: c.row for c in book["tender"]["A"]}
    book.close()
    edit(
        path,
        {
            "tender": {
                f"A{rows['evaluation.moderation']}": "moderation",
                f"A{rows['rules.max_lots_per_bidder']}": "rules.max_lots_per_bidde",
                f"A{rows['criteria.2.max_score']}": "criteria.two.max_score",
            }
        },
    )
    found = problems(path)
    assert found[0] == (
        f"tender!A{rows['evaluation.moderation']}: moderation: "
        "a key needs its table (did you mean 'evaluation.moderation'?)"
    )
    assert found[1].startswith(f"tender!A{rows['criteria.2.max_score']}: criteria.two.max_score")
    assert len(found) == 2  # key problems stop the load before the values are checked
    edit(
        path,
        {
            "tender": {
                f"A{rows['evaluation.moderation']}": "evaluation.moderation",
                f"A{rows['criteria.2.max_score']}": "criteria.2.max_score",
            }
        },
    )
    assert problems(path) == [
        f"tender!B{rows['rules.max_lots_per_bidder']}: rules.max_lots_per_bidde: "
        "unknown key (did you mean 'max_lots_per_bidder'?)"
    ]


def test_duplicate_key_and_missing_value(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    rows = {c.value: c.row for c in book["tender"]["A"]}
    last = book["tender"].max_row
    book.close()
    edit(path, {"tender": {f"A{last + 1}": "tender.title", f"B{last + 1}": "Again"}})
    assert problems(path) == [
        f"tender!A{last + 1}: tender.title: "
        f"duplicate key (first given in row {rows['tender.title']})"
    ]
    edit(path, {"tender": {f"A{last + 1}": None, f"B{last + 1}": None}})
    edit(path, {"tender": {f"B{rows['tender.title']}": None}})
    assert problems(path) == [f"tender!B{rows['tender.title']}: tender.title: required but empty"]


def test_sheets_missing_misspelt_or_out_of_place(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    book = openpyxl.load_workbook(path)
    book["moderation"].title = "moderations"
    del book["marks"]
    book["bids"].insert_rows(1)
    book.save(path)
    assert problems(path) == [  # in the folder's file order; unknown sheets last
        "bids!1:1: row 1 must hold the column names "
        "(bidder_id, lot_id, rate, reablement_rate, maintenance_rate)",
        "marks: missing: a tender workbook needs a sheet named marks",
        "moderations: unexpected sheet (did you mean moderation?)",
    ]


def test_unknown_column_is_named_with_its_cell(tmp_path: Path) -> None:
    path = edit(workbook(tmp_path), {"lots": {"D1": "hours_per_wek"}})
    assert problems(path) == [
        "lots!D1: hours_per_wek: unknown column (did you mean 'hours_per_week'?)",
        "lots!1:1: hours_per_week: missing column",
    ]


def test_a_formula_without_a_saved_value_is_an_error(tmp_path: Path) -> None:
    path = edit(workbook(tmp_path), {"bids": {"C3": "=14.5+0.5"}})
    [problem] = problems(path)
    assert problem.startswith("bids!C3: the formula =14.5+0.5 has no saved value")


def _with_saved_value(path: Path, sheet_file: str, formula: str, value: str) -> None:
    """Store a formula's result as Excel does on save (openpyxl cannot write one)."""
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    xml = entries[sheet_file].decode()
    xml, count = re.subn(
        rf"<f>{re.escape(formula)}</f><v\s*/>", f"<f>{formula}</f><v>{value}</v>", xml
    )
    assert count == 1
    entries[sheet_file] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_a_formula_counts_as_its_saved_value(tmp_path: Path) -> None:
    original = load_tender(MINI)
    path = workbook(tmp_path)
    rate = original.bids[1].rate
    edit(path, {"bids": {"C3": "=14.5+0.5"}})
    sheet_file = f"xl/worksheets/sheet{sheet_number(path, 'bids')}.xml"
    _with_saved_value(path, sheet_file, "14.5+0.5", repr(rate))
    assert same(load_tender(path), original)


def test_an_error_value_is_named(tmp_path: Path) -> None:
    path = edit(workbook(tmp_path), {"bids": {"C3": "=1/0"}})
    sheet_file = f"xl/worksheets/sheet{sheet_number(path, 'bids')}.xml"
    with zipfile.ZipFile(path) as archive:
        entries = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    entries[sheet_file] = entries[sheet_file].replace(
        b'<c r="C3"><f>1/0</f><v /></c>', b'<c r="C3" t="e"><v>#DIV/0!</v></c>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    assert problems(path) == ["bids!C3: the cell holds the error #DIV/0!: type the value"]


def test_not_a_workbook_and_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"lot_id,name\n")
    with pytest.raises(InputError, match=r"fake\.xlsx: .*not a readable \.xlsx workbook"):
        load_tender(fake)
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(InputError, match=r"an old \.xls\?"):
        load_tender(old)
    path = workbook(tmp_path)
    monkeypatch.setattr(tender.xlsx, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(InputError, match="too large: unpacks to"):
        load_tender(path)
    monkeypatch.setattr(tender.xlsx, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match="too large"):
        load_tender(path)


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tender.xlsx, "MAX_ROWS", 3)
    path = workbook(tmp_path)
    assert any(p.startswith("marks!") and "too many rows" in p for p in problems(path))


def test_hostile_text_is_stored_as_text_exactly(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    for name, data in folder_files(load_tender(MINI)).items():
        (folder / name).write_bytes(data)
    hostile = '=HYPERLINK("http://x","y")'
    quoted = '"' + hostile.replace('"', '""') + '"'
    text = (folder / "bidders.csv").read_text()
    assert text.splitlines()[1] == "B1,Alpha Care,true"
    (folder / "bidders.csv").write_text(text.replace("B1,Alpha Care,", f"B1,{quoted},"))
    original = load_tender(folder)
    assert original.bidder("B1").name == hostile
    path = tmp_path / "t.xlsx"
    write_workbook(original, path)
    cell = openpyxl.load_workbook(path)["bidders"]["B2"]
    # A text cell, never a formula: the tender's data is kept exactly.
    assert cell.data_type == "s"
    assert cell.value == original.bidder("B1").name
    assert same(load_tender(path), original)


def test_a_control_character_cannot_go_into_a_workbook(tmp_path: Path) -> None:
    original = load_tender(MINI)
    broken = original.model_copy(
        update={
            "bidders": (
                original.bidders[0].model_copy(update={"name": "A\x01B"}),
                *original.bidders[1:],
            )
        }
    )
    with pytest.raises(InputError, match=r"bidders\.csv: name: record 1 .*U\+0001"):
        workbook_bytes(broken)


def test_blank_workbook_has_headers_lists_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    path.write_bytes(blank_workbook_bytes())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["tender", "lots", "bidders", "bids", "marks", "moderation", "notes"]
    assert [c.value for c in book["lots"][1]] == [
        "lot_id",
        "name",
        "group",
        "hours_per_week",
        "band",
        "min_providers",
        "max_providers",
    ]
    lists = {
        str(v.sqref): (v.type, v.formula1) for v in book["bids"].data_validations.dataValidation
    }
    assert lists["A2:A1001"] == ("list", "bidders!$A$2:$A$1001")
    assert lists["B2:B1001"] == ("list", "lots!$A$2:$A$1001")
    marks = {str(v.sqref): v for v in book["marks"].data_validations.dataValidation}
    assert marks["B2:B1001"].type == "custom" and "criteria.*.id" in marks["B2:B1001"].formula1
    notes = {(r[0], r[1]) for r in book["notes"].iter_rows(min_row=2, values_only=True)}
    assert ("bids", "rate") in notes and ("tender", None) in notes
    keys = {r[0]: r[1] for r in book["tender"].iter_rows(min_row=2, values_only=True)}
    template = tomllib.loads(template_text("blank-tender.toml"))
    assert keys["evaluation.quality_weight"] == template["evaluation"]["quality_weight"]
    assert keys["criteria.1.id"] == "Q1" and keys["rules.max_lots_per_bidder"] is None
    # Empty sheets: the blank tender is incomplete, and says where.
    assert problems(path) == ["lots: no lots: the sheet has no data rows"]


def test_the_notes_sheet_and_empty_values_are_ignored(tmp_path: Path) -> None:
    path = edit(workbook(tmp_path), {"notes": {"D30": "=anything"}})
    assert same(load_tender(path), load_tender(MINI))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_toml_strings_round_trip(text: str) -> None:
    assert tomllib.loads(f"x = {toml_value(text)}")["x"] == text


def test_tender_toml_quotes_band_names_that_need_it() -> None:
    tender = load_tender(FIXTURES / "hcl-2021")
    price = tender.price.model_copy(
        update={"bands": {"a.b": tender.price.bands["urban"], **tender.price.bands}}
    )
    text = tender_toml(tender.model_copy(update={"price": price}))
    assert '[price.bands."a.b"]' in text
    assert tomllib.loads(text)["price"]["bands"]["a.b"]["upper_rate"] == 21


def test_scenarios_sheet_is_checked_row_by_row(tmp_path: Path) -> None:
    from tender.xlsx import carried_scenarios, scenario_texts

    texts = {"b-second": "[rules]\r\nmax_lots_per_bidder = 1\r\n", "a-first": "[rules]\n"}
    data = workbook_bytes(load_tender(MINI), scenarios=texts)
    assert data == workbook_bytes(load_tender(MINI), scenarios=texts)
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    assert openpyxl.load_workbook(path).sheetnames[-2:] == ["scenarios", "notes"]
    assert same(load_tender(path), load_tender(MINI))  # the tender is read without them
    found = scenario_texts(path)
    assert list(found) == ["a-first", "b-second"]  # sorted by name
    assert found["b-second"] == ("scenarios!B3", texts["b-second"])
    assert carried_scenarios(path) == texts
    edit(path, {"scenarios": {"A3": "a-first", "B2": " "}})
    assert [str(p) for p in caught(lambda: scenario_texts(path))] == [
        "scenarios!B2: scenario 'a-first': expected its TOML text",
        "scenarios!A3: scenario 'a-first' given twice",
    ]
    edit(path, {"scenarios": {"A1": "scenario"}})
    assert [str(p) for p in caught(lambda: scenario_texts(path))] == [
        "scenarios!A1: row 1 must be the headers name, toml"
    ]


def caught(call) -> list[object]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as error:
        call()
    return list(error.value.problems)
