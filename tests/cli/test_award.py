from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import MINI

from tender import cli

SOLVERS = ["highs", "cbc"]


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


@pytest.mark.parametrize("solver", SOLVERS)
def test_award_mini_by_hand(tmp_path: Path, solver: str) -> None:
    # Worked by hand (README): L1 B2 85.5 > B1 85; L2 B3 85 > B1 84.21; L3 B2 88 > B3 83.51.
    # B2 takes two lots, within max_lots_per_bidder = 2.
    result = invoke("award", str(MINI), "--solver", solver, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "award.csv").read_text())))
    assert [(r["lot_id"], r["bidder_id"]) for r in rows] == [
        ("L1", "B2"),
        ("L2", "B3"),
        ("L3", "B2"),
    ]
    assert rows[0]["annual_cost"] == f"{2000 * 16.00 * 52:.6f}"
    data = json.loads((tmp_path / "award.json").read_text())
    assert data["status"] == "optimal"
    assert data["totals"]["annual_cost"] == pytest.approx(
        52 * (2000 * 16 + 2500 * 14.9 + 3000 * 15.5)
    )
    assert data["totals"]["providers"] == 2
    solver_info = json.loads((tmp_path / "solver.json").read_text())
    assert solver_info["solver"] == solver


def test_award_json_is_the_same_bytes_for_both_solvers(tmp_path: Path) -> None:
    outputs = []
    for solver in SOLVERS * 2:
        out = tmp_path / f"{solver}-{len(outputs)}"
        assert invoke("award", str(MINI), "--solver", solver, "--out", str(out)).exit_code == 0
        outputs.append(((out / "award.json").read_bytes(), (out / "award.csv").read_bytes()))
    assert all(o == outputs[0] for o in outputs)


def test_cap_moves_a_lot_and_explain_says_why(mini: Path) -> None:
    toml = mini / "tender.toml"
    toml.write_text(toml.read_text().replace("max_lots_per_bidder = 2", "max_lots_per_bidder = 1"))
    result = invoke("award", str(mini), "--json")
    assert result.exit_code == 0, result.output
    lots = {
        o["lot_id"]: [a["bidder_id"] for a in o["appointments"]]
        for o in json.loads(result.output)["lots"]
    }
    # B2 may hold one lot: L3 (88 vs B3's 83.51) is worth more to it than L1 (85.5 vs B1's 85),
    # so B1 takes L1 and B3 keeps L2: 85 + 85 + 88 = 258 beats 85.5 + 85 + 83.51 = 254.01.
    assert lots == {"L1": ["B1"], "L2": ["B3"], "L3": ["B2"]}
    explained = invoke("explain", str(mini), "--lot", "L1")
    assert explained.exit_code == 0, explained.output
    assert "Lot L1 North: awarded to B1 Alpha Care (rank 2, 85.00)." in explained.output
    assert "B2 Beta Homecare ranked 1 but did not win" in explained.output
    assert "max lots" in explained.output


def test_forbidden_vacancy_exits_3_naming_the_lot(mini: Path) -> None:
    toml = mini / "tender.toml"
    text = toml.read_text().replace(
        "max_lots_per_bidder = 2", 'max_lots_per_bidder = 2\nvacancies = "forbid"'
    )
    toml.write_text(text)
    (mini / "lots.csv").write_text((mini / "lots.csv").read_text() + "L4,West,Area B,1000\n")
    result = invoke("award", str(mini))
    assert result.exit_code == 3
    assert "L4" in result.output and "no compliant bid" in result.output


def test_vacant_lot_is_a_row_with_its_reason(mini: Path, tmp_path: Path) -> None:
    (mini / "lots.csv").write_text((mini / "lots.csv").read_text() + "L4,West,Area B,1000\n")
    result = invoke("award", str(mini), "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "o" / "award.csv").read_text())))
    assert rows[-1]["lot_id"] == "L4"
    assert rows[-1]["bidder_id"] == ""
    assert "no compliant bid" in rows[-1]["reason"]


def test_award_refuses_to_overwrite(tmp_path: Path) -> None:
    assert invoke("award", str(MINI), "--out", str(tmp_path)).exit_code == 0
    again = invoke("award", str(MINI), "--out", str(tmp_path))
    assert again.exit_code == 2
    assert "use --force" in again.output
    assert invoke("award", str(MINI), "--out", str(tmp_path), "--force").exit_code == 0


def test_an_unproven_award_is_said_loudly_and_exits_4(monkeypatch) -> None:
    import tender.award
    from optimiser import SolveStatus

    real = tender.award.solve_award

    def timed_out(problem, **options):
        result = real(problem, **options)
        solver = result.solver.model_copy(
            update={"status": SolveStatus.FEASIBLE_NOT_PROVEN, "gap": 0.0123}
        )
        return result.model_copy(update={"solver": solver})

    monkeypatch.setattr(tender.award, "solve_award", timed_out)
    result = invoke("award", str(MINI))
    assert result.exit_code == 4
    assert "NOT PROVEN OPTIMAL" in result.output
    assert "1.23%" in result.output
    as_json = invoke("award", str(MINI), "--json")
    assert as_json.exit_code == 4
    assert json.loads(as_json.output)["proven_optimal"] is False
