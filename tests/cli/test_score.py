from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import MINI

from tender import cli


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def test_score_prints_rankings() -> None:
    result = invoke("score", str(MINI))
    assert result.exit_code == 0, result.output
    assert "Lot L1 North (Area A, 2,000 h/week)" in result.output
    assert "85.50" in result.output and "85.00" in result.output
    assert "6 bids scored, 6 compliant; 3 marks flagged for moderation" in result.output


def test_score_csv_by_hand(tmp_path: Path) -> None:
    assert invoke("score", str(MINI), "--out", str(tmp_path)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "scores.csv").read_text())))
    assert [(r["lot_id"], r["bidder_id"], r["rank"]) for r in rows] == [
        ("L1", "B2", "1"),
        ("L1", "B1", "2"),
        ("L2", "B3", "1"),
        ("L2", "B1", "2"),
        ("L3", "B2", "1"),
        ("L3", "B3", "2"),
    ]
    b1_l2 = rows[3]
    # Q1 = (4 + 4) / 2, Q2 = (3 + 4) / 2; quality = 30 * 4/5 + 30 * 3.5/5; price 40 * 14.90/15.20
    assert (b1_l2["Q1"], b1_l2["Q2"]) == ("4.000000", "3.500000")
    assert float(b1_l2["quality_points"]) == pytest.approx(45)
    assert float(b1_l2["price_points"]) == pytest.approx(40 * 14.90 / 15.20, abs=1e-6)
    assert float(b1_l2["gap_to_above"]) == pytest.approx(85 - (45 + 40 * 14.90 / 15.20), abs=1e-6)
    assert b1_l2["compliant"] == "true"
    data = json.loads((tmp_path / "scores.json").read_text())
    assert data["scores"]["bids"][0]["marks"][0]["evaluator_marks"] == [["E1", 3.0], ["E2", 5.0]]


def test_score_json_on_stdout_is_the_file() -> None:
    result = invoke("score", str(MINI), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["tender"]["id"] == "mini"


def test_moderation_sheet_lists_amber_and_red_worst_first(tmp_path: Path) -> None:
    sheet = tmp_path / "meeting.csv"
    assert invoke("score", str(MINI), "--moderation-sheet", str(sheet)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    # Spreads: B2 Q1 (5 - 3)/5 = 0.4; B1 Q2 (4 - 3)/5 = 0.2; B3 Q1 (5 - 4)/5 = 0.2: all amber.
    assert [(r["flag"], r["bidder_id"], r["criterion_id"]) for r in rows] == [
        ("amber", "B2", "Q1"),
        ("amber", "B1", "Q2"),
        ("amber", "B3", "Q1"),
    ]
    assert rows[0]["consensus"] == "4.000000"
    assert rows[0]["E1"] == "3.000000" and rows[0]["E2"] == "5.000000"


def test_hostile_names_are_neutralised_in_csv(mini: Path, tmp_path: Path) -> None:
    bidders = mini / "bidders.csv"
    bidders.write_text(
        bidders.read_text().replace("Alpha Care", '"=HYPERLINK(""http://x"",""y"")"')
    )
    assert invoke("score", str(mini), "--out", str(tmp_path)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "scores.csv").read_text())))
    names = {r["bidder_id"]: r["bidder_name"] for r in rows}
    assert names["B1"] == '\'=HYPERLINK("http://x","y")'


def test_score_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "scores.csv").write_text("keep")
    result = invoke("score", str(MINI), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert (tmp_path / "scores.csv").read_text() == "keep"
    assert not (tmp_path / "scores.json").exists()
