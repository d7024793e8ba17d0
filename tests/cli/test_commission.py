"""compare, withdraw and sensitivity through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

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
    assert "max_share_of_hours" in result.output  # the rule cost table
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
    text = "".join(page.extract_text() for page in PdfReader(out / "compare.pdf").pages)
    assert "lotting options compared" in text
    assert "no-share-cap" in text
    assert "What each rule costs" in text
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
    assert names == ["baseline", "two-lots", "--set"]
    limited = data["results"][2]
    # B2 won L1 and L3 (README); with one lot each it keeps only one of them.
    assert sorted(b for bidders in limited["awarded"].values() for b in bidders).count("B2") == 1
    assert data["results"][1]["lots"] == 2


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
    margins = list(csv.DictReader(io.StringIO((tmp_path / "margins.csv").read_text())))
    assert [(m["lot_id"], m["bidder_id"]) for m in margins] == [
        ("L1", "B2"),
        ("L2", "B3"),
        ("L3", "B2"),
    ]
    bad = invoke("sensitivity", str(MINI), "--weights", "100-50")
    assert bad.exit_code == 2
    assert "START:STOP:STEP" in bad.output
