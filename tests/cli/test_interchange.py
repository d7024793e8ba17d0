"""tender convert, tender export and tender init --xlsx through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from paths import FIXTURES, MINI

from tender import cli
from tender.export.folder import folder_files
from tender.export.scores import csv_bytes
from tender.load import load_tender
from tender.output import neutralise_cell
from tender.xlsx import add_sheet

HOSTILE = '=HYPERLINK("http://x","y")'


def run(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def same(a, b) -> bool:
    return a.model_copy(update={"sources": ()}) == b.model_copy(update={"sources": ()})


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The mini tender with bidder B1 named like a spreadsheet formula."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, data in folder_files(load_tender(MINI)).items():
        (folder / name).write_bytes(data)
    text = (folder / "bidders.csv").read_text()
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    (folder / "bidders.csv").write_text(text.replace("B1,Alpha Care,", f"B1,{quoted},"))
    assert load_tender(folder).bidder("B1").name == HOSTILE
    return folder


def test_convert_folder_to_workbook_and_back(tmp_path: Path) -> None:
    book = tmp_path / "htlah.xlsx"
    result = run("convert", str(FIXTURES / "htlah-2016"), str(book))
    assert result.exit_code == 0, result.output
    assert run("validate", str(book)).exit_code == 0
    back = tmp_path / "back"
    result = run("convert", str(book), str(back))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in back.iterdir()) == [
        "bidders.csv",
        "bids.csv",
        "lots.csv",
        "marks.csv",
        "moderation.csv",
        "tender.toml",
    ]
    assert same(load_tender(back), load_tender(FIXTURES / "htlah-2016"))


def test_convert_never_overwrites_without_force(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    book.write_bytes(b"mine")
    result = run("convert", str(MINI), str(book))
    assert result.exit_code == 2
    assert "already exists; use --force" in result.output
    assert book.read_bytes() == b"mine"
    assert run("convert", str(MINI), str(book), "--force").exit_code == 0
    assert same(load_tender(book), load_tender(MINI))


def test_convert_replaces_a_stale_moderation_file(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    assert run("convert", str(FIXTURES / "htlah-2016"), str(dest)).exit_code == 0
    assert (dest / "moderation.csv").read_text().count("\n") > 1
    assert run("convert", str(MINI), str(dest), "--force").exit_code == 0
    assert same(load_tender(dest), load_tender(MINI))


def test_a_hand_edited_workbook_error_names_sheet_and_cell(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    assert run("convert", str(MINI), str(book)).exit_code == 0
    workbook = openpyxl.load_workbook(book)
    workbook["marks"]["E1"] = "lot_id"
    workbook["bids"]["B6"] = "l2"  # the typo: ids are case-sensitive
    workbook.save(book)
    for command in ("validate", "score", "award", "explain", "report"):
        out = ["--out", str(tmp_path / "out")] if command == "report" else []
        result = run(command, str(book), *out)
        assert result.exit_code == 2, (command, result.output)
        assert "error: bids!B6: lot_id: unknown lot 'l2' (not in sheet lots)" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_every_command_runs_on_a_workbook(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    assert run("convert", str(MINI), str(book)).exit_code == 0
    for args in (["score", "--json"], ["award", "--json"], ["explain"]):
        on_folder = run(args[0], str(MINI), *args[1:])
        on_book = run(args[0], str(book), *args[1:])
        assert on_book.exit_code == on_folder.exit_code == 0, on_book.output
        assert on_book.output == on_folder.output


def test_export_xlsx_sheets_formats_and_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", str(MINI), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    first = (out / "award.xlsx").read_bytes()
    assert run("export", str(MINI), "--format", "xlsx", "--out", str(out)).exit_code == 2
    assert run("export", str(MINI), "--format", "xlsx", "--out", str(out), "--force").exit_code == 0
    assert (out / "award.xlsx").read_bytes() == first
    book = openpyxl.load_workbook(out / "award.xlsx")
    assert book.sheetnames == ["summary", "award", "rankings", "scores", "moderation", "rule_costs"]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.b for cell in sheet[1])
    scores = book["scores"]
    header = [c.value for c in scores[1]]
    assert header[:6] == ["lot_id", "bidder_id", "bidder_name", "rate", "Q1 mark", "Q1 points"]
    row = {h: c for h, c in zip(header, scores[2], strict=True)}
    # Lot L1's winner B2: Q1 consensus 4 of 5 on 30 points = 24; total 48 + 40 * 15 / 16.
    assert (row["lot_id"].value, row["bidder_id"].value) == ("L1", "B2")
    assert row["Q1 points"].value == pytest.approx(30 * 4 / 5)
    assert row["total"].value == pytest.approx(48 + 40 * 15 / 16)
    assert row["total"].number_format == "0.00" and row["rate"].number_format == "#,##0.00"
    award = book["award"]
    assert [c.value for c in award[1]][:4] == ["lot_id", "lot_name", "group", "bidder_id"]
    assert book["rule_costs"]["A2"].value == "max_lots_per_bidder"
    flags = [r[-3] for r in book["moderation"].iter_rows(min_row=2, values_only=True)]
    assert "amber" in flags


def test_formula_injection_is_neutralised_in_xlsx_and_csv(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("export", str(hostile), "--format", "xlsx", "--out", str(out)).exit_code == 0
    assert run("export", str(hostile), "--format", "csv", "--out", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out / "award.xlsx")
    seen = 0
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
                    assert cell.value == "'" + HOSTILE
                    seen += 1
    assert seen >= 3  # rankings, scores and moderation name every bidder
    for name in ("scores.csv", "award.csv"):
        rows = list(csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8"))))
        names = {r["bidder_name"] for r in rows}
        assert HOSTILE not in names
        if name == "scores.csv":
            assert "'" + HOSTILE in names


def test_tab_and_carriage_return_are_neutralised(tmp_path: Path) -> None:
    for text in ("\t=1+1", "\r=1+1", "=1+1", "+1+1", "-1+1", "@SUM(A1)"):
        assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("-12.5") == "'-12.5"  # as text: the caller writes numbers as numbers
    data = csv_bytes(["name", "\tcmd"], [["\tcmd", "12.500000"], [" 5", "-3"], ["\r=2", "inf"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [
        ["name", "'\tcmd"],
        ["'\tcmd", "12.500000"],
        [" 5", "-3"],
        ["'\r=2", "inf"],
    ]
    from openpyxl import Workbook

    book = Workbook()
    sheet = add_sheet(book, "t", ["a", "b"], [["\t=1+1", "\r=1"], [HOSTILE, -1.5]], neutralise=True)
    assert [(c.value, c.data_type) for c in sheet[2]] == [("'\t=1+1", "s"), ("'\r=1", "s")]
    assert [(c.value, c.data_type) for c in sheet[3]] == [("'" + HOSTILE, "s"), (-1.5, "n")]


def test_csv_export_columns_are_fixed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("export", str(MINI), "--format", "csv", "--out", str(out)).exit_code == 0
    award = (out / "award.csv").read_text(encoding="utf-8").splitlines()
    assert award[0] == (
        "lot_id,lot_name,group,bidder_id,bidder_name,total,rank,rate,hours_per_week,"
        "weekly_cost,annual_cost,reason"
    )
    scores = (out / "scores.csv").read_text(encoding="utf-8").splitlines()
    assert scores[0] == (
        "lot_id,bidder_id,bidder_name,rate,Q1,Q2,quality_points,price_points,total,rank,"
        "gap_to_above,compliant,abnormally_low,reasons"
    )
    assert scores[1].startswith("L1,B2,Beta Homecare,16.000000,4.000000,4.000000,")


def test_export_ocds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", str(MINI), "--format", "ocds", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "placeholder ocds-xxxxxx" in result.output
    package = json.loads((out / "ocds.json").read_text(encoding="utf-8"))
    assert package["releases"][0]["ocid"] == "ocds-xxxxxx-mini"
    result = run(
        "export",
        str(MINI),
        "--format",
        "ocds",
        "--out",
        str(out),
        "--force",
        "--ocid-prefix",
        "ocds-a1b2c3",
    )
    assert result.exit_code == 0 and "placeholder" not in result.output
    assert json.loads((out / "ocds.json").read_text())["releases"][0]["ocid"] == "ocds-a1b2c3-mini"


def test_export_rejects_a_bad_prefix_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", str(MINI), "--format", "ocds", "--out", str(out), "--ocid-prefix", "x")
    assert result.exit_code == 2
    assert "--ocid-prefix" in result.output
    assert not out.exists()


def test_init_xlsx(tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    result = run("init", "--xlsx", str(blank))
    assert result.exit_code == 0, result.output
    assert "notes" in openpyxl.load_workbook(blank).sheetnames
    again = run("init", "--xlsx", str(blank))
    assert again.exit_code == 2 and "use --force" in again.output
    example = tmp_path / "leeds.xlsx"
    assert run("init", "--example", "leeds-2015", "--xlsx", str(example)).exit_code == 0
    assert same(load_tender(example), load_tender(FIXTURES / "leeds-2015"))
    both = run("init", "--xlsx", str(example), str(tmp_path / "dir"))
    assert both.exit_code == 2
