"""Bounded solving through the CLI: a time limit always applies, and a time-out says so.

tests/test_optimiser/test_optimiser_status.py times out the optimiser directly and
tests/cli/test_award.py fakes a time-out; here a real one runs end to end: a tender folder
whose awarded-hours share cap takes minutes to prove, given one second.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus.synthetic import SyntheticTender, write_tender
from paths import MINI

from tender import cli

SOLVE_COMMANDS = ("award", "explain", "report")


def hard_tender(folder: Path) -> Path:
    """60 lots x 40 bidders under a binding 5% cap on *awarded* hours (DESIGN.md: minutes)."""
    rng = random.Random(7)
    lots = [
        {
            "lot_id": f"L{i:02d}",
            "name": f"Lot {i}",
            "group": f"G{i % 6}",
            "hours_per_week": rng.randint(20, 400),
        }
        for i in range(60)
    ]
    bidders = [{"bidder_id": f"B{j:02d}", "name": f"Bidder {j}"} for j in range(40)]
    bids = [
        {
            "bidder_id": b["bidder_id"],
            "lot_id": lot["lot_id"],
            "rate": rng.randint(1450, 1750) / 100,
        }
        for lot in lots
        for b in bidders
        if rng.random() < 0.7
    ]
    marks = {str(b["bidder_id"]): (rng.randint(3, 5), rng.randint(2, 5)) for b in bidders}
    rules = {"max_share_of_hours": 0.05, "share_basis": "awarded"}
    return write_tender(folder, SyntheticTender(lots, bidders, bids, marks, rules=rules))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_time_out_reports_the_best_award_as_not_proven_with_exit_4(
    solver: str, tmp_path: Path
) -> None:
    """The greedy start gives an incumbent at once and the cap keeps the bound open for
    minutes, so one second always ends in a feasible, unproven award with a gap."""
    folder = hard_tender(tmp_path / "hard")
    out = tmp_path / "out"
    args = ["award", str(folder), "--solver", solver, "--time-limit", "1", "--out", str(out)]
    result = CliRunner().invoke(cli.cli, args)
    assert result.exit_code == 4, result.output
    assert re.search(r"NOT PROVEN OPTIMAL: .*\(gap \d+\.\d+%\)", result.output), result.output
    award = json.loads((out / "award.json").read_text(encoding="utf-8"))
    solver_info = json.loads((out / "solver.json").read_text(encoding="utf-8"))
    assert award["proven_optimal"] is False
    assert award["status"] == "feasible_not_proven"
    assert solver_info["time_limit"] == 1.0
    assert solver_info["gap"] is not None and 0 < solver_info["gap"] < 1
    # A real incumbent, not an empty award; and it keeps the cap: no bidder over 5% of the
    # awarded hours.
    rows = list(csv.DictReader(io.StringIO((out / "award.csv").read_text(encoding="utf-8"))))
    hours: dict[str, float] = {}
    for row in rows:
        if row["bidder_id"]:
            hours[row["bidder_id"]] = hours.get(row["bidder_id"], 0) + float(row["hours_per_week"])
    assert len(hours) >= 20, hours
    awarded = sum(hours.values())
    assert all(h <= 0.05 * awarded + 1e-6 for h in hours.values())


#: Every command that solves, with the arguments it needs besides the tender and the option.
SOLVING = {
    "award": [],
    "explain": [],
    "report": ["--out", "OUT"],
    "compare": [],
    "withdraw": ["--bidder", "B1"],
    "sensitivity": [],
    "export": ["--format", "csv", "--out", "OUT"],
}


@pytest.mark.parametrize("command", sorted(SOLVING))
@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "0", "-1"])
def test_a_time_limit_that_is_no_limit_is_a_usage_error(
    command: str, value: str, tmp_path: Path
) -> None:
    """inf and nan passed the range check and failed in the optimiser, as a bug (exit 1)."""
    extra = [str(tmp_path / "out") if a == "OUT" else a for a in SOLVING[command]]
    result = CliRunner().invoke(cli.cli, [command, str(MINI), *extra, f"--time-limit={value}"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--time-limit'" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1", "1"])
def test_a_mip_gap_outside_0_to_1_is_a_usage_error(value: str) -> None:
    result = CliRunner().invoke(cli.cli, ["award", str(MINI), f"--mip-gap={value}"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--mip-gap'" in result.output


@pytest.mark.parametrize("command", SOLVE_COMMANDS)
def test_a_time_limit_applies_by_default(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command that solves passes a finite default time limit down to the solver."""
    import optimiser.solve

    seen: list[float] = []
    real = optimiser.solve.solve_award

    def spy(problem, **options):
        seen.append(options["time_limit"])
        return real(problem, **options)

    monkeypatch.setattr(optimiser.solve, "solve_award", spy)
    import tender.award

    monkeypatch.setattr(tender.award, "solve_award", spy)
    args = [command, str(MINI)]
    if command == "report":
        args += ["--out", str(tmp_path / "r"), "--only", "report"]
    result = CliRunner().invoke(cli.cli, args)
    assert result.exit_code == 0, result.output
    assert seen and all(limit == 60.0 for limit in seen), seen
