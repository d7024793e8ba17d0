"""The benchmark's own logic: seeded tenders, the spreadsheet baseline, the goals' verdicts.

Nothing here times anything (timings live in ``make bench``); these check that what the
benchmark measures is what its table says it measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import FIXTURES

from bench.generate import TenderSpec, generate_tender, set_rules
from bench.greedy import greedy_award
from bench.run import probe_cli_award
from bench.summary import derive, goals, markdown_table
from optimiser import build_problem
from optimiser.check import rule_violations
from optimiser.model import integer_data
from tender.award import make_award
from tender.load import load_tender
from tender.scoring import score_tender


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_generated_tender_is_seeded_and_loads(tmp_path: Path) -> None:
    spec = TenderSpec(lots=30, bidders=12, share_cap="binding")
    first = _files(generate_tender(tmp_path / "a", spec))
    assert first == _files(generate_tender(tmp_path / "b", spec))
    assert first != _files(generate_tender(tmp_path / "c", TenderSpec(30, 12, seed=1)))
    tender = load_tender(tmp_path / "a")
    assert len(tender.lots) == 30
    assert len(tender.bidders) == 12
    # Every lot has a bid, and the density is near the 30% asked for (360 possible bids).
    assert {b.lot_id for b in tender.bids} == {lot.lot_id for lot in tender.lots}
    assert 70 <= len(tender.bids) <= 150


def test_binding_share_cap_costs_score_and_slack_does_not(tmp_path: Path) -> None:
    slack = load_tender(generate_tender(tmp_path / "s", TenderSpec(40, 12, share_cap="slack")))
    binding = load_tender(generate_tender(tmp_path / "b", TenderSpec(40, 12, share_cap="binding")))
    assert slack.bids == binding.bids
    assert binding.rules.max_share_of_hours < slack.rules.max_share_of_hours
    uncapped = binding.model_copy(
        update={"rules": binding.rules.model_copy(update={"max_share_of_hours": None})}
    )
    best = make_award(uncapped, solver="cbc").result.objective.score
    assert make_award(slack, solver="cbc").result.objective.score == pytest.approx(best)
    assert make_award(binding, solver="cbc").result.objective.score < best - 1e-6


def test_set_rules_replaces_the_share_lines(tmp_path: Path) -> None:
    folder = generate_tender(tmp_path / "t", TenderSpec(10, 4))
    set_rules(folder, share=0.2, basis="awarded")
    rules = load_tender(folder).rules
    assert (rules.max_share_of_hours, rules.share_basis) == (0.2, "awarded")


def test_spreadsheet_baseline_keeps_the_rules_it_checks_and_never_beats_the_optimum(
    tmp_path: Path,
) -> None:
    tender = load_tender(generate_tender(tmp_path / "t", TenderSpec(40, 12, share_cap="binding")))
    scores = score_tender(tender)
    problem = build_problem(tender, scores)
    data = integer_data(problem)
    greedy = greedy_award(problem, data)
    optimum = make_award(tender, solver="cbc", scores=scores).result
    # A tendered-basis cap is checked exactly on the way, so nothing is broken.
    assert greedy.violations == ()
    assert list(rule_violations(problem, data, list(greedy.awarded))) == []
    assert (greedy.vacancies, -greedy.score) >= (
        optimum.objective.vacancies,
        -optimum.objective.score,
    )


def _result(name: str, steps: dict, **extra: object) -> dict:
    config = {
        "name": name,
        "size": name.split("-")[0],
        "share_cap": "binding",
        "share_basis": "tendered",
        "solvers": ["highs", "cbc"],
        "raw_cbc": True,
        "time_limit": 60.0,
    }
    return {"config": config, "steps": steps, "counts": {"bids": 6053}, **extra}


def _award(seconds: float, score: float, proven: bool, gap: float | None = None) -> dict:
    return {
        "status": "ok",
        "seconds": seconds,
        "vacancies": 0,
        "shortfall": 0,
        "score": score,
        "proven": proven,
        "gap": gap,
    }


def test_summary_picks_the_best_award_and_judges_the_goal() -> None:
    steps = {
        "load": {"status": "ok", "seconds": 0.5},
        "score": {"status": "ok", "seconds": 0.25},
        # Both found the same score; only CBC proved it.
        "award_highs": _award(20.0, 1000.0, False, 0.004),
        "award_cbc": _award(12.0, 1000.0, True),
        "write": {"status": "ok", "seconds": 0.25},
        "raw_highs": {"status": "ok", "seconds": 4.0, "proven": True, "solver": "highs"},
        "greedy": {"status": "ok", "score": 950.0},
    }
    result = _result("200x100-binding-tendered", steps)
    derived = derive(result)
    assert derived.solver == "cbc"  # same score: the proven one
    assert derived.award_seconds == pytest.approx(0.5 + 0.25 + 12.0 + 0.25)
    assert derived.ratio == pytest.approx(13.0 / 4.0)
    assert derived.greedy_gap == pytest.approx(0.05)
    lines = [goal.line() for goal in goals([result], {})]
    binding = next(line for line in lines if "200x100 binding cap, tendered" in line)
    assert binding.startswith("NOT MET") and "13.0 s (cbc, proven)" in binding
    assert next(line for line in lines if "2000x1000" in line).startswith("NOT RUN")
    assert next(line for line in lines if "greedy gap" in line).startswith("MET")
    table = markdown_table([result])
    assert "12.0 opt" in table and "20.0 gap 0.40%" in table and "5.00%" in table

    faster = _result("200x100-binding-tendered", {**steps, "award_cbc": _award(3.0, 1000.0, True)})
    verdict = next(g for g in goals([faster], {}) if "tendered basis" in g.goal)
    assert verdict.met is True


def test_greedy_gap_is_against_a_raw_solve_that_beat_an_unproven_award() -> None:
    """2000 x 1000: the award was the greedy one (gap 0) and CBC's raw solve found 4% more."""
    award = {**_award(90.0, 1000.0, False), "score_level": 20_000}
    steps = {
        "load": {"status": "ok", "seconds": 1.0},
        "score": {"status": "ok", "seconds": 1.0},
        "award_highs": award,
        # 20,800 level units at 20 units a point of score: 1040 points.
        "raw_cbc": {
            "status": "ok",
            "seconds": 60.0,
            "proven": False,
            "solver": "cbc",
            "score": 20_800.0,
        },
        "raw_highs": {
            "status": "ok",
            "seconds": 60.0,
            "proven": False,
            "solver": "highs",
            "score": 19_000.0,
        },
        "greedy": {"status": "ok", "score": 1000.0},
    }
    assert derive(_result("2000x1000-slack-tendered", steps)).greedy_gap == pytest.approx(40 / 1040)
    # A raw solve below the award changes nothing; nor does one above a proven award (the
    # raw solve may leave places unfilled to score more, which an award may not).
    steps["raw_cbc"] = {**steps["raw_cbc"], "score": 19_500.0}
    assert derive(_result("2000x1000-slack-tendered", steps)).greedy_gap == pytest.approx(0.0)
    steps["raw_cbc"] = {**steps["raw_cbc"], "score": 20_800.0}
    steps["award_highs"] = {**award, "proven": True}
    assert derive(_result("2000x1000-slack-tendered", steps)).greedy_gap == pytest.approx(0.0)


def test_summary_says_an_astronomical_gap_plainly() -> None:
    raw = {"status": "ok", "seconds": 30.0, "proven": False, "gap": 9.2e7, "solver": "highs"}
    steps = {"raw_highs": raw}
    assert "> 1000%" in markdown_table([_result("200x100-binding-awarded", steps)])


def test_the_2000x1000_goal_is_judged_on_the_command_a_user_runs() -> None:
    steps = {
        "load": {"status": "ok", "seconds": 5.0},
        "score": {"status": "ok", "seconds": 7.0},
        "award_highs": _award(44.0, 1000.0, True),
        "write": {"status": "ok", "seconds": 0.1},
    }
    # The configuration's peak takes in CBC's award as well; the command's is its own.
    result = {**_result("2000x1000-slack-tendered", steps), "peak_mb": 3800.0}
    cli = {"seconds": 58.0, "exit": 0, "peak_mb": 1900.0, "solver": "highs", "status": "optimal"}

    def verdict(probe: dict[str, object]) -> tuple[bool | None, str]:
        found = next(g for g in goals([result], {"cli_big": probe}) if "2000x1000" in g.goal)
        return found.met, found.measured

    met, text = verdict(cli)
    assert met is True
    assert "58.0 s (`tender award --out`, solver highs, optimal, exit 0), peak 1,900 MB" in text
    assert "in process 56.1 s" in text
    assert verdict({**cli, "seconds": 61.0})[0] is False
    assert verdict({**cli, "peak_mb": 2100.0})[0] is False
    assert verdict({**cli, "exit": 4, "status": "feasible_not_proven"})[0] is False
    assert verdict({**cli, "peak_mb": None})[0] is False
    # Without the command's run (older results), the configuration's own numbers judge it.
    older = next(g for g in goals([result], {}) if "2000x1000" in g.goal)
    assert older.met is False and "peak 3,800 MB" in older.measured


def test_the_award_probe_runs_the_command_and_reads_its_own_peak(tmp_path: Path) -> None:
    found = probe_cli_award(FIXTURES / "hcl-2021", tmp_path / "out", 30, 300)
    assert found["exit"] == 0, found["error"]
    assert (found["solver"], found["status"]) == ("highs", "optimal")
    assert (tmp_path / "out" / "award.csv").exists()
    # The command's own peak: an interpreter with tender's imports, far below pytest's.
    assert 20 < found["peak_mb"] < 1000
    assert "stderr" not in found
