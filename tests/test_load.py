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
