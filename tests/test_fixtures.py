"""The shipped examples: re-made byte for byte by their seeded generator, real-shaped, planted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from paths import FIXTURES, ROOT

from tender.load import load_tender
from tender.scoring import score_tender


def test_generator_remakes_the_committed_fixtures() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_fixtures.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_generator_output_is_the_same_twice(tmp_path: Path) -> None:
    for out in ("a", "b"):
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "make_fixtures.py"),
                "--out",
                str(tmp_path / out),
            ],
            check=True,
            capture_output=True,
        )
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert len(files) >= 20
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("name", ["htlah-2016", "hcl-2021", "leeds-2015", "west-leics-2017"])
def test_each_fixture_says_it_is_illustrative(name: str) -> None:
    readme = (FIXTURES / name / "README.md").read_text(encoding="utf-8")
    assert "illustrative" in readme
    assert "**Real**" in readme and "**Synthetic**" in readme


def test_htlah_shape_and_planted_cases() -> None:
    tender = load_tender(FIXTURES / "htlah-2016")
    assert len(tender.lots) == 18
    assert len(tender.groups) == 7
    assert tender.total_hours == 49_230
    assert all(2000 <= lot.hours_per_week <= 3500 for lot in tender.lots)
    assert abs(tender.lot("9").hours_per_week - 2300) < 100
    assert abs(tender.lot("10").hours_per_week - 2300) < 100
    assert tender.lot("12").hours_per_week == max(lot.hours_per_week for lot in tender.lots)
    assert tender.lot("1").name == "Castle Donington & Whitwick"
    assert tender.lot("11").group == "Blaby & Lutterworth"
    assert 25 <= len(tender.bidders) <= 35
    assert 5 <= len(tender.criteria) <= 7
    assert {m.evaluator for m in tender.marks} == {"E1", "E2", "E3"}
    assert any(bid.stepped for bid in tender.bids)
    per_lot = [sum(1 for b in tender.bids if b.lot_id == lot.lot_id) for lot in tender.lots]
    assert min(per_lot) >= 3
    scores = score_tender(tender)
    assert sum(b.abnormally_low for b in scores.bids) == 1
    assert sum(1 for b in scores.bids if any("above the upper rate" in r for r in b.reasons)) == 1
    assert any("below the minimum" in r for b in scores.bids for r in b.reasons)
    assert any("below the pass mark" in r for b in scores.bids for r in b.reasons)
    assert any(d.flag == "red" for d in scores.divergences)
    assert any(d.flag == "amber" for d in scores.divergences)
    assert tender.moderation


def test_hcl_shape_and_thin_rural_zones() -> None:
    tender = load_tender(FIXTURES / "hcl-2021")
    assert len(tender.lots) == 14
    assert tender.total_hours == 31_909
    assert set(tender.groups) == {"urban", "fringe", "rural", "isolated"}
    assert 85 <= len(tender.bidders) <= 95
    assert tender.rules.providers_per_lot.min == 2
    assert tender.rules.providers_per_lot.max is None
    scores = score_tender(tender)
    compliant = {
        lot.lot_id: sum(1 for b in scores.for_lot(lot.lot_id) if b.compliant) for lot in tender.lots
    }
    names = {lot.name: lot.lot_id for lot in tender.lots}
    assert compliant[names["Bottesford"]] < 2
    assert compliant[names["West Leicester"]] > 20


def test_leeds_shape() -> None:
    tender = load_tender(FIXTURES / "leeds-2015")
    assert len(tender.lots) == 6 and len(tender.groups) == 3
    assert (tender.evaluation.quality_weight, tender.evaluation.price_weight) == (100, 0)
    assert tender.evaluation.price_method == "fixed"
    assert len(tender.bidders) == 28
    scores = score_tender(tender)
    assert sum(1 for b in scores.bids if any("fixed rate" in r for r in b.reasons)) >= 1


def test_west_leicestershire_has_no_compliant_bid() -> None:
    tender = load_tender(FIXTURES / "west-leics-2017")
    assert [lot.lot_id for lot in tender.lots] == ["12", "13", "18"]
    assert len(tender.bidders) == 10
    assert not any(b.compliant for b in score_tender(tender).bids)
