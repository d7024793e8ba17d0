"""Every bad input through every command that writes: exit 2, located message, nothing written.

The committed corpus is tests/corpus/bad/ (made by tests/corpus/make_bad.py); the cases too big
to commit (a 200 MB file, 10^6 rows, a 200 KB cell) and those that need the file system (a
folder or a device where a file belongs) are made here, as are the workbook (.xlsx) cases,
edits of the mini tender's workbook. Bad scenario files are tests/corpus/bad-scenarios/, run
through ``tender compare``. Each run is added to the tally that ``tests/conftest.py`` prints
at the end of the suite. Valid but awkward inputs (BOM, Windows line endings, formulas, HTML
and Jinja in text) are checked to give the plain tender's bytes, shown as text.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CorpusTally
from paths import CORPUS, MINI

from bench.run import PEAK_DRIVER
from tender import cli

BAD_CASES = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())
BAD_SCENARIOS = sorted((CORPUS / "bad-scenarios").glob("*.toml"))
MB = 1024 * 1024


def expected_fragments(case: Path) -> list[str]:
    return [
        line
        for line in (case / "EXPECTED").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def writing_commands(folder: Path, out: Path) -> list[list[str]]:
    """Every command that reads a tender, with each of its output options pointing into out.

    withdraw and sensitivity read the tender through the same loader as compare and are
    left out to keep the corpus fast.
    """
    return [
        ["validate", str(folder)],
        [
            "score",
            str(folder),
            "--out",
            str(out / "score"),
            "--moderation-sheet",
            str(out / "sheet" / "moderation.csv"),
        ],
        ["award", str(folder), "--out", str(out / "award")],
        ["explain", str(folder)],
        ["report", str(folder), "--out", str(out / "report")],
        ["compare", str(folder), "--out", str(out / "compare")],
        ["export", str(folder), "--format", "xlsx", "--out", str(out / "export")],
        ["convert", str(folder), str(out / "converted.xlsx")],
        ["convert", str(folder), str(out / "converted")],
    ]


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def reject_everywhere(
    name: str,
    folder: Path,
    out: Path,
    expected: list[str],
    tally: CorpusTally,
    commands: list[list[str]] | None = None,
) -> None:
    """Run every command on a bad folder; each must exit 2 naming the problem, writing nothing."""
    for command in commands or writing_commands(folder, out):
        result = CliRunner().invoke(cli.cli, command)
        escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
        traceback = escaped or "Traceback" in result.output or result.exit_code == 1
        left = files_under(out)
        clean = result.exit_code == 2 and all(f in result.output for f in expected)
        tally.record(name, clean=clean and not traceback, traceback=traceback, partial=bool(left))
        assert not traceback, (command[0], result.output, result.exception)
        assert result.exit_code == 2, (command[0], result.output)
        # compare's progress bar may leave an empty line before the message
        assert result.output.lstrip("\n").startswith("error: "), result.output
        for fragment in expected:
            assert fragment in result.output, (command[0], fragment, result.output)
        assert left == [], f"{command[0]} left {left}"


@pytest.mark.parametrize("case", BAD_CASES, ids=[p.name for p in BAD_CASES])
def test_bad_input_is_rejected_by_every_command(
    case: Path, tmp_path: Path, corpus_tally: CorpusTally
) -> None:
    reject_everywhere(case.name, case, tmp_path / "out", expected_fragments(case), corpus_tally)


def test_corpus_covers_the_issue_list() -> None:
    """The kinds of bad input issue 9 names, each with at least one committed case."""
    names = {p.name for p in BAD_CASES}
    wanted = {
        "truncated-row",
        "truncated-toml",
        "truncated-quote",
        "empty-file",
        "empty-toml-file",
        "binary-file",
        "not-utf8",
        "latin1-toml",
        "formula-in-number",
        "formula-in-id",
        "html-in-id",
        "jinja-in-id",
        "not-finite",
        "infinite-rate",
        "huge-number",
        "toml-nan",
        "negative-hours",
        "zero-hours",
        "duplicate-column",
        "bad-id",
        "lookalike-id",
        "unknown-toml-key",
        "crlf-bom-with-error",
    }
    assert wanted <= names, wanted - names
    assert len(BAD_CASES) >= 40


# --- generated cases ----------------------------------------------------------------------


def sparse_200mb(folder: Path) -> None:
    """A 200 MB bids.csv that takes no disk: a header, then a hole the size of a film."""
    with (folder / "bids.csv").open("r+b") as handle:
        handle.truncate(200 * MB)


def million_rows(folder: Path) -> None:
    """2 x 10^6 bids (24 MB): well under the size limit, far over any real tender."""
    with (folder / "bids.csv").open("w", encoding="utf-8") as handle:
        handle.write("bidder_id,lot_id,rate\n")
        handle.writelines(f"B{i % 3 + 1},L{i % 3 + 1},15.00\n" for i in range(2 * 10**6))


def huge_cell(folder: Path) -> None:
    """A lot name of 200,000 characters: over the CSV reader's field limit."""
    (folder / "lots.csv").write_text(
        "lot_id,name,group,hours_per_week\nL1," + "x" * 200_000 + ",Area A,2000\n",
        encoding="utf-8",
    )


def folder_for_file(folder: Path) -> None:
    (folder / "marks.csv").unlink()
    (folder / "marks.csv").mkdir()


def device_for_file(folder: Path) -> None:
    """bids.csv linked to /dev/zero: endless zeros if anything tried to read it."""
    (folder / "bids.csv").unlink()
    (folder / "bids.csv").symlink_to("/dev/zero")


GENERATED: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "generated-200mb-file": (sparse_200mb, ["bids.csv: too large: 209,715,200 bytes"]),
    "generated-million-rows": (
        million_rows,
        ["bids.csv:1000002: too many rows: more than 1,000,000 data rows"],
    ),
    "generated-huge-cell": (huge_cell, ["lots.csv:2: not a readable CSV: field larger"]),
    "generated-folder-as-file": (folder_for_file, ["marks.csv: not a regular file"]),
    "generated-device-as-file": (device_for_file, ["bids.csv: not a regular file"]),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_bad_input_is_rejected_by_every_command(
    name: str, tmp_path: Path, corpus_tally: CorpusTally
) -> None:
    make, expected = GENERATED[name]
    folder = tmp_path / name
    shutil.copytree(MINI, folder)
    make(folder)
    reject_everywhere(name, folder, tmp_path / "out", expected, corpus_tally)


def peak_memory_run(*args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``tender ARGS`` in its own process; return it and its peak RSS in bytes."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_DRIVER, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "120"},
    )
    match = re.search(r"PEAK_KIB=(\d+)", done.stderr)
    assert match, done.stderr
    return done, int(match.group(1)) * 1024


@pytest.mark.parametrize(
    ("name", "bound"),
    [
        # Below the file's own size: the 200 MB file is refused from its size, never read.
        ("generated-200mb-file", 150 * MB),
        # Loading 2 x 10^6 rows as models would take gigabytes; counting them is cheap.
        ("generated-million-rows", 400 * MB),
    ],
)
def test_big_inputs_fail_clearly_in_bounded_memory(
    name: str, bound: int, tmp_path: Path, corpus_tally: CorpusTally
) -> None:
    make, expected = GENERATED[name]
    folder = tmp_path / name
    shutil.copytree(MINI, folder)
    make(folder)
    out = tmp_path / "out"
    done, peak = peak_memory_run("score", str(folder), "--out", str(out))
    clean = done.returncode == 2 and expected[0] in done.stderr
    traceback = "Traceback" in done.stderr or done.returncode == 1
    corpus_tally.record(name, clean=clean, traceback=traceback, partial=bool(files_under(out)))
    assert done.returncode == 2, done.stderr
    assert expected[0] in done.stderr
    assert "Traceback" not in done.stderr
    assert files_under(out) == []
    assert peak < bound, f"peak memory {peak / MB:.0f} MB"


# --- bad scenario files, through tender compare --------------------------------------------


def scenario_expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]


@pytest.mark.parametrize("case", BAD_SCENARIOS, ids=[p.stem for p in BAD_SCENARIOS])
def test_bad_scenario_is_rejected_by_compare(
    case: Path, tmp_path: Path, corpus_tally: CorpusTally
) -> None:
    """By name and among all the folder's scenarios: exit 2 naming the file (and line)."""
    folder = tmp_path / "tender"
    shutil.copytree(MINI, folder)
    (folder / "scenarios").mkdir()
    shutil.copyfile(case, folder / "scenarios" / case.name)
    out = tmp_path / "out"
    commands = [
        ["compare", str(folder), case.stem, "--out", str(out / "named")],
        ["compare", str(folder), "--out", str(out / "all"), "--no-rule-costs"],
    ]
    expected = scenario_expected(case)
    assert expected, f"{case.name} has no '# expect:' line"
    reject_everywhere(f"scenario-{case.stem}", folder, out, expected, corpus_tally, commands)


def test_scenario_corpus_has_a_self_merge() -> None:
    assert "merge-self" in {p.stem for p in BAD_SCENARIOS}


# --- bad workbooks: the mini tender's workbook, edited ----------------------------------------


def mini_workbook(
    path: Path, cells: dict[str, dict[str, object]], drop: tuple[str, ...] = ()
) -> None:
    """The mini tender as a workbook, with ``cells`` ({sheet: {cell: value}}) set."""
    import openpyxl

    from tender.load import load_tender
    from tender.xlsx import workbook_bytes

    path.write_bytes(workbook_bytes(load_tender(MINI)))
    book = openpyxl.load_workbook(path)
    for sheet, values in cells.items():
        for cell, value in values.items():
            book[sheet][cell] = value
    for sheet in drop:
        del book[sheet]
    book.save(path)


#: name: (sheet edits, sheets removed, expected fragments).
WORKBOOKS: dict[str, tuple[dict[str, dict[str, object]], tuple[str, ...], list[str]]] = {
    "xlsx-lot-id-typo": (
        {"bids": {"B3": "L22"}},
        (),
        ["error: bids!B3: lot_id: unknown lot 'L22' (not in sheet lots)"],
    ),
    "xlsx-formula-without-value": (
        {"bids": {"C4": "=15+1"}},
        (),
        ["error: bids!C4: the formula =15+1 has no saved value"],
    ),
    # Row 3 of lots (L2) cannot be read: bids on L2 must not be reported as unknown too.
    "xlsx-formula-in-a-lot-row": (
        {"lots": {"D3": "=2000+500"}},
        (),
        ["error: lots!D3: the formula =2000+500 has no saved value"],
    ),
    "xlsx-error-value": (
        {"bids": {"C2": "#DIV/0!"}},
        (),
        ["error: bids!C2: the cell holds the error #DIV/0!: type the value"],
    ),
    "xlsx-missing-sheet": (
        {},
        ("marks",),
        ["error: marks: missing: a tender workbook needs a sheet named marks"],
    ),
    # The example in the README ("A tender as one workbook").
    "xlsx-three-problems": (
        {"tender": {"B8": 120}, "bids": {"B3": "L22", "C5": "cheap"}},
        (),
        [
            "error: 3 problems found:\n"
            "  tender!B8: evaluation.quality_weight: must be at most 100, not 120\n"
            "  bids!B3: lot_id: unknown lot 'L22' (not in sheet lots)\n"
            "  bids!C5: rate: not a number: 'cheap'\n"
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_bad_workbook_is_rejected_by_every_command(
    name: str, tmp_path: Path, corpus_tally: CorpusTally
) -> None:
    cells, drop, expected = WORKBOOKS[name]
    path = tmp_path / "tender.xlsx"
    mini_workbook(path, cells, drop)
    reject_everywhere(name, path, tmp_path / "out", expected, corpus_tally)


def test_damaged_workbook_is_rejected_by_every_command(
    tmp_path: Path, corpus_tally: CorpusTally
) -> None:
    path = tmp_path / "tender.xlsx"
    mini_workbook(path, {})
    path.write_bytes(path.read_bytes()[:2000])  # cut off, as by a failed download
    expected = ["error: tender.xlsx: not a tender folder, and not a readable .xlsx workbook"]
    reject_everywhere("xlsx-truncated", path, tmp_path / "out", expected, corpus_tally)


# --- valid but awkward input: accepted, and shown as text -----------------------------------


def outputs(folder: Path, out: Path) -> dict[str, bytes]:
    for command in ("score", "award"):
        result = CliRunner().invoke(cli.cli, [command, str(folder), "--out", str(out)])
        assert result.exit_code == 0, result.output
    return {name: (out / name).read_bytes() for name in ("scores.csv", "award.csv", "award.json")}


def test_bom_and_windows_line_endings_give_the_same_bytes(mini: Path, tmp_path: Path) -> None:
    for path in mini.iterdir():
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert outputs(mini, tmp_path / "crlf") == outputs(MINI, tmp_path / "plain")


def test_ids_padded_with_spaces_are_the_same_ids(mini: Path, tmp_path: Path) -> None:
    """Spreadsheets pad cells; a non-breaking space around an id must not make a new bidder."""
    bids = mini / "bids.csv"
    bids.write_text(
        bids.read_text(encoding="utf-8").replace("B3,L3", " B3\u00a0, L3 "), encoding="utf-8"
    )
    assert outputs(mini, tmp_path / "padded") == outputs(MINI, tmp_path / "plain")


def test_formulas_html_and_jinja_in_text_are_kept_as_text(mini: Path, tmp_path: Path) -> None:
    """Valid input: names may hold anything. Output CSVs neutralise formulas; nothing runs.

    The PDF side (HTML escaped, Jinja not evaluated, nothing fetched) is tested in
    tests/test_report.py::test_hostile_text_is_escaped_and_nothing_is_fetched.
    """
    names = {
        "B1": '=HYPERLINK("http://example.invalid","click")',
        "B2": "<b>Beta</b> {{ 7*7 }} {% raw %}",
        "B3": "@SUM(A1:A9)",
    }
    with (mini / "bidders.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([["bidder_id", "name"], *names.items()])
    result = CliRunner().invoke(cli.cli, ["award", str(mini), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "{{ 7*7 }}" in result.output and "<b>Beta</b>" in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "award.csv").read_text(encoding="utf-8"))))
    shown = {r["bidder_id"]: r["bidder_name"] for r in rows}
    assert shown["B2"] == names["B2"]
    for bidder_id in ("B1", "B3"):
        if bidder_id in shown:
            assert shown[bidder_id] == "'" + names[bidder_id]
    assert "B1" in shown or "B3" in shown  # at least one formula name reached the file
