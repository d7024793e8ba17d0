"""compare, withdraw and sensitivity through the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES, MINI
from pypdf import PdfReader

from tender import cli

HTLAH = FIXTURES / "htlah-2016"


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def test_compare_htlah_with_shipped_scenarios(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("compare", str(HTLAH), "--out", str(out))
    assert result.exit_code == 0, result.output
    for heading in ("Lots covered", "Lots changing hands", "HHI", "SME share", "Headroom"):
        assert heading in result.output
    assert "Share cap" in result.output  # the rule cost table, rules by their plain names
    rows = list(csv.DictReader(io.StringIO((out / "compare.csv").read_text(encoding="utf-8"))))
    names = [r["scenario"] for r in rows]
    assert names[0] == "baseline"
    assert {"no-share-cap", "max-2-lots", "west-leics-lots", "merge-oadby-wigston"} <= set(names)
    by_name = {r["scenario"]: r for r in rows}
    assert by_name["baseline"]["lots"] == "18"
    assert by_name["baseline"]["lots_changed"] == ""
    assert by_name["merge-oadby-wigston"]["lots"] == "17"
    assert by_name["west-leics-lots"]["lots"] == "3"
    assert by_name["west-leics-lots"]["lots_compared"] == "3"
    # Without the cap the largest provider holds more than the 15% the cap allows.
    assert float(by_name["no-share-cap"]["largest_share"]) > 0.15
    assert float(by_name["baseline"]["largest_share"]) <= 0.15
    costs = list(csv.DictReader(io.StringIO((out / "rule_costs.csv").read_text())))
    cap = next(
        c for c in costs if c["scenario"] == "baseline" and c["rule"] == "max_share_of_hours"
    )
    assert cap["binding"] == "true"
    lots = list(csv.DictReader(io.StringIO((HTLAH / "lots.csv").read_text(encoding="utf-8"))))
    tendered = sum(float(lot["hours_per_week"]) for lot in lots)
    assert float(cap["points_per_hour"]) == pytest.approx(float(cap["score_gain"]) / tendered)
    text = "".join(page.extract_text() for page in PdfReader(out / "compare.pdf").pages)
    assert "lotting options compared" in text
    assert "no-share-cap" in text
    assert "What each rule costs" in text
    assert "Share cap" in text and "points per hour" in text
    assert "Bar chart" not in text  # chart descriptions are aria labels, not page text
    data = json.loads((out / "compare.json").read_text())
    assert data["results"][0]["awarded"]["12"] == ["B01"]
    again = invoke("compare", str(HTLAH), "--out", str(out))
    assert again.exit_code == 2
    assert "--force" in again.output


def test_compare_set_and_a_scenario_file(tmp_path: Path) -> None:
    scenario = tmp_path / "two-lots.toml"
    scenario.write_text('[scenario]\nlots = ["L1", "L3"]\n', encoding="utf-8")
    result = invoke(
        "compare",
        str(MINI),
        str(scenario),
        "--set",
        "rules.max_lots_per_bidder=1",
        "--json",
        "--no-rule-costs",
        "--workers",
        "1",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = [r["name"] for r in data["results"]]
    assert names == ["baseline", "two-lots", "max_lots_per_bidder=1"]
    limited = data["results"][2]
    assert limited["description"] == "set on the command line: rules.max_lots_per_bidder=1"
    # B2 won L1 and L3 (README); with one lot each it keeps only one of them.
    assert sorted(b for bidders in limited["awarded"].values() for b in bidders).count("B2") == 1
    assert data["results"][1]["lots"] == 2


def test_set_adds_a_scenario_beside_the_shipped_ones(tmp_path: Path) -> None:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "two-lots.toml").write_text(
        '[scenario]\ndescription = "L1 and L3 only"\nlots = ["L1", "L3"]\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    args = ["compare", str(folder), "--no-rule-costs", "--workers", "1"]
    result = invoke(*args, "--set", "rules.max_lots_per_bidder=1", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "compare.csv").read_text(encoding="utf-8"))))
    assert [r["scenario"] for r in rows] == ["baseline", "two-lots", "max_lots_per_bidder=1"]
    assert rows[2]["description"] == "set on the command line: rules.max_lots_per_bidder=1"
    assert "max_lots_per_bidder=1" in result.output  # the column heading
    # Named scenarios: only those, then the --set one.
    named = invoke(*args, "two-lots", "--set", "evaluation.quality_weight=70", "--json")
    assert named.exit_code == 0, named.output
    names = [r["name"] for r in json.loads(named.stdout)["results"]]
    assert names == ["baseline", "two-lots", "quality_weight=70"]
    bad = invoke(*args, "--set", "criteria.Q1.max_score=10")
    assert bad.exit_code == 2
    assert "criteria.ID=WEIGHT" in bad.output


def test_compare_bad_scenario_is_exit_2(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text('[scenario]\nmerge = [["L1", "L1"]]\n', encoding="utf-8")
    result = invoke("compare", str(MINI), str(scenario), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "merge" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    missing = invoke("compare", str(MINI), "nope")
    assert missing.exit_code == 2
    assert "scenarios/nope.toml" in missing.output


def test_withdraw_htlah(tmp_path: Path) -> None:
    award = invoke("award", str(HTLAH), "--out", str(tmp_path / "award"))
    assert award.exit_code == 0, award.output
    result = invoke(
        "withdraw",
        str(HTLAH),
        "--bidder",
        "B08",
        "--after",
        str(tmp_path / "award" / "award.json"),
        "--out",
        str(tmp_path / "w"),
    )
    assert result.exit_code == 0, result.output
    assert "withdraws from 2 lots (every other appointment held)" in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "w" / "withdrawal.csv").read_text())))
    assert [r["lot_id"] for r in rows] == ["2", "11"]
    assert all(r["before"] == "B08" and r["after"] not in ("", "B08") for r in rows)
    refused = invoke("withdraw", str(HTLAH), "--bidder", "B30")
    assert refused.exit_code == 2
    assert "holds no lot" in refused.output


def test_sensitivity_mini(tmp_path: Path) -> None:
    result = invoke(
        "sensitivity", str(MINI), "--weights", "100:40:20", "--workers", "1", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert "The award at each weighting" in result.output
    assert "Stability" in result.output
    sweep = list(csv.DictReader(io.StringIO((tmp_path / "sweep.csv").read_text())))
    weights = [r["quality_weight"] for r in sweep if r["price_method"] == "lowest_ratio"]
    assert weights == ["100.000000", "80.000000", "60.000000", "40.000000"]
    # L1 (README): B1 45 quality at 15.00, B2 48 at 16.00; at quality weight w, lowest_ratio
    # gives B2 - B1 = 0.05 w - (100 - w) / 16 (B2 ahead above w = 55.6) and linear (14.50 to
    # 17.50) 0.05 w - (100 - w) / 3 (above w = 87.0). The tender's award gives L1 to B2.
    changes = {(r["price_method"], r["quality_weight"][:2]): r["changes"] for r in sweep}
    assert changes[("lowest_ratio", "40")] == "L1:B2>B1"
    assert changes[("lowest_ratio", "60")] == ""
    assert changes[("linear", "80")] == changes[("linear", "60")] == "L1:B2>B1"
    methods = list(csv.DictReader(io.StringIO((tmp_path / "methods.csv").read_text())))
    assert [
        (m["quality_weight"], m["lot_id"], m["leader"], m["tendered_leader"]) for m in methods
    ] == [
        ("80.000000", "L1", "B1", "B2"),
        ("60.000000", "L1", "B1", "B2"),
    ]
    assert "Where another price method leads a lot with a different bid" in result.output
    margins = list(csv.DictReader(io.StringIO((tmp_path / "margins.csv").read_text())))
    assert [(m["lot_id"], m["bidder_id"]) for m in margins] == [
        ("L1", "B2"),
        ("L2", "B3"),
        ("L3", "B2"),
    ]
    bad = invoke("sensitivity", str(MINI), "--weights", "100-50")
    assert bad.exit_code == 2
    assert "START:STOP:STEP" in bad.output


def test_rule_costs_read_in_points_per_hour() -> None:
    # mini: 7,500 tendered hours a week. With at most 1 lot each, B2 keeps L1 or L3 and the
    # rule costs its hours-weighted score gain / 7,500 points per hour.
    result = invoke(
        "compare", str(MINI), "--set", "rules.max_lots_per_bidder=1", "--json", "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    (limited,) = json.loads(result.stdout)["results"][1:]
    (cost,) = [c for c in limited["rule_costs"] if c["rule"] == "max_lots_per_bidder"]
    assert cost["binding"]
    table = invoke("compare", str(MINI), "--set", "rules.max_lots_per_bidder=1", "--workers", "1")
    per_hour = cost["score_gain"] / 7500
    assert f"{per_hour:+.2f} points" in table.output
    assert "points per hour: the hours-weighted score divided by the tendered hours" in table.output
