"""Withdrawal: every other award held, each freed lot to the best eligible alternative."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from builders import make_bidder, make_lot, make_marks, make_tender
from paths import FIXTURES

from tender.award import make_award
from tender.errors import InputError
from tender.load import load_tender
from tender.models import Tender
from tender.scoring import score_tender
from tender.withdraw import read_award_json, withdraw


def _random_tender(seed: int) -> Tender:
    """4 lots in 2 groups, 5 bidders; lot caps, capacities, share caps and group minimums."""
    rng = random.Random(seed)
    lots = [
        make_lot(f"L{i}", hours=rng.choice([800, 1000, 1200, 1500]), group="AB"[i % 2])
        for i in range(1, 5)
    ]
    bidders = [
        make_bidder(f"B{i}", capacity_hours_per_week=rng.choice([None, 2000, 2600]))
        for i in range(1, 6)
    ]
    bids, marks = [], []
    for bidder in bidders:
        marks.append(make_marks(bidder.bidder_id, "Q1", rng.randint(2, 5), rng.randint(2, 5)))
        marks.append(make_marks(bidder.bidder_id, "Q2", rng.randint(2, 5)))
        for lot in lots:
            if rng.random() < 0.7:
                bids.append((bidder.bidder_id, lot.lot_id, round(rng.uniform(14.6, 17.4), 2)))
    return make_tender(
        lots=lots,
        bidders=bidders,
        bids=bids,
        marks=marks,
        rules={
            "max_lots_per_bidder": rng.choice([1, 2]),
            # Binary fractions, so the cap in hours is exact in the brute force too.
            "max_share_of_hours": rng.choice([None, 0.375, 0.5]),
            "min_providers_per_group": rng.choice([None, 2]),
        },
    )


def _brute_force_refill(
    tender: Tender, before: dict[str, tuple[str, ...]], gone: str
) -> tuple[int, int, float]:
    """Fewest vacancies, then fewest missing group providers, then best hours-weighted score."""
    scores = {(b.lot_id, b.bidder_id): b.total for b in score_tender(tender).bids if b.compliant}
    hours = {lot.lot_id: lot.hours_per_week for lot in tender.lots}
    group = {lot.lot_id: lot.group for lot in tender.lots}
    bidders = {b.bidder_id: b for b in tender.bidders}
    rules = tender.rules
    cap = rules.max_share_of_hours * tender.total_hours if rules.max_share_of_hours else None
    freed = [lot for lot, held in before.items() if gone in held]
    kept = {lot: held[0] for lot, held in before.items() if held and gone not in held}
    options = [
        [None, *sorted(b for (lot_id, b) in scores if lot_id == lot and b != gone)] for lot in freed
    ]
    best: tuple[int, int, float] | None = None
    for choice in itertools.product(*options):
        award = dict(kept) | {lot: b for lot, b in zip(freed, choice, strict=True) if b}
        count: dict[str, int] = {}
        load: dict[str, float] = {}
        for lot, b in award.items():
            count[b] = count.get(b, 0) + 1
            load[b] = load.get(b, 0.0) + hours[lot]
        if any(n > rules.max_lots_per_bidder for n in count.values()):
            continue
        if any(
            bidders[b].capacity_hours_per_week is not None
            and load[b] > bidders[b].capacity_hours_per_week
            for b in load
        ):
            continue
        if cap is not None and any(h > cap for h in load.values()):
            continue
        vacancies = sum(1 for b in choice if b is None)
        need = rules.min_providers_per_group or 0
        shortfall = sum(
            max(0, need - len({b for lot, b in award.items() if group[lot] == g}))
            for g in sorted(set(group.values()))
        )
        score = sum(scores[(lot, b)] * hours[lot] for lot, b in award.items())
        key = (vacancies, shortfall, -score)
        if best is None or key < (best[0], best[1], -best[2]):
            best = (vacancies, shortfall, score)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(16))
def test_withdrawal_matches_brute_force(seed: int) -> None:
    tender = _random_tender(seed)
    award = make_award(tender)
    before = {o.lot_id: tuple(a.bidder_id for a in o.appointments) for o in award.lots}
    holders = sorted({b for held in before.values() for b in held})
    if not holders:
        pytest.skip("nothing awarded")
    gone = holders[seed % len(holders)]
    result = withdraw(tender, gone, before=before)
    after = dict(before)
    for change in result.changes:
        after[change.lot_id] = change.after
    # Every other appointment is held exactly.
    for lot, held in before.items():
        if gone not in held:
            assert after[lot] == held, lot
    assert all(gone not in held for held in after.values())
    scores = {(b.lot_id, b.bidder_id): b.total for b in score_tender(tender).bids}
    hours = {lot.lot_id: lot.hours_per_week for lot in tender.lots}
    vacancies = sum(1 for lot, held in before.items() if gone in held and not after[lot])
    score = sum(scores[(lot, b)] * hours[lot] for lot, held in after.items() for b in held)
    need = tender.rules.min_providers_per_group or 0
    groups = sorted({lot.group for lot in tender.lots})
    shortfall = sum(
        max(0, need - len({b for lot in tender.lots if lot.group == g for b in after[lot.lot_id]}))
        for g in groups
    )
    # Every bid ranked above a lot's new provider is named with why it was passed over.
    ranks = {(b.lot_id, b.bidder_id): b.rank for b in score_tender(tender).bids if b.compliant}
    for change in result.changes:
        if change.after:
            (taker,) = change.after
            above = {
                b
                for (lot, b), rank in ranks.items()
                if lot == change.lot_id and b != gone and rank < ranks[(lot, taker)]
            }
            assert {p.split(" ")[0] for p in change.passed_over} == above, change
    best_vacancies, best_shortfall, best_score = _brute_force_refill(tender, before, gone)
    assert (vacancies, shortfall) == (best_vacancies, best_shortfall)
    assert score == pytest.approx(best_score, abs=1e-6)


def test_withdrawal_by_hand() -> None:
    # A and B are won by X; Y is second on A, Z second on B; Y may hold only 1 lot and
    # already holds C, so B goes to Z and A has no one left: vacant.
    tender = make_tender(
        lots=["A", "B", "C"],
        bidders=["X", make_bidder("Y", max_lots=1), "Z"],
        bids=[
            ("X", "A", 15.0),
            ("X", "B", 15.0),
            ("Y", "A", 16.0),
            ("Y", "C", 15.0),
            ("Z", "B", 17.0),
        ],
        rules={"max_lots_per_bidder": 2},
    )
    before = {"A": ("X",), "B": ("X",), "C": ("Y",)}
    result = withdraw(tender, "X", before=before)
    changes = {c.lot_id: c for c in result.changes}
    assert set(changes) == {"A", "B"}
    assert changes["B"].after == ("Z",)
    assert changes["A"].after == ()
    assert changes["A"].vacant_places == 1
    assert "Y" in changes["A"].note
    # Re-optimising may move Y from C to A (same score, cheaper) or not; C stays covered.
    moved = withdraw(tender, "X", before=before, reoptimise=True)
    assert moved.reoptimised
    assert all(c.after or c.lot_id != "C" for c in moved.changes)


def test_passed_over_bids_say_why() -> None:
    # X withdraws from A; A ranks X, Y, W, Z by rate (equal quality). Y already holds B and
    # C, 2000 of the 4000 tendered hours: at the 50% share cap. W holds D and may hold 1 lot.
    # So A goes to Z, ranked 4, and the note says why Y and W were passed over.
    tender = make_tender(
        lots=["A", "B", "C", "D"],
        bidders=["X", "Y", make_bidder("W", max_lots=1), "Z"],
        bids=[
            ("X", "A", 15.0),
            ("Y", "A", 15.1),
            ("W", "A", 15.2),
            ("Z", "A", 15.3),
            ("Y", "B", 15.0),
            ("Y", "C", 15.0),
            ("W", "D", 15.0),
        ],
        rules={"max_share_of_hours": 0.5, "max_lots_per_bidder": 3},
    )
    before = {"A": ("X",), "B": ("Y",), "C": ("Y",), "D": ("W",)}
    (change,) = withdraw(tender, "X", before=before).changes
    assert change.after == ("Z",)
    assert change.passed_over == (
        "Y (ranked 2): at its share cap (50% of tendered hours: 2,000 h/week) (it holds B, C)",
        "W (ranked 3): at its max lots (1) (it holds D)",
    )
    assert change.note == "re-awarded to Z (ranked 4); passed over: " + "; ".join(
        change.passed_over
    )


def test_bidder_without_lots_is_refused() -> None:
    tender = load_tender(FIXTURES / "htlah-2016")
    with pytest.raises(InputError, match="holds no lot"):
        withdraw(tender, "B30")
    with pytest.raises(InputError, match="no bidder"):
        withdraw(tender, "NOPE")


def test_read_award_json_checks_the_tender(tmp_path: Path) -> None:
    tender = load_tender(FIXTURES / "leeds-2015")
    path = tmp_path / "award.json"
    path.write_text(json.dumps({"tender_id": "other", "lots": []}), encoding="utf-8")
    with pytest.raises(InputError, match="not 'leeds-2015'"):
        read_award_json(path, tender)
    path.write_text(
        json.dumps({"tender_id": "leeds-2015", "lots": [{"lot_id": "ZZ", "appointments": []}]}),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="'ZZ' is not in this tender"):
        read_award_json(path, tender)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read"):
        read_award_json(path, tender)
