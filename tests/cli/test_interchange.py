"""tender convert, tender export and tender init --xlsx through the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
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
        "scenarios",
        "tender.toml",
    ]
    assert same(load_tender(back), load_tender(FIXTURES / "htlah-2016"))
    # The scenarios travel in the workbook's scenarios sheet and come back byte for byte.
    shipped = sorted((FIXTURES / "htlah-2016" / "scenarios").glob("*.toml"))
    assert len(shipped) == 5
    assert [p.name for p in sorted((back / "scenarios").iterdir())] == [p.name for p in shipped]
    for path in shipped:
        assert (back / "scenarios" / path.name).read_bytes() == path.read_bytes()


def test_scenarios_round_trip_exactly_and_compare_on_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "scenarios").mkdir()
    # Windows line ends, a trailing space and a non-ASCII name: kept exactly.
    crlf = '# Réseau\r\n[scenario]\r\ndescription = "L1 and L3"\r\nlots = ["L1", "L3"] \r\n'
    (folder / "scenarios" / "two-lots.toml").write_bytes(crlf.encode("utf-8"))
    (folder / "scenarios" / "one-each.toml").write_text("[rules]\nmax_lots_per_bidder = 1\n")
    book = tmp_path / "t.xlsx"
    result = run("convert", str(folder), str(book))
    assert result.exit_code == 0, result.output
    assert "with 2 scenarios" in result.output
    sheet = openpyxl.load_workbook(book)["scenarios"]
    assert [c.value for c in sheet[1]] == ["name", "toml"]
    assert [c.value for c in sheet["A"][1:]] == ["one-each", "two-lots"]
    back = tmp_path / "back"
    assert run("convert", str(book), str(back)).exit_code == 0
    assert (back / "scenarios" / "two-lots.toml").read_bytes() == crlf.encode("utf-8")
    # compare reads a workbook's scenarios as it reads a folder's.
    args = ["--no-rule-costs", "--workers", "1", "--json"]
    on_folder = run("compare", str(folder), *args)
    on_book = run("compare", str(book), *args)
    assert on_book.exit_code == on_folder.exit_code == 0, on_book.output
    names = [r["name"] for r in json.loads(on_book.stdout)["results"]]
    assert names == ["baseline", "one-each", "two-lots"]
    assert on_book.stdout == on_folder.stdout
    one = run("compare", str(book), "two-lots", *args)
    assert [r["lots"] for r in json.loads(one.stdout)["results"]] == [3, 2]
    missing = run("compare", str(book), "max-2-lots", *args)
    assert missing.exit_code == 2
    assert "no such scenario 'max-2-lots' (scenarios here: one-each, two-lots)" in missing.output


def test_a_broken_scenario_in_a_workbook_names_its_cell(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    assert run("convert", str(MINI), str(book)).exit_code == 0
    workbook = openpyxl.load_workbook(book)
    assert "scenarios" not in workbook.sheetnames
    sheet = workbook.create_sheet("scenarios")
    sheet.append(["name", "toml"])
    sheet.append(["typo", "[rules]\nmax_lots_per_bider = 1\n"])
    sheet.append(["../evil", "[rules]\n"])
    workbook.save(book)
    # The tender itself is fine; validate, like compare, reads the scenarios sheet too.
    result = run("validate", str(book))
    assert result.exit_code == 2
    assert "scenarios!A3: a scenario name is a file name" in result.output
    result = run("compare", str(book), "--no-rule-costs")
    assert result.exit_code == 2
    assert "scenarios!A3: a scenario name is a file name" in result.output
    workbook["scenarios"].delete_rows(3)
    workbook.save(book)
    result = run("compare", str(book), "--no-rule-costs")
    assert result.exit_code == 2
    assert "scenarios!B2:2: rules.max_lots_per_bider: unknown key" in result.output


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


def test_convert_never_leaves_another_tenders_scenarios(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    (dest / "scenarios").mkdir(parents=True)
    (dest / "scenarios" / "old.toml").write_text("[rules]\nmax_lots_per_bidder = 1\n")
    refused = run("convert", str(MINI), str(dest))
    assert refused.exit_code == 2
    assert "old.toml would be read as this tender's scenario; use --force" in refused.output
    assert not (dest / "tender.toml").exists()
    forced = run("convert", str(MINI), str(dest), "--force")
    assert forced.exit_code == 0, forced.output
    assert not (dest / "scenarios" / "old.toml").exists()
    assert "removed" in forced.output


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
    assert row["total"].number_format == "0.00" and row["rate"].number_format == '"£"#,##0.00'
    award = book["award"]
    assert [c.value for c in award[1]][:4] == ["lot_id", "lot_name", "group", "bidder_id"]
    summary = {r[0].value: r[1] for r in book["summary"].iter_rows(min_row=2)}
    appointed = [
        dict(zip([c.value for c in award[1]], r, strict=True))
        for r in award.iter_rows(min_row=2, values_only=True)
    ]
    # mini: three lots, one provider each; L1 to B2 at 48 + 40 * 15 / 16 = 85.5 (README).
    assert (appointed[0]["lot_id"], appointed[0]["bidder_id"]) == ("L1", "B2")
    assert appointed[0]["total"] == pytest.approx(85.5)
    totals = [a["total"] for a in appointed]
    assert summary["total_score"].value == pytest.approx(sum(totals))
    assert summary["mean_score"].value == pytest.approx(sum(totals) / 3)
    assert summary["hours_weighted_score"].value == pytest.approx(
        sum(a["total"] * a["hours_per_week"] for a in appointed)
    )
    assert "score" not in summary  # the objective's score is labelled for what it is
    assert summary["annual_cost"].value == pytest.approx(
        sum(a["hours_per_week"] * 52 * a["rate"] for a in appointed)
    )
    assert summary["annual_cost"].number_format == '"£"#,##0'
    assert summary["largest_share"].number_format == "0.0%"
    assert summary["hours_weighted_score"].number_format == "#,##0.00"
    assert "comparison" not in book.sheetnames  # mini has no scenarios
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
                    # Text, exactly, with Excel's quote prefix: shown and kept as typed text.
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
                    assert cell.value == HOSTILE
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen += 1
    assert seen >= 3  # rankings, scores and moderation name every bidder
    with zipfile.ZipFile(out / "award.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name  # no cell is a formula
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
    rows = [["\t=1+1", "\r=1"], [HOSTILE, -1.5], ["-x", "plain"]]
    sheet = add_sheet(book, "t", ["a", "b"], rows)
    cells = [
        (c.value, c.data_type, c.quotePrefix) for row in sheet.iter_rows(min_row=2) for c in row
    ]
    assert cells == [
        ("\t=1+1", "s", True),
        ("\r=1", "s", True),
        (HOSTILE, "s", True),
        (-1.5, "n", False),  # a number is a number: no prefix
        ("-x", "s", True),
        ("plain", "s", False),
    ]


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
    assert result.exit_code == 0
    assert "placeholder ocds-xxxxxx" not in result.output
    assert "uri is a placeholder" in result.output  # still no --uri
    assert json.loads((out / "ocds.json").read_text())["releases"][0]["ocid"] == "ocds-a1b2c3-mini"
    uri = "https://data.example.gov.uk/ocds/mini.json"
    result = run(
        "export",
        *(str(MINI), "--format", "ocds", "--out", str(out), "--force"),
        *("--ocid-prefix", "ocds-a1b2c3", "--uri", uri),
    )
    assert result.exit_code == 0 and "placeholder" not in result.output
    assert json.loads((out / "ocds.json").read_text())["uri"] == uri


def test_export_rejects_a_bad_prefix_or_uri_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", str(MINI), "--format", "ocds", "--out", str(out), "--ocid-prefix", "x")
    assert result.exit_code == 2
    assert "--ocid-prefix" in result.output
    result = run("export", str(MINI), "--format", "ocds", "--out", str(out), "--uri", "ocds.json")
    assert result.exit_code == 2
    assert "--uri" in result.output and "not an absolute http(s) URL" in result.output
    result = run(
        "export", str(MINI), "--format", "csv", "--out", str(out), "--uri", "https://x.org"
    )
    assert result.exit_code == 2
    assert not out.exists()


def test_export_xlsx_compares_the_tenders_scenarios(tmp_path: Path) -> None:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "one-each.toml").write_text(
        '[scenario]\ndescription = "=one lot each"\n\n[rules]\nmax_lots_per_bidder = 1\n'
    )
    out = tmp_path / "out"
    result = run("export", str(folder), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    compared = run("compare", str(folder), "--no-rule-costs", "--out", str(out / "c"))
    assert compared.exit_code == 0, compared.output
    csv_rows = list(csv.reader(io.StringIO((out / "c" / "compare.csv").read_text())))
    book = openpyxl.load_workbook(out / "award.xlsx")
    assert book.sheetnames[-1] == "comparison"
    sheet = book["comparison"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:T")
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == csv_rows[0]  # compare.csv's columns, in its order
    assert [r[0] for r in rows[1:]] == ["baseline", "one-each"]
    for values, texts in zip(rows[1:], csv_rows[1:], strict=True):
        for value, text in zip(values, texts, strict=True):
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert value == pytest.approx(float(text), abs=1e-6)
            elif value is None:
                assert text == ""
            elif text.startswith("'"):
                assert text == "'" + value  # the CSV guard; the sheet keeps the text as is
            else:
                assert str(value) == text
    header = rows[0]
    cells = dict(zip(header, sheet[3], strict=True))
    assert cells["description"].value == "=one lot each" and cells["description"].quotePrefix
    assert cells["annual_cost"].number_format == '"£"#,##0'
    assert cells["largest_share"].number_format == "0.0%"
    assert cells["lots_changed"].value == 1  # B2 keeps one of L1 and L3 (README)


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
