"""The cross-row checks of tender.models: what they find, and that each tender runs them once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from builders import make_bid, make_bidder, make_consensus, make_criterion, make_lot, make_marks
from builders import make_tender as build_tender
from paths import MINI
from pydantic import BaseModel, ValidationError

import optimiser
import tender.load
import tender.models
import tender.scoring
from tender.load import Table, tender_from_rows
from tender.models import (
    REFERENCES_CHECKED,
    Evaluation,
    PriceRules,
    Rules,
    Tender,
    find_reference_problems,
)


def _messages(**changes: Any) -> list[str]:
    fields: dict[str, Any] = {
        "evaluation": Evaluation(quality_weight=60, price_weight=40, price_method="lowest_ratio"),
        "criteria": (
            make_criterion("Q1", 20),
            make_criterion("Q2", 20),
            make_criterion("Q3", 20),
        ),
        "price": PriceRules(lower_rate=14.5, upper_rate=17.5),
        "lots": (make_lot("L1"), make_lot("L2"), make_lot("L3")),
        "bidders": (make_bidder("B1"), make_bidder("B2", excluded="Late.")),
        "bids": (),
        "marks": (),
        "moderation": (),
    }
    return [p.message for p in find_reference_problems(**(fields | changes))]


def test_a_lot_s_own_marks_fill_the_gaps_its_bidder_s_general_marks_leave() -> None:
    marks = (
        *make_marks("B1", "Q1", 4),
        *make_marks("B1", "Q2", 3, lot_id="L1"),
        *make_marks("B1", "Q3", 3, lot_id="L1"),
        *make_marks("B1", "Q3", 2, lot_id="L2"),
    )
    bids = tuple(make_bid("B1", lot_id, 15.0) for lot_id in ("L1", "L2", "L3"))
    assert _messages(bids=bids, marks=marks) == [
        "bidder 'B1' has no marks for Q2 (lot 'L2') in marks.csv",
        "bidder 'B1' has no marks for Q2, Q3 (lot 'L3') in marks.csv",
    ]


def test_consensus_marks_count_and_an_excluded_bidder_needs_none() -> None:
    moderation = (
        make_consensus("B1", "Q1", 4),
        make_consensus("B1", "Q2", 4),
        make_consensus("B1", "Q3", 4, lot_id="L2"),
    )
    bids = (make_bid("B1", "L1", 15.0), make_bid("B1", "L2", 15.0), make_bid("B2", "L1", 15.0))
    assert _messages(bids=bids, moderation=moderation) == [
        "bidder 'B1' has no marks for Q3 (lot 'L1') in marks.csv"
    ]


def test_a_repeated_bid_names_the_row_first_given() -> None:
    marks = tuple(m for c in ("Q1", "Q2", "Q3") for m in make_marks("B1", c, 4))
    bids = (make_bid("B1", "L1", 15.0), make_bid("B1", "L2", 15.0), make_bid("B1", "L1", 16.0))
    assert _messages(bids=bids, marks=marks) == [
        "duplicate bid for bidder, lot 'B1, L1' (first given in row 2)"
    ]


def test_a_fixed_rate_missing_for_a_band_is_reported_on_each_of_its_bids() -> None:
    given: dict[str, Any] = {
        "evaluation": Evaluation(quality_weight=100, price_weight=0, price_method="fixed"),
        "criteria": (make_criterion("Q1", 100),),
        "lots": (make_lot("L1", band="urban"), make_lot("L2", band="rural")),
        "bids": tuple(make_bid(b, lot, 16.0) for b in ("B1", "B3") for lot in ("L1", "L2")),
        "bidders": (make_bidder("B1"), make_bidder("B3")),
        "marks": (*make_marks("B1", "Q1", 4), *make_marks("B3", "Q1", 4)),
    }
    bands = {"rural": {}, "urban": {"fixed_rate": 16.0}}
    assert _messages(price=PriceRules(fixed_rate=15.5, bands=bands), **given) == []
    unpriced = (
        "price_method = \"fixed\" but no fixed_rate for lot 'L2': "
        "set fixed_rate in tender.toml [price] or [price.bands.rural]"
    )
    assert _messages(price=PriceRules(bands=bands), **given) == [unpriced, unpriced]


def test_a_lot_s_one_sided_override_must_fit_the_rules_other_end() -> None:
    # A lot's own min or max replaces only that end of providers_per_lot: the other end
    # still comes from the rules, and the two together must leave room for an award.
    lots = (
        make_lot("L1", max_providers=1),
        make_lot("L2", min_providers=3),
        make_lot("L3", min_providers=3, max_providers=3),  # both its own: the rules do not apply
        make_lot("L4", max_providers=2),
    )
    framework = Rules(providers_per_lot={"min": 2})
    assert _messages(lots=lots, rules=framework) == [
        "max_providers 1 is below [rules] providers_per_lot.min 2, which applies while "
        "min_providers is empty: set this lot's min_providers, or lower the rule"
    ]
    capped = Rules(providers_per_lot={"min": 1, "max": 2})
    assert _messages(lots=lots, rules=capped) == [
        "min_providers 3 is above [rules] providers_per_lot.max 2, which applies while "
        "max_providers is empty: set this lot's max_providers, or raise the rule"
    ]
    assert _messages(lots=lots, rules=Rules(providers_per_lot={"min": 1})) == []
    assert _messages(lots=lots) == []  # rules that did not read: nothing to check against
    problems = find_reference_problems(
        evaluation=None,
        criteria=(make_criterion("Q1", 60),),
        price=None,
        lots=lots,
        bidders=(),
        bids=(),
        marks=(),
        moderation=(),
        rules=framework,
    )
    assert [(p.table, p.index, p.column) for p in problems] == [("lots.csv", 0, "max_providers")]


def test_a_tender_built_in_code_checks_lot_ranges_against_its_rules() -> None:
    with pytest.raises(ValidationError, match=r"lots.csv record 1: max_providers 1 is below"):
        build_tender(
            lots=[make_lot("L1", max_providers=1)],
            bids=[("B1", "L1", 15.0)],
            rules={"providers_per_lot": {"min": 2}},
        )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the runs of find_reference_problems, by the loader and by Tender alike."""
    counted: list[int] = []
    real = tender.models.find_reference_problems

    def counting(**kwargs: Any) -> Any:
        counted.append(len(kwargs["bids"]))
        return real(**kwargs)

    monkeypatch.setattr(tender.models, "find_reference_problems", counting)
    monkeypatch.setattr(tender.load, "find_reference_problems", counting)
    yield counted


def test_a_loaded_tender_is_checked_once_and_not_again_as_a_field(calls: list[int]) -> None:
    class Holder(BaseModel):
        tender: Tender

    loaded = tender.load.load_tender(MINI)
    assert calls == [len(loaded.bids)]
    assert Holder(tender=loaded).tender is loaded
    assert Tender.model_validate(loaded) is loaded
    assert calls == [len(loaded.bids)]


def test_a_tender_built_in_code_is_checked(calls: list[int]) -> None:
    built = build_tender(bids=[("B1", "L1", 15.0)])
    assert len(calls) == 1
    fields = dict(built) | {"bids": (make_bid("B1", "L9", 15.0),)}
    for context in (None, {"references_checked": True}):
        with pytest.raises(ValidationError, match=r"unknown lot 'L9' \(not in lots.csv\)"):
            Tender.model_validate(fields, context=context)
    with pytest.raises(ValidationError, match="unknown lot 'L9'"):
        Tender(**fields)
    assert len(calls) == 4
    # Only the loader says it has run the checks, and only on rows it has checked:
    Tender.model_validate(dict(built), context=REFERENCES_CHECKED)
    assert len(calls) == 4


def test_rows_a_reader_dropped_without_a_word_are_still_checked_by_tender() -> None:
    config = {
        "tender": {
            "id": "t",
            "title": "T",
            "authority": "A",
            "regime": "pa2023",
            "award_decision_date": "2026-01-01",
        },
        "evaluation": {"quality_weight": 60, "price_weight": 40, "price_method": "lowest_ratio"},
        "criteria": [{"id": "Q1", "name": "Q", "weight": 60, "max_score": 5}],
    }
    tables = {
        "bidders.csv": Table(["bidder_id", "name"], [(2, ["B1", "One"])]),
        "bids.csv": Table(["bidder_id", "lot_id", "rate"], [(2, ["B1", "L1", "15"])]),
        "marks.csv": Table(
            ["bidder_id", "criterion_id", "evaluator", "score"], [(2, ["B1", "Q1", "E1", "4"])]
        ),
    }
    # lots.csv is left out with no problem given, as no reader should: the loader's checks
    # then skip what refers to lots, and Tender's own run catches what they skipped.
    with pytest.raises(ValidationError, match="no lots: the file has no data rows"):
        tender_from_rows(config, tables, locate=lambda loc: None)


def test_models_given_the_same_fields_share_one_set_and_behave_as_before() -> None:
    given = [
        tender.models.Bid(bidder_id="B1", lot_id="L1", rate=16.0),
        tender.models.Bid(bidder_id="B2", lot_id="L1", rate=17.0),
        tender.models.Bid(bidder_id="B3", lot_id="L1", reablement_rate=18.0, maintenance_rate=15.0),
        tender.models.Bid(bidder_id="B4", lot_id="L2", rate=15.5),
    ]
    tender.models.share_fields_sets(given)
    plain, other, reablement, last = given
    assert plain.model_fields_set is other.model_fields_set is last.model_fields_set
    assert plain.model_fields_set == {"bidder_id", "lot_id", "rate"}
    assert reablement.model_fields_set == {
        "bidder_id",
        "lot_id",
        "reablement_rate",
        "maintenance_rate",
    }
    # What the set is read for: the fields given (a folder export), and copies, which add to
    # a copy of it.
    assert plain.model_dump(exclude_unset=True) == {"bidder_id": "B1", "lot_id": "L1", "rate": 16}
    copy = plain.model_copy(update={"maintenance_rate": 19.0})
    assert "maintenance_rate" in copy.model_fields_set
    assert other.model_fields_set == {"bidder_id", "lot_id", "rate"}


def test_a_model_that_is_not_frozen_keeps_its_own_set() -> None:
    class Open(BaseModel):
        a: int

    with pytest.raises(TypeError, match="Open is not frozen"):
        tender.models.share_fields_sets([Open(a=1), Open(a=2)])


def test_a_loaded_and_scored_tender_holds_one_set_per_kind_of_row() -> None:
    loaded = tender.load.load_tender(MINI)
    scores = tender.scoring.score_tender(loaded)
    problem = optimiser.build_problem(loaded, scores)

    def kinds(models: tuple[BaseModel, ...]) -> int:
        return len({frozenset(m.model_fields_set) for m in models})

    def sets(models: tuple[BaseModel, ...]) -> int:
        return len({id(m.model_fields_set) for m in models})

    for models in (loaded.bids, loaded.marks, problem.candidates):
        assert len(models) > kinds(models) == sets(models)
    # Scored a lot at a time: a set per lot.
    assert len(scores.bids) > sets(scores.bids) == len(loaded.lots) * kinds(scores.bids)
