from __future__ import annotations

from pathlib import Path

import pytest
from paths import CORPUS, MINI

from tender.errors import MAX_PROBLEMS, InputError
from tender.load import load_tender

BAD_CASES = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())


def test_corpus_has_a_case_per_error_kind() -> None:
    assert len(BAD_CASES) >= 15


def test_mini_loads() -> None:
    tender = load_tender(MINI)
    assert [lot.lot_id for lot in tender.lots] == ["L1", "L2", "L3"]
    assert tender.total_hours == 7500
    assert tender.groups == ("Area A", "Area B")
    assert tender.bidder("B1").sme is True
    assert tender.moderation[0].score == 4
    assert {s.name for s in tender.sources} == {
        "tender.toml",
        "lots.csv",
        "bidders.csv",
        "bids.csv",
        "marks.csv",
        "moderation.csv",
    }
    assert all(len(s.sha256) == 64 for s in tender.sources)


@pytest.mark.parametrize("case", BAD_CASES, ids=[p.name for p in BAD_CASES])
def test_bad_input_names_file_row_and_column(case: Path) -> None:
    expected = [
        line
        for line in (case / "EXPECTED").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    with pytest.raises(InputError) as info:
        load_tender(case)
    message = str(info.value)
    for fragment in expected:
        assert fragment in message
    assert info.value.exit_code == 2


def test_bom_and_windows_line_endings_are_accepted(mini: Path) -> None:
    for name in ("lots.csv", "bids.csv"):
        path = mini / name
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    tender = load_tender(mini)
    assert tender.lots[0].lot_id == "L1"
    assert len(tender.bids) == 6


def test_cells_are_trimmed_and_blank_rows_skipped(mini: Path) -> None:
    path = mini / "lots.csv"
    path.write_text(
        "lot_id, name ,group,hours_per_week\n L1 ,North,Area A, 2000 \n,,,\nL2,South,Area A,2500\n"
        "L3,East,Area B,3000\n",
        encoding="utf-8",
    )
    tender = load_tender(mini)
    assert tender.lots[0].lot_id == "L1"
    assert tender.lots[0].hours_per_week == 2000


def test_quoted_field_with_newline_keeps_row_numbers(mini: Path) -> None:
    path = mini / "marks.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("score\n", "score,comment\n", 1)
    rows = text.splitlines()
    rows = [rows[0]] + [r + ',"line one\nline two"' for r in rows[1:]]
    rows[4] = rows[4].replace("B1,Q2,E2,4", "B1,Q2,E2,x")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"marks\.csv:5: score: not a number: 'x'"):
        load_tender(mini)


def test_problem_count_is_bounded(mini: Path) -> None:
    rows = "".join(f"L{i},Lot {i},G,abc\n" for i in range(4, 500))
    (mini / "lots.csv").write_text(
        "lot_id,name,group,hours_per_week\nL1,North,A,1\nL2,South,A,1\nL3,East,B,1\n" + rows,
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_tender(mini)
    assert len(info.value.problems) == MAX_PROBLEMS
    assert "stopped after the first" in str(info.value)


def test_stepped_tariff_needs_reablement_share(mini: Path) -> None:
    (mini / "bids.csv").write_text(
        "bidder_id,lot_id,rate,reablement_rate,maintenance_rate\n"
        "B1,L1,,18.00,14.00\nB1,L2,15.20,,\nB2,L1,16,,\nB2,L3,15.5,,\nB3,L2,14.9,,\n"
        "B3,L3,16.1,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"bids\.csv:2: reablement_rate: a stepped tariff needs"):
        load_tender(mini)


def test_rate_and_stepped_rates_are_exclusive(mini: Path) -> None:
    (mini / "bids.csv").write_text(
        "bidder_id,lot_id,rate,maintenance_rate\nB1,L1,15,14\nB1,L2,15.20,\nB2,L1,16,\n"
        "B2,L3,15.5,\nB3,L2,14.9,\nB3,L3,16.1,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"bids\.csv:2: rate: give either rate or"):
        load_tender(mini)


def test_excluded_bidder_needs_a_reason(mini: Path) -> None:
    (mini / "bidders.csv").write_text(
        "bidder_id,name,status\nB1,Alpha,excluded\nB2,Beta,\nB3,Gamma,active\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"bidders\.csv:2: status_reason: an excluded bidder"):
        load_tender(mini)


def test_binary_file_is_refused(mini: Path) -> None:
    (mini / "bids.csv").write_bytes(b"bidder_id,lot_id,rate\n\x00\x01\x02")
    with pytest.raises(InputError, match=r"bids\.csv:2: binary data"):
        load_tender(mini)


def test_oversized_file_is_refused_before_reading(mini: Path, monkeypatch) -> None:
    import tender.load as load

    monkeypatch.setattr(load, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"marks\.csv: too large"):
        load_tender(mini)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        load_tender(tmp_path / "nope")
    (tmp_path / "t.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match="not a tender folder"):
        load_tender(tmp_path / "t.xlsx")


def test_invalid_toml_names_the_line(mini: Path) -> None:
    path = mini / "tender.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "mini"', "id = mini"))
    with pytest.raises(InputError, match=r"tender\.toml:3: not valid TOML"):
        load_tender(mini)


def test_linear_price_needs_both_rates(mini: Path) -> None:
    path = mini / "tender.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"lowest_ratio"', '"linear"').replace("lower_rate = 14.50\n", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r'price: price_method = "linear" needs lower_rate'):
        load_tender(mini)


# --- one run reports every problem, by file then row ---------------------------------------


def problem_lines(folder: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_tender(folder)
    return [str(p) for p in info.value.problems]


def test_cell_errors_do_not_hide_the_checks_across_files() -> None:
    """A bad cell, an unknown lot and a weights mismatch: all three, in file then row order."""
    assert problem_lines(CORPUS / "bad" / "type-lot-and-weights") == [
        "tender.toml:19: criteria.weight: criteria weights add up to 55 (30 + 25), "
        "but quality_weight is 60",
        "bids.csv:3: lot_id: unknown lot 'L9' (not in lots.csv)",
        "bids.csv:5: rate: not a number: 'abc'",
    ]


def test_problems_are_listed_by_file_then_row() -> None:
    lines = problem_lines(CORPUS / "bad" / "empty-toml")
    rows = [int(line.split(":")[1]) for line in lines if line.split(":")[1].isdigit()]
    assert rows == [3, 4, 5, 6, 7]
    assert lines[0] == "tender.toml: tender: missing: tender.toml needs a [tender] table"


def test_a_row_that_fails_is_not_reported_again_by_the_rows_naming_it(mini: Path) -> None:
    """Lot L2 and bidder B1 fail their own checks; bids and marks naming them stay quiet."""
    lots = mini / "lots.csv"
    lots.write_text(lots.read_text().replace("L2,South,Area A,2500", "L2,South,,2500"))
    bidders = mini / "bidders.csv"
    bidders.write_text(bidders.read_text().replace("B1,Alpha Care,true", "B1,Alpha Care,maybe"))
    assert problem_lines(mini) == [
        "lots.csv:3: group: required but empty",
        "bidders.csv:2: sme: not true or false: 'maybe'",
    ]


def test_a_bad_id_cell_silences_references_to_its_file(mini: Path) -> None:
    """'L 3' was meant to be some lot: which one is anybody's guess, so no 'unknown lot'."""
    lots = mini / "lots.csv"
    lots.write_text(lots.read_text().replace("L3,East", "L 3,East"))
    assert len(problem_lines(mini)) == 1


def test_a_bad_criterion_skips_only_the_checks_that_need_it(mini: Path) -> None:
    """Q2's weight does not read: its marks are not unknown, the weights sum is not checked,
    and a bid on an unknown lot is still reported."""
    toml = mini / "tender.toml"
    # Q1's weight alone (30) is not the quality weight (60): a sum over what read would be wrong.
    toml.write_text(
        toml.read_text().replace('"Workforce"\nweight = 30', '"Workforce"\nweight = "x"')
    )
    bids = mini / "bids.csv"
    bids.write_text(bids.read_text().replace("B3,L3,16.10", "B3,L4,16.10"))
    assert problem_lines(mini) == [
        "tender.toml:26: criteria.weight: not a number: 'x'",
        "bids.csv:7: lot_id: unknown lot 'L4' (not in lots.csv)",
    ]


def test_a_file_that_does_not_read_skips_the_checks_that_need_it(mini: Path) -> None:
    """No marks.csv: every bid would otherwise be 'missing marks'."""
    (mini / "marks.csv").unlink()
    (mini / "bids.csv").write_text("bidder_id,lot_id,rate\nB1,L1,15\nB9,L1,15\n")
    assert problem_lines(mini) == [
        "bids.csv:3: bidder_id: unknown bidder 'B9' (not in bidders.csv)",
        "marks.csv: missing: a tender folder needs marks.csv",
    ]


def test_rows_after_a_blank_row_are_located_where_they_are(mini: Path) -> None:
    (mini / "bids.csv").write_text(
        "bidder_id,lot_id,rate\nB1,L1,15\n,,\n\nB1,L2,15\nB2,L1,16\nB2,L3,15.5\nB3,L2,14.9\n"
        "B3,L9,16.1\nB3,L9,16.2\n"
    )
    assert problem_lines(mini) == [
        "bids.csv:9: lot_id: unknown lot 'L9' (not in lots.csv)",
        "bids.csv:10: lot_id: unknown lot 'L9' (not in lots.csv)",
        "bids.csv:10: lot_id: duplicate bid for bidder, lot 'B3, L9' (first given in row 9)",
    ]


def test_the_problem_cap_still_holds_with_checks_across_files(mini: Path) -> None:
    rows = "".join(f"B1,L{i},15\n" for i in range(10, 200))
    (mini / "bids.csv").write_text("bidder_id,lot_id,rate\nB1,L1,abc\n" + rows)
    with pytest.raises(InputError) as info:
        load_tender(mini)
    assert len(info.value.problems) == MAX_PROBLEMS and info.value.truncated
    assert str(info.value.problems[0]) == "bids.csv:2: rate: not a number: 'abc'"


# --- references that pass silently otherwise ----------------------------------------------


def with_bands(mini: Path, bands: dict[str, str]) -> None:
    toml = mini / "tender.toml"
    toml.write_text(
        toml.read_text().replace(
            "upper_rate = 17.50\n",
            "upper_rate = 17.50\n\n[price.bands.urban]\nupper_rate = 18.00\n\n"
            "[price.bands.rural]\nupper_rate = 19.00\n",
        )
    )
    lines = (mini / "lots.csv").read_text().splitlines()
    lines = [lines[0] + ",band"] + [f"{r},{bands.get(r.split(',')[0], '')}" for r in lines[1:]]
    (mini / "lots.csv").write_text("\n".join(lines) + "\n")


def test_a_band_typo_is_caught_with_a_suggestion(mini: Path) -> None:
    with_bands(mini, {"L1": "urban", "L2": "urbn", "L3": "countryside"})
    assert problem_lines(mini) == [
        "lots.csv:3: band: unknown band 'urbn' (did you mean 'urban'?)",
        "lots.csv:4: band: unknown band 'countryside' (tender.toml [price.bands] has: rural, "
        "urban)",
    ]


def test_known_bands_load(mini: Path) -> None:
    with_bands(mini, {"L1": "urban", "L3": "rural"})
    tender = load_tender(mini)
    assert tender.price.for_band(tender.lot("L3").band).upper_rate == 19.00


def test_a_band_typo_is_not_reported_again_as_missing_linear_rates(mini: Path) -> None:
    """Linear pricing needs rates for each band; a typo's band is reported once, as a typo."""
    toml = mini / "tender.toml"
    toml.write_text(toml.read_text().replace('"lowest_ratio"', '"linear"'))
    with_bands(mini, {"L2": "urbn"})
    assert problem_lines(mini) == ["lots.csv:3: band: unknown band 'urbn' (did you mean 'urban'?)"]


def test_a_mark_for_a_lot_the_bidder_did_not_bid_on_is_rejected(mini: Path) -> None:
    (mini / "moderation.csv").write_text(
        "bidder_id,criterion_id,score,rationale,lot_id\nB2,Q1,4,Agreed.,\nB3,Q1,4,Agreed.,L1\n"
    )
    assert problem_lines(mini) == [
        "moderation.csv:3: lot_id: bidder 'B3' did not bid on lot 'L1' (no such row in "
        "bids.csv), so this mark would never count"
    ]


# --- evaluator marks missing from part of the panel: a warning -----------------------------


def test_a_mark_missing_from_one_evaluator_is_found(mini: Path) -> None:
    from tender.models import find_missing_evaluators

    marks = mini / "marks.csv"
    text = marks.read_text().replace("B3,Q2,E2,3\n", "").replace("B2,Q1,E2,5\n", "")
    marks.write_text(text + "B1,Q1,E3,4\n")
    found = [str(m) for m in find_missing_evaluators(load_tender(mini))]
    # B2's Q1 has a consensus mark, which is what counts; E3 marked only B1's Q1.
    assert found == [
        "bidder 'B3', criterion 'Q1': no mark from evaluator 'E3'; "
        "the mark comes from 'E1', 'E2' alone",
        "bidder 'B3', criterion 'Q2': no mark from evaluator 'E2'; the mark comes from 'E1' alone",
    ]


def test_validate_warns_of_missing_evaluator_marks_and_still_passes(mini: Path) -> None:
    from click.testing import CliRunner

    from tender import cli

    marks = mini / "marks.csv"
    marks.write_text(marks.read_text().replace("B3,Q2,E2,3\n", ""))
    result = CliRunner().invoke(cli.cli, ["validate", str(mini)])
    assert result.exit_code == 0, result.output
    assert "warning: bidder 'B3', criterion 'Q2': no mark from evaluator 'E2'" in result.output
    clean = CliRunner().invoke(cli.cli, ["validate", str(MINI)])
    assert "warning" not in clean.output


# --- files saved from Excel ----------------------------------------------------------------


def test_an_empty_trailing_column_from_excel_is_ignored(mini: Path) -> None:
    for name in ("lots.csv", "bids.csv"):
        path = mini / name
        lines = path.read_text().splitlines()
        path.write_text("".join(f"{line},,\n" for line in lines))
    tender = load_tender(mini)
    assert tender.lots == load_tender(MINI).lots and tender.bids == load_tender(MINI).bids


def test_rows_may_stop_before_the_blank_trailing_columns(mini: Path) -> None:
    path = mini / "bids.csv"
    text = path.read_text()
    path.write_text(text.replace("rate\n", "rate,\n", 1))
    assert load_tender(mini).bids == load_tender(MINI).bids


def test_a_blank_column_name_in_the_middle_is_still_an_error(mini: Path) -> None:
    path = mini / "bids.csv"
    path.write_text(path.read_text().replace("bidder_id,lot_id,rate", "bidder_id,,lot_id,rate"))
    assert "bids.csv:1: (blank): unknown column" in problem_lines(mini)[0]


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        ("\u00a315.00", "not a number: '\u00a315.00' (write 15.00: no currency sign)"),
        ("15.00 \u20ac", "(write 15.00: no currency sign)"),
        ('"2,000"', "not a number: '2,000' (write 2000: no thousands separator)"),
        (
            '"\u00a31,015.50"',
            "(write 1015.50: no currency sign, no thousands separator)",
        ),
        ('"15,50"', "not a number: '15,50' (write 15.50: a dot for decimals)"),
        ("$abc", "not a number: '$abc' (numbers are written plainly: no currency sign)"),
    ],
)
def test_numbers_as_a_spreadsheet_shows_them_are_refused_with_a_hint(
    mini: Path, cell: str, hint: str
) -> None:
    path = mini / "bids.csv"
    path.write_text(path.read_text().replace("B1,L1,15.00", f"B1,L1,{cell}"))
    (line,) = problem_lines(mini)
    assert line.startswith("bids.csv:2: rate: not a number")
    assert hint in line


def test_a_plain_typo_gets_no_number_hint(mini: Path) -> None:
    path = mini / "bids.csv"
    path.write_text(path.read_text().replace("B1,L1,15.00", "B1,L1,abc"))
    assert problem_lines(mini) == ["bids.csv:2: rate: not a number: 'abc'"]


# --- the blank template --------------------------------------------------------------------


def test_the_blank_template_shows_every_key() -> None:
    """The README says `tender init` writes a template with every key: each model field."""
    import re

    from tender.models import BandPrice, Criterion, Evaluation, PriceRules, Rules, TenderInfo
    from tender.resources import template_text

    text = template_text("blank-tender.toml")
    written = set(re.findall(r"^#? ?([a-z_]+) =", text, flags=re.MULTILINE))
    written |= set(re.findall(r"^#? ?\[(?:\[)?([a-z_.]+?)(?:\.[A-Za-z]+)?\]", text, re.MULTILINE))
    for model in (TenderInfo, Evaluation, Criterion, PriceRules, BandPrice, Rules):
        missing = set(model.model_fields) - written - {"bands"}
        assert not missing, (model.__name__, missing)
    assert "# [price.bands." in text
