"""Scenarios: merges, splits, subsets, exclusions and overrides, checked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from builders import make_consensus, make_lot, make_marks, make_tender
from paths import FIXTURES, MINI

from optimiser import RuleCost, SolveStatus
from tender.errors import InputError
from tender.load import load_scenario, load_tender, scenario_paths
from tender.scenarios import Scenario, apply_scenario, scenario_from_assignments
from tender.scoring import score_tender


def test_merge_sums_hours_and_keeps_bidders_on_every_part() -> None:
    # mini: L1 2000 h (B1 15.00, B2 16.00), L2 2500 h (B1 15.20, B3 14.90), L3 3000 h.
    tender = load_tender(MINI)
    merged = apply_scenario(tender, Scenario(name="m", merge=(("L1", "L2"),)))
    assert [(lot.lot_id, lot.hours_per_week) for lot in merged.lots] == [
        ("L1-L2", 4500.0),
        ("L3", 3000.0),
    ]
    assert merged.lots[0].name == "North + South"
    bids = [(b.bidder_id, b.lot_id) for b in merged.bids if b.lot_id == "L1-L2"]
    # Only B1 bid on both parts; B2 (L1 only) and B3 (L2 only) drop out of the merged lot.
    assert bids == [("B1", "L1-L2")]
    rate = next(b.rate for b in merged.bids if b.lot_id == "L1-L2")
    # Hours-weighted: (2000 * 15.00 + 2500 * 15.20) / 4500 = 68000 / 4500.
    assert rate == pytest.approx(68000 / 4500)
    assert merged.total_hours == tender.total_hours
    # The merged tender scores: B1 alone, so it ranks first with full price points.
    ranked = [b for b in score_tender(merged).bids if b.lot_id == "L1-L2"]
    assert [(b.bidder_id, b.rank, b.price_points) for b in ranked] == [("B1", 1, 40.0)]


def test_merge_keeps_stepped_tariffs_and_lot_marks() -> None:
    tender = make_tender(
        lots=[make_lot("A", hours=100), make_lot("B", hours=300)],
        bids=[("X", "A", 15.0), ("X", "B", 16.0)],
        marks=[
            make_marks("X", "Q1", 4, lot_id="A"),
            make_marks("X", "Q1", 2, lot_id="B"),
            make_marks("X", "Q2", 3),
        ],
        moderation=[
            make_consensus("X", "Q2", 5, "A ok", lot_id="A"),
            make_consensus("X", "Q2", 1, "B weak", lot_id="B"),
        ],
    )
    merged = apply_scenario(tender, Scenario(name="m", merge=(("A", "B"),)))
    assert merged.bids[0].rate == pytest.approx((100 * 15 + 300 * 16) / 400)
    q1 = sorted((m.evaluator, m.score) for m in merged.marks if m.lot_id == "A-B")
    # E1 marked both parts, so its two marks are told apart by the part.
    assert q1 == [("E1 (lot A)", 4.0), ("E1 (lot B)", 2.0)]
    (consensus,) = merged.moderation
    # Consensus on both parts: the hours-weighted mean, (100 * 5 + 300 * 1) / 400 = 2.
    assert consensus.score == pytest.approx(2.0)
    assert consensus.rationale == "lot A: A ok / lot B: B weak"


def test_split_divides_hours_and_copies_bids() -> None:
    tender = load_tender(MINI)
    split = apply_scenario(tender, Scenario(name="s", split={"L3": (0.6, 0.4)}))
    assert [(lot.lot_id, lot.hours_per_week) for lot in split.lots][-2:] == [
        ("L3.1", pytest.approx(1800.0)),
        ("L3.2", pytest.approx(1200.0)),
    ]
    assert math.isclose(split.total_hours, tender.total_hours)
    per_part = sorted((b.lot_id, b.bidder_id, b.rate) for b in split.bids if "L3." in b.lot_id)
    assert per_part == [
        ("L3.1", "B2", 15.5),
        ("L3.1", "B3", 16.1),
        ("L3.2", "B2", 15.5),
        ("L3.2", "B3", 16.1),
    ]


def test_subset_exclusion_and_overrides() -> None:
    tender = load_tender(MINI)
    changed = apply_scenario(
        tender,
        Scenario(
            name="x",
            lots=("L1", "L3"),
            exclude_bidders=("B2",),
            rules={"max_lots_per_bidder": None, "max_share_of_hours": 0.5},
            evaluation={"quality_weight": 80},
        ),
    )
    assert [lot.lot_id for lot in changed.lots] == ["L1", "L3"]
    assert {b.lot_id for b in changed.bids} == {"L1", "L3"}
    assert next(b for b in changed.bidders if b.bidder_id == "B2").status == "excluded"
    assert changed.rules.max_lots_per_bidder is None
    assert changed.rules.max_share_of_hours == 0.5
    # 60 -> 80: the price weight follows and each criterion's 30 scales to 40.
    assert (changed.evaluation.quality_weight, changed.evaluation.price_weight) == (80, 20)
    assert [c.weight for c in changed.criteria] == [40, 40]


def test_criteria_weights_set_the_quality_weight() -> None:
    changed = apply_scenario(load_tender(MINI), Scenario(name="c", criteria={"Q1": 40}))
    assert [c.weight for c in changed.criteria] == [40, 30]
    assert (changed.evaluation.quality_weight, changed.evaluation.price_weight) == (70, 30)


@pytest.mark.parametrize(
    ("scenario", "fragment"),
    [
        (Scenario(name="b", merge=(("L1", "L1"),)), "two or more different lots"),
        (Scenario(name="b", merge=(("L1",),)), "two or more different lots"),
        (Scenario(name="b", merge=(("L1", "L9"),)), "unknown id L9"),
        (Scenario(name="b", merge=(("L1", "L2"), ("L2", "L3"))), "lot L2 is used twice"),
        (Scenario(name="b", merge=(("L1", "L2"),), split={"L1": (0.5, 0.5)}), "used twice"),
        (Scenario(name="b", lots=("L1",), merge=(("L1", "L2"),)), "not among the scenario"),
        (Scenario(name="b", split={"L1": (0.5, 0.4)}), "add up to 0.9"),
        (Scenario(name="b", split={"L1": (1.0,)}), "two or more shares"),
        (Scenario(name="b", exclude_bidders=("B7",)), "unknown id B7"),
        (Scenario(name="b", criteria={"Q9": 3}), "unknown id Q9"),
        (Scenario(name="b", rules={"max_lots_per_bidder": -1}), "makes an invalid tender"),
        (Scenario(name="b", evaluation={"price_method": "cheapest"}), "makes an invalid tender"),
    ],
)
def test_bad_scenarios_are_input_errors(scenario: Scenario, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        apply_scenario(load_tender(MINI), scenario)


def test_scenario_rules_that_leave_a_lot_no_room_are_an_input_error() -> None:
    # L1's own max_providers = 2 under the scenario's { min = 3 }: at least 3 and at most 2.
    tender = make_tender(
        lots=[make_lot("L1", max_providers=2), "L2"],
        bids=[("B1", "L1", 15.0), ("B1", "L2", 15.0)],
    )
    scenario = Scenario(name="wide", rules={"providers_per_lot": {"min": 3}}, source="wide.toml")
    with pytest.raises(InputError, match="max_providers 2 is below") as caught:
        apply_scenario(tender, scenario)
    assert caught.value.problems[0].file == "wide.toml"


def test_load_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "opt.toml"
    path.write_text(
        '[scenario]\ndescription = "d"\nmerge = [["L1", "L2"]]\n\n'
        '[rules]\nmax_lots_per_bidder = "none"\n\n[criteria]\nQ1 = 20\n',
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    assert scenario.name == "opt"
    assert scenario.merge == (("L1", "L2"),)
    assert scenario.rules == {"max_lots_per_bidder": None}
    assert scenario.criteria == {"Q1": 20}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "[rules]\nmax_lots_per_bider = 2\n",
            "bad.toml:2: rules.max_lots_per_bider: unknown key "
            "(did you mean 'max_lots_per_bidder'?)",
        ),
        ("[rule]\nmax_lots_per_bidder = 2\n", "bad.toml:1: rule: unknown table"),
        ("[scenario]\nmerge = 3\n", "scenario.merge"),
        ("[scenario\n", "not valid TOML"),
        ("[rules]\nx = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ],
)
def test_bad_scenario_files(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert fragment in str(caught.value)
    assert "bad.toml" in str(caught.value)


def test_missing_scenario_names_the_shipped_ones() -> None:
    with pytest.raises(InputError, match="scenarios here: max-2-lots"):
        load_scenario("nope", FIXTURES / "htlah-2016")


def test_set_assignments() -> None:
    scenario = scenario_from_assignments(
        [
            "rules.max_lots_per_bidder=2",
            "rules.max_share_of_hours=none",
            "evaluation.price_method=linear",
        ]
    )
    assert scenario.rules == {"max_lots_per_bidder": 2, "max_share_of_hours": None}
    assert scenario.evaluation == {"price_method": "linear"}
    # Named after what it sets, so a comparison's column says what changed.
    assert scenario.name == "max_lots_per_bidder=2, max_share_of_hours=none, price_method=linear"
    assert scenario.description == (
        "set on the command line: rules.max_lots_per_bidder=2, rules.max_share_of_hours=none, "
        "evaluation.price_method=linear"
    )
    with pytest.raises(InputError, match=r"TABLE\.KEY=VALUE"):
        scenario_from_assignments(["max_lots_per_bidder=2"])
    with pytest.raises(InputError, match=r"did you mean rules\.max_lots_per_bidder\?"):
        scenario_from_assignments(["rules.max_lots_per_bider=2"])


def test_set_criterion_weights() -> None:
    # Q1 from 30 to 40, Q2 stays 30: the quality weight becomes 70 and the price weight 30.
    for assignment in ("criteria.Q1=40", "criteria.Q1.weight=40"):
        scenario = scenario_from_assignments([assignment])
        assert scenario.criteria == {"Q1": 40}
        assert scenario.name == "criteria.Q1=40"
        changed = apply_scenario(load_tender(MINI), scenario)
        assert [c.weight for c in changed.criteria] == [40, 30]
        assert (changed.evaluation.quality_weight, changed.evaluation.price_weight) == (70, 30)
    with pytest.raises(InputError, match="changes a criterion's weight only"):
        scenario_from_assignments(["criteria.Q1.max_score=10"])
    with pytest.raises(InputError, match="weight is a number"):
        scenario_from_assignments(["criteria.Q1=heavy"])
    with pytest.raises(InputError, match="unknown id Q9"):
        apply_scenario(load_tender(MINI), scenario_from_assignments(["criteria.Q9=5"]))


def test_shipped_htlah_scenarios_apply() -> None:
    tender = load_tender(FIXTURES / "htlah-2016")
    names = [p.stem for p in scenario_paths(FIXTURES / "htlah-2016")]
    assert {"no-share-cap", "max-2-lots", "west-leics-lots"} <= set(names)
    for path in scenario_paths(FIXTURES / "htlah-2016"):
        scenario = load_scenario(path)
        assert scenario.description
        apply_scenario(tender, scenario)


def _threads_of_a_highs_model() -> int:
    """Run in a worker: the threads a HiGHS model made there may use (0: HiGHS's choice)."""
    import numpy as np

    from optimiser.highs import HighsModel
    from optimiser.linear import Columns

    empty = Columns([], np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool))
    _, threads = HighsModel(empty, [])._highs.getOptionValue("threads")
    return int(threads)


def test_pool_workers_give_highs_one_thread_each() -> None:
    # Two workers each left to HiGHS's choice (half the cores) spin their idle threads.
    from tender.compare import run_jobs

    assert run_jobs(_threads_of_a_highs_model, [(), ()], workers=2) == [1, 1]
    assert run_jobs(_threads_of_a_highs_model, [()], workers=1) == [0]


def test_highs_threads_cannot_change_after_the_first_solve() -> None:
    # HiGHS makes its threads once per process: asking for another number fails each solve.
    import highspy

    from optimiser.solvers import create_highs_quietly, highs_threads, limit_highs_threads

    create_highs_quietly(highspy.Highs)
    assert highs_threads() is None
    with pytest.raises(RuntimeError, match="before the process's first solve"):
        limit_highs_threads(1)
    with pytest.raises(ValueError, match="at least one thread"):
        limit_highs_threads(0)
    assert highs_threads() is None


def test_worker_count_pays_for_the_pool() -> None:
    from tender.compare import JOBS_PER_WORKER, worker_count

    assert JOBS_PER_WORKER == 8
    # 2 cores: the 6 solves of a comparison run here, a 29-solve sweep in 2 workers.
    assert worker_count(6, cpus=2) == 1
    assert worker_count(15, cpus=2) == 1
    assert worker_count(16, cpus=2) == 2
    assert worker_count(118, cpus=2) == 2
    # More cores: still one worker per 8 jobs, never more than the cores.
    assert worker_count(6, cpus=8) == 1
    assert worker_count(40, cpus=8) == 5
    assert worker_count(400, cpus=8) == 8
    assert worker_count(0, cpus=4) == 1


def test_parallel_and_serial_comparisons_are_byte_identical() -> None:
    from tender.compare import compare_scenarios
    from tender.export.comparison import compare_csv, compare_json, rule_costs_csv

    tender = load_tender(MINI)
    scenarios = [
        Scenario(name="two-lots", lots=("L1", "L3")),
        Scenario(name="one-each", rules={"max_lots_per_bidder": 1}),
        Scenario(name="merged", merge=(("L1", "L2"),)),
        Scenario(name="no-b2", exclude_bidders=("B2",)),
    ]
    serial = compare_scenarios(tender, scenarios, workers=1)
    parallel = compare_scenarios(tender, scenarios, workers=2)
    assert compare_csv(parallel) == compare_csv(serial)
    assert rule_costs_csv(parallel) == rule_costs_csv(serial)
    assert compare_json(parallel) == compare_json(serial)
    assert [r.name for r in serial.results] == ["baseline", *(s.name for s in scenarios)]


def test_compare_measures_a_given_baseline_without_solving_it() -> None:
    from tender.award import make_award
    from tender.compare import compare_scenarios
    from tender.export.comparison import compare_csv

    tender = load_tender(MINI)
    scenarios = [Scenario(name="one-each", rules={"max_lots_per_bidder": 1})]
    solved = compare_scenarios(tender, scenarios, workers=1)
    given = compare_scenarios(tender, scenarios, workers=1, baseline=make_award(tender))
    assert compare_csv(given) == compare_csv(solved)
    # mini (README): B2 wins L1 (85.5) and L3, B3 wins L2; the mean is over 3 appointments.
    baseline = given.results[0]
    assert baseline.appointments == 3
    assert baseline.mean_score == pytest.approx(baseline.total_score / 3)
    assert baseline.tendered_hours == 2000 + 2500 + 3000
    cost = RuleCost(
        rule="max_lots_per_bidder",
        binding=True,
        vacancies_filled=0,
        score_gain=750.0,
        cost_change=0.0,
        awards_changed=2,
        status=SolveStatus.OPTIMAL,
        points_per_hour=0.1,
    )
    assert baseline.points(cost, "hours_weighted") == pytest.approx(0.1)
    # With objective = "score": the gain over the 3 lots.
    assert baseline.points(cost, "score") == pytest.approx(250.0)


def test_rules_are_named_plainly_and_listed_in_report_order() -> None:
    from optimiser.explain import rule_name, rule_order

    keys = ["budget_per_year", "max_share_of_hours", "future_rule", "max_lots_per_bidder"]
    assert rule_order(keys) == [
        "max_lots_per_bidder",
        "max_share_of_hours",
        "budget_per_year",
        "future_rule",
    ]
    assert rule_name("max_share_of_hours") == "Share cap"
    assert rule_name("future_rule") == "future_rule"
