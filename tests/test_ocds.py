"""OCDS release packages: every example validates offline against ../shared/ocds."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from paths import FIXTURES, MINI, ROOT

from tender.award import Award, make_award
from tender.export.ocds import PLACEHOLDER_PREFIX, ocds_json, ocds_package, reference_problems
from tender.load import load_tender

OCDS = ROOT.parent / "shared" / "ocds"
EXAMPLES = sorted(p for p in FIXTURES.iterdir() if (p / "tender.toml").is_file())


def validator():
    """The project's offline validator, used where it is (never copied into the project)."""
    spec = importlib.util.spec_from_file_location("ocds_validate", OCDS / "validate.py")
    assert spec and spec.loader, f"no validator at {OCDS}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # needs jsonschema[format-nongpl] (a dev dependency)
    return module


@cache
def award_of(folder: Path) -> Award:
    return make_award(load_tender(folder), solver="highs", time_limit=60)


@pytest.mark.parametrize("folder", [*EXAMPLES, MINI], ids=lambda p: p.name)
def test_every_example_validates_offline(folder: Path) -> None:
    module = validator()
    uri = f"https://data.example.org/ocds/{folder.name}.json"
    package = json.loads(ocds_json(award_of(folder), ocid_prefix="ocds-a1b2c3", uri=uri))
    assert package["uri"] == uri
    assert module.errors(package) == []
    assert reference_problems(package) == []
    # The placeholder uri is a valid one too, so a draft export validates before publication.
    draft = json.loads(ocds_json(award_of(folder)))
    ocid = f"{PLACEHOLDER_PREFIX}-{award_of(folder).tender.info.id}"
    assert draft["uri"] == f"https://example.invalid/ocds/{ocid}.json"
    assert module.errors(draft) == []


def test_validate_script_accepts_an_export(tmp_path: Path) -> None:
    """The validator as a publisher runs it: python validate.py ocds.json, exit 0."""
    path = tmp_path / "ocds.json"
    path.write_bytes(
        ocds_json(award_of(MINI), ocid_prefix="ocds-a1b2c3", uri="https://example.org/o.json")
    )
    run = subprocess.run(
        [sys.executable, str(OCDS / "validate.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    broken = json.loads(path.read_text())
    broken["uri"] = "not a uri"
    path.write_text(json.dumps(broken))
    run = subprocess.run(
        [sys.executable, str(OCDS / "validate.py"), str(path)], capture_output=True, check=False
    )
    assert run.returncode == 1


def test_a_package_uri_must_be_an_absolute_url() -> None:
    for bad in ("ocds.json", "ftp://example.org/x.json", "https:///x.json", "https://a b/x"):
        with pytest.raises(ValueError, match="not an absolute http"):
            ocds_package(award_of(MINI), uri=bad)


def test_the_validator_checks_formats() -> None:
    # Without the format extras date-time and uri go unchecked, and the test above means less.
    from jsonschema import Draft4Validator

    assert {"date-time", "uri"} <= set(Draft4Validator.FORMAT_CHECKER.checkers)
    package = ocds_package(award_of(MINI))
    package["releases"][0]["date"] = "1 July 2016"
    assert any("date" in e for e in validator().errors(package))


def test_htlah_package_content() -> None:
    award = award_of(FIXTURES / "htlah-2016")
    package = ocds_package(award, ocid_prefix="ocds-a1b2c3")
    [release] = package["releases"]
    assert release["ocid"] == "ocds-a1b2c3-htlah-2016"
    assert release["date"] == package["publishedDate"] == "2016-07-01T00:00:00Z"
    tender = release["tender"]
    assert tender["lotDetails"] == {"maximumLotsAwardedPerSupplier": 3}
    assert [lot["id"] for lot in tender["lots"]] == [str(n) for n in range(1, 19)]
    criteria = tender["lots"][0]["awardCriteria"]["criteria"]
    weights = [n["number"] for c in criteria for n in c["numbers"] if "weight" in n]
    assert weights == [12, 12, 10, 10, 8, 8, 40] and sum(weights) == 100
    # Q1: a mark of at least 2 of 5 on a criterion worth 12 points is 12 * 2 / 5 points.
    assert criteria[0]["numbers"][1] == {"number": pytest.approx(4.8), "threshold": "minimumScore"}
    assert len(release["bids"]["details"]) == len(award.tender.bids)
    excluded = [b for b in award.tender.bidders if b.status == "excluded"]
    assert excluded
    for bid in release["bids"]["details"]:
        if bid["tenderers"][0]["id"] == excluded[0].bidder_id:
            assert bid["status"] == "disqualified" and "rank" not in bid
    appointed = {(a.lot_id, a.bidder_id) for o in award.lots for a in o.appointments}
    awards = {(a["relatedLots"][0], a["suppliers"][0]["id"]) for a in release["awards"]}
    assert awards == appointed
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles[release["buyer"]["id"]] == ["buyer", "procuringEntity"]
    for _, bidder_id in appointed:
        assert roles[bidder_id] == ["tenderer", "supplier"]


def test_no_max_lots_rule_means_no_lot_details() -> None:
    award = award_of(FIXTURES / "hcl-2021")
    assert award.tender.rules.max_lots_per_bidder is None
    assert "lotDetails" not in ocds_package(award)["releases"][0]["tender"]


def test_vacant_lots_are_unsuccessful_awards() -> None:
    award = award_of(FIXTURES / "west-leics-2017")
    vacant = [o.lot_id for o in award.lots if o.vacant_places]
    assert vacant
    release = ocds_package(award)["releases"][0]
    unsuccessful = [a["relatedLots"][0] for a in release["awards"] if a["status"] == "unsuccessful"]
    assert unsuccessful == vacant
    lots = {lot["id"]: lot["status"] for lot in release["tender"]["lots"]}
    empty = [o.lot_id for o in award.lots if not o.appointments]
    assert empty and all(lots[lot_id] == "unsuccessful" for lot_id in empty)


def test_fixed_price_lots_carry_their_rate() -> None:
    award = award_of(FIXTURES / "leeds-2015")
    release = ocds_package(award)["releases"][0]
    assert release["tender"]["awardCriteria"] == "qualityOnly"
    for lot, tender_lot in zip(release["tender"]["lots"], award.tender.lots, strict=True):
        price = lot["awardCriteria"]["criteria"][-1]
        rate = award.tender.price.for_band(tender_lot.band).fixed_rate
        assert price["numbers"] == [{"number": rate, "fixed": "unit"}]


def test_same_bytes_every_run_and_placeholder_prefix() -> None:
    award = award_of(MINI)
    assert ocds_json(award) == ocds_json(award)
    assert json.loads(ocds_json(award))["releases"][0]["ocid"] == f"{PLACEHOLDER_PREFIX}-mini"
    with pytest.raises(ValueError, match="not an ocid prefix"):
        ocds_package(award, ocid_prefix="OCDS-1")
