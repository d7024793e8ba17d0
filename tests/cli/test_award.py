from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES, GOLDEN, MINI

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


def test_a_lot_capped_below_the_framework_minimum_is_bad_input(tmp_path: Path) -> None:
    # HCL's rule is "at least 2 providers per zone"; a zone capped at 1 in lots.csv keeps
    # that minimum, so it asks for 2 to 1 providers. It used to reach the optimiser and
    # crash there ("internal error: ValidationError ... AwardLot", exit 1).
    folder = tmp_path / "hcl"
    shutil.copytree(FIXTURES / "hcl-2021", folder)
    lots = (folder / "lots.csv").read_text().splitlines()
    lots = [lots[0] + ",max_providers"] + [
        row + (",1" if row.startswith("Z03,") else ",") for row in lots[1:]
    ]
    (folder / "lots.csv").write_text("\n".join(lots) + "\n")
    out = tmp_path / "out"
    for command in (["validate", str(folder)], ["award", str(folder), "--out", str(out)]):
        result = invoke(*command)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(
            "error: lots.csv:4: max_providers: max_providers 1 is below [rules] "
            "providers_per_lot.min 2"
        ), result.output
        assert "internal error" not in result.output
        assert not out.exists()


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


# --- what the terminal says ---------------------------------------------------------------


def test_award_totals_give_the_total_score_and_say_what_is_covered() -> None:
    # Hours-weighted: 85.5 * 2000 + 85 * 2500 + 88 * 3000 = 647,500; mean (85.5 + 85 + 88) / 3.
    result = invoke("award", str(MINI))
    assert result.exit_code == 0, result.output
    assert (
        "Total score (hours-weighted: each bid's total x its lot's hours): 647,500.00; "
        "mean of the appointed bids' totals 86.17." in result.output
    )
    assert "3 of 3 lots have a provider. Providers appointed: 2." in result.output
    # B2 holds L1 and L3: 5000 of 7500 hours. One provider per lot and no share cap: nothing
    # is said of splitting lots or of how a cap counts.
    assert "Largest share of tendered hours: 66.7% (B2); HHI" in result.output
    assert "split evenly" not in result.output
    assert "as the share cap counts it" not in result.output


def test_a_framework_place_unfilled_is_named_in_the_totals() -> None:
    result = invoke("award", str(FIXTURES / "hcl-2021"))
    assert result.exit_code == 0, result.output
    assert "14 of 14 lots have a provider; 1 place unfilled (Z12)." in result.output
    assert "a lot's hours split evenly between its providers" in result.output


def test_a_framework_share_cap_counts_full_lot_hours_and_says_so(tmp_path: Path) -> None:
    # 10% of HCL's 31,909 hours is 3,190.9: Z02 (3,900 hours) is over it for anyone alone.
    hcl = tmp_path / "hcl"
    shutil.copytree(FIXTURES / "hcl-2021", hcl)
    toml = hcl / "tender.toml"
    toml.write_text(
        toml.read_text().replace(
            'vacancies = "allow"', 'max_share_of_hours = 0.10\nvacancies = "allow"'
        )
    )
    result = invoke("award", str(hcl), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    lots = {o["lot_id"]: o for o in data["lots"]}
    assert lots["Z02"]["appointments"] == []
    assert lots["Z02"]["reason"].startswith(
        "every compliant bidder is at a limit: this lot alone (3,900 h/week) is more than the "
        "share cap (10% of tendered hours: 3,190.9 h/week) for "
    )
    totals = data["totals"]
    # The cap counts each framework lot in full; the summary's share splits it evenly.
    assert totals["largest_share"] < totals["largest_cap_share"] <= 0.10
    shown = invoke("award", str(hcl))
    assert (
        "Largest share as the share cap counts it (each lot's full hours for every provider on "
        f"it): {totals['largest_cap_share']:.1%} ({totals['largest_cap_share_bidder']}), "
        "against a cap of 10%."
    ) in " ".join(shown.output.split())


def test_ranked_reserves_are_shown_with_names_ranks_and_totals() -> None:
    leeds = FIXTURES / "leeds-2015"
    scored = {
        (r["lot_id"], r["bidder_id"]): r
        for r in csv.DictReader(io.StringIO((GOLDEN / "leeds-2015" / "scores.csv").read_text()))
    }
    award = json.loads((GOLDEN / "leeds-2015" / "award.json").read_text())
    n1 = next(o for o in award["lots"] if o["lot_id"] == "N1")
    first = scored[("N1", n1["reserves"][0])]
    result = invoke("award", str(leeds))
    assert result.exit_code == 0, result.output
    assert "Ranked reserves" in result.output
    row = (
        f"│ N1 North West │ 1 │ {first['rank']} │ {first['bidder_id']} {first['bidder_name']} "
        f"│ {float(first['total']):.2f} │"
    )
    assert row in " ".join(result.output.split())
    explained = invoke("explain", str(leeds), "--lot", "N1")
    assert explained.exit_code == 0, explained.output
    listed = "; ".join(
        f"{place}. {b} {scored[('N1', b)]['bidder_name']} "
        f"(rank {scored[('N1', b)]['rank']}, {float(scored[('N1', b)]['total']):.2f})"
        for place, b in enumerate(n1["reserves"], start=1)
    )
    assert f"  Ranked reserves: {listed}." in explained.output


def test_many_reserves_are_summed_up_not_drawn(monkeypatch) -> None:
    import tender.console

    # As if leeds-2015's reserves were a large tender's hundred thousand.
    monkeypatch.setattr(tender.console, "RESERVES_SHOWN", 3)
    award = json.loads((GOLDEN / "leeds-2015" / "award.json").read_text())
    count = sum(len(o["reserves"]) for o in award["lots"])
    lots = sum(1 for o in award["lots"] if o["reserves"])
    result = invoke("award", str(FIXTURES / "leeds-2015"))
    assert result.exit_code == 0, result.output
    assert (
        f"Ranked reserves: {count} compliant bids not appointed, in {lots} lots; each lot's, "
        "best first, are in award.json and `tender explain --lot ID`."
    ) in " ".join(result.output.split())
    assert "│ N1 North West │ 1 │" not in " ".join(result.output.split())


def test_alternatives_not_searched_are_said_and_can_be_asked_for(monkeypatch) -> None:
    import optimiser.solve

    # As if mini's 6 candidate bids were a large tender: the search is skipped by default.
    monkeypatch.setattr(optimiser.solve, "ALTERNATIVES_AUTO_LIMIT", 2)
    skipped = invoke("award", str(MINI))
    assert "Alternative optima: not searched (6 bids); use --alternatives" in skipped.output
    asked = invoke("award", str(MINI), "--alternatives")
    assert "Alternative optima: none (no lot could change hands at no loss)." in asked.output
    assert json.loads(invoke("award", str(MINI), "--alternatives", "--json").stdout)[
        "alternatives_checked"
    ]
    refused = invoke("award", str(MINI), "--no-alternatives")
    assert "Alternative optima: not searched (--no-alternatives)." in refused.output


def test_share_basis_awarded_warns_on_stderr(mini: Path) -> None:
    toml = mini / "tender.toml"
    toml.write_text(
        toml.read_text().replace(
            "max_lots_per_bidder = 2",
            'max_lots_per_bidder = 2\nmax_share_of_hours = 0.6\nshare_basis = "awarded"',
        )
    )
    for command in (["award", str(mini), "--json"], ["validate", str(mini)]):
        result = invoke(*command)
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith('warning: share_basis = "awarded": ')
        assert "slower to prove" in result.stderr
        assert "warning" not in result.stdout
    json.loads(invoke("award", str(mini), "--json").stdout)  # stdout stays pure JSON
    assert invoke("award", str(MINI)).stderr == ""


# --- what explain says --------------------------------------------------------------------


def _one_lot_each(mini: Path) -> None:
    toml = mini / "tender.toml"
    toml.write_text(toml.read_text().replace("max_lots_per_bidder = 2", "max_lots_per_bidder = 1"))


def test_explain_prices_the_rule_in_plain_words(mini: Path) -> None:
    # max 1 lot each: B2 (85.5) loses L1 to B1 (85). Without the cap B2 takes L1 back:
    # score 2000 * 0.5 = +1,000 hours-weighted, +1000 / 7500 points per tendered hour, mean
    # total (85.5 + 85 + 88) / 3 - (85 + 85 + 88) / 3 = +0.17; cost 2000 * 52 * (16 - 15).
    _one_lot_each(mini)
    result = invoke("explain", str(mini))
    assert result.exit_code == 0, result.output
    assert (
        "  The lot cap (at most 1 lot per provider): binds B2; without it 1 lot changes hands "
        "(2 appointments made or undone), score +1,000.00 hours-weighted (+0.13 points per "
        "tendered hour; mean total of the appointed bids +0.17), annual cost +£104,000."
    ) in result.output.splitlines()


def test_explain_marks_a_rule_cost_whose_re_solve_is_not_proven(mini: Path, monkeypatch) -> None:
    import optimiser.explain
    from optimiser import SolveStatus

    real = optimiser.explain.solve_award

    def timed_out(problem, **options):
        result = real(problem, **options)
        solver = result.solver.model_copy(update={"status": SolveStatus.FEASIBLE_NOT_PROVEN})
        return result.model_copy(update={"solver": solver})

    monkeypatch.setattr(optimiser.explain, "solve_award", timed_out)
    _one_lot_each(mini)
    result = invoke("explain", str(mini))
    assert result.exit_code == 0, result.output
    assert (
        "annual cost +£104,000 (not proven: the re-solve ended feasible_not_proven)."
        in result.output
    )


def test_explain_of_an_unproven_award_carries_the_caveat_and_exits_4(
    mini: Path, monkeypatch
) -> None:
    import tender.award
    from optimiser import SolveStatus

    real = tender.award.solve_award

    def timed_out(problem, **options):
        result = real(problem, **options)
        solver = result.solver.model_copy(update={"status": SolveStatus.FEASIBLE_NOT_PROVEN})
        return result.model_copy(update={"solver": solver})

    monkeypatch.setattr(tender.award, "solve_award", timed_out)
    _one_lot_each(mini)
    result = invoke("explain", str(mini), "--lot", "L1")
    assert result.exit_code == 4
    assert result.output.startswith("NOT PROVEN OPTIMAL")
    assert (
        "  B2 Beta Homecare ranked 1 but did not win: at its max lots (1) (it holds L3) "
        "(award not proven optimal)." in result.output
    )


def test_explain_bidder_says_which_tie_break_ranked_it_below(mini: Path) -> None:
    # B4 copies B3 on L2 (marks 5, 4 / 3, 3 and rate 14.90): 45 + 40 = 85 each, the same
    # quality points and rate, so only the bidder id ranks B3 first, and B3 takes L2.
    with (mini / "bidders.csv").open("a") as f:
        f.write("B4,Delta Care,true\n")
    with (mini / "bids.csv").open("a") as f:
        f.write("B4,L2,14.90\n")
    with (mini / "marks.csv").open("a") as f:
        f.write("B4,Q1,E1,5\nB4,Q1,E2,4\nB4,Q2,E1,3\nB4,Q2,E2,3\n")
    result = invoke("explain", str(mini), "--bidder", "B4")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Lot L2 South: awarded to B3 Gamma Support (rank 1, 85.00).",
        "  B4 Delta Care ranked 2 with 85.00: tied with B3 Gamma Support on total, quality "
        "points and rate: the ranking's last tie-break is the bidder id, and B3 comes before B4.",
        "  It is reserve 1 of 2 on this lot.",
        "  The top-ranked compliant bid won.",
    ]


# --- the West Leicestershire re-procurement ---------------------------------------------


def test_west_leics_vacancies_count_the_failed_bids() -> None:
    # The generator plants quality failures on W02, W04, ... and prices W01, W03, ... above
    # the 16.50 upper rate; lot 13 has all 10 bidders but W06.
    data = json.loads(invoke("award", str(FIXTURES / "west-leics-2017"), "--json").stdout)
    lot13 = next(o for o in data["lots"] if o["lot_id"] == "13")
    assert lot13["reason"] == (
        "no compliant bid: of 9 bids, 4 failed the quality pass mark, 5 above the upper rate"
    )
    assert data["group_shortfalls"] == []


def test_west_leics_rules_fit_three_lots(tmp_path: Path) -> None:
    # With the upper rate raised so the price failures become compliant, every lot is
    # awarded: no 15% cap (1,236 of 8,240 hours, below any lot) or locality minimum in the way.
    folder = tmp_path / "wl"
    shutil.copytree(FIXTURES / "west-leics-2017", folder)
    toml = folder / "tender.toml"
    toml.write_text(toml.read_text().replace("upper_rate = 16.50", "upper_rate = 18.00"))
    data = json.loads(invoke("award", str(folder), "--json").stdout)
    assert [o["vacant_places"] for o in data["lots"]] == [0, 0, 0]
    assert all(o["appointments"] for o in data["lots"])


def test_a_long_award_is_printed_as_plain_columns_with_every_row(monkeypatch) -> None:
    import tender.console

    # As if leeds-2015 had a thousand lots: plain columns, every appointment still shown.
    monkeypatch.setattr(tender.console, "AWARD_ROWS_DRAWN", 1)
    award = json.loads((GOLDEN / "leeds-2015" / "award.json").read_text())
    result = invoke("award", str(FIXTURES / "leeds-2015"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Lot "))
    assert lines[header].split() == [
        "Lot", "Group", "Hours/wk", "Provider", "Score", "Rate", "Weekly", "Annual"
    ]  # fmt: skip
    assert set(lines[header + 1]) == {"-", " "}
    appointed = [(o["lot_id"], a["bidder_id"]) for o in award["lots"] for a in o["appointments"]]
    body = lines[header + 2 : header + 2 + len(appointed)]
    for (lot_id, bidder_id), row in zip(appointed, body, strict=True):
        assert row.startswith(f"{lot_id} ") and f"  {bidder_id} " in row
    assert "│" not in "\n".join(body)
