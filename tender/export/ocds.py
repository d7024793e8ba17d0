"""ocds.json: the award as an OCDS 1.1 release package, for publication.

One release (tags ``tender`` and ``award``) with the lots extension (``tender.lots``,
``tender.lotDetails.maximumLotsAwardedPerSupplier``, ``awards.relatedLots``), the award
criteria extension (each lot's criteria and their weights in percent of the total, minimum
scores as points), the bids extension (every bid with its lot, rate, status and rank) and the
parties (the authority as buyer and procuring entity, each bidder as tenderer, appointed ones
also as supplier). A bid's ``value`` is its evaluated hourly rate; an award's is the estimated
annual cost of the appointment (hours x 52 x rate).

Everything is derived from the tender: dates are the award decision date at midnight UTC, so
the same inputs give the same bytes. An ocid needs a prefix registered with the Open
Contracting Partnership; without one the placeholder :data:`PLACEHOLDER_PREFIX` is used. The
package's ``uri`` is where the publisher will put the file; until it is known, a placeholder
under the reserved ``example.invalid`` domain (:func:`placeholder_uri`).
Ids are built with ``/`` and ``:``, which tender ids never contain, so they cannot collide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from tender.award import Award
from tender.models import Tender

__all__ = [
    "EXTENSIONS",
    "OCID_PREFIX_PATTERN",
    "PLACEHOLDER_PREFIX",
    "check_uri",
    "ocds_json",
    "ocds_package",
    "placeholder_uri",
    "reference_problems",
]

#: Not a registered prefix: visibly a placeholder until the publisher registers one.
PLACEHOLDER_PREFIX = "ocds-xxxxxx"
#: A registered ocid prefix: ``ocds-`` and six lower-case letters or digits.
OCID_PREFIX_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}$")

#: The extensions used, at the versions the offline schemas were copied from.
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/"
    "master/extension.json",
)

_WEEKS_PER_YEAR = 52


def placeholder_uri(ocid: str) -> str:
    """A package uri that is visibly not a real one: under the reserved .invalid domain."""
    return f"https://example.invalid/ocds/{ocid}.json"


def check_uri(uri: str) -> str:
    """``uri`` if it is an absolute http(s) URL, as a package's ``uri`` must be.

    Raises:
        ValueError: it is not.
    """
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in uri):
        raise ValueError(f"not an absolute http(s) URL: {uri!r}")
    return uri


def ocds_package(
    award: Award, *, ocid_prefix: str = PLACEHOLDER_PREFIX, uri: str | None = None
) -> dict[str, Any]:
    """The award as an OCDS 1.1 release package (plain data, ready for JSON).

    Args:
        award: The solved award.
        ocid_prefix: The publisher's registered ocid prefix (``ocds-`` and six characters).
        uri: Where the package will be published; ``None`` gives :func:`placeholder_uri`.

    Raises:
        ValueError: ``ocid_prefix`` is not of the registered form, or ``uri`` not an
            absolute http(s) URL.
    """
    if not OCID_PREFIX_PATTERN.match(ocid_prefix):
        raise ValueError(f"not an ocid prefix: {ocid_prefix!r} (expected ocds- and 6 characters)")
    tender = award.tender
    ocid = f"{ocid_prefix}-{tender.info.id}"
    uri = check_uri(uri) if uri is not None else placeholder_uri(ocid)
    when = f"{tender.info.award_decision_date.isoformat()}T00:00:00Z"
    buyer = {"id": _buyer_id(tender), "name": tender.info.authority}
    release = {
        "ocid": ocid,
        "id": f"{tender.info.id}:award",
        "date": when,
        "tag": ["tender", "award"],
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(award, buyer),
        "buyer": buyer,
        "tender": _tender(award, buyer),
        "bids": {"details": _bids(award)},
        "awards": _awards(award, when),
    }
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": list(EXTENSIONS),
        "publishedDate": when,
        "publisher": {"name": tender.info.authority},
        "releases": [release],
    }


def ocds_json(
    award: Award, *, ocid_prefix: str = PLACEHOLDER_PREFIX, uri: str | None = None
) -> bytes:
    """ocds.json: the release package, keys sorted, the same bytes for the same inputs."""
    data = ocds_package(award, ocid_prefix=ocid_prefix, uri=uri)
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _buyer_id(tender: Tender) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", tender.info.authority.lower()).strip("-")
    return f"buyer:{slug or tender.info.id}"


def _ref(bidder_id: str, names: dict[str, str]) -> dict[str, str]:
    return {"id": bidder_id, "name": names[bidder_id]}


def _parties(award: Award, buyer: dict[str, str]) -> list[dict[str, Any]]:
    bid_by = {b.bidder_id for b in award.tender.bids}
    appointed = {a.bidder_id for o in award.lots for a in o.appointments}
    parties: list[dict[str, Any]] = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
    for bidder in award.tender.bidders:
        if bidder.bidder_id not in bid_by:
            continue
        party: dict[str, Any] = {
            "id": bidder.bidder_id,
            "name": bidder.name,
            "roles": ["tenderer", "supplier"] if bidder.bidder_id in appointed else ["tenderer"],
        }
        if bidder.sme is not None:
            party["details"] = {"scale": "sme" if bidder.sme else "large"}
        parties.append(party)
    return parties


def _tender(award: Award, buyer: dict[str, str]) -> dict[str, Any]:
    tender = award.tender
    evaluation = tender.evaluation
    names = {b.bidder_id: b.name for b in tender.bidders}
    if evaluation.price_weight == 0:
        method = "qualityOnly"
    elif evaluation.quality_weight == 0:
        method = "priceOnly"
    else:
        method = "ratedCriteria"
    covered = any(o.appointments for o in award.lots)
    bidders = sorted({b.bidder_id for b in tender.bids}, key=_bidder_order(tender))
    data: dict[str, Any] = {
        "id": tender.info.id,
        "title": tender.info.title,
        "status": "complete" if covered else "unsuccessful",
        "mainProcurementCategory": "services",
        "procuringEntity": buyer,
        "awardCriteria": method,
        "awardCriteriaDetails": _method_text(tender),
        "tenderers": [_ref(b, names) for b in bidders],
        "numberOfTenderers": len(bidders),
        "lots": _lots(award),
    }
    if tender.rules.max_lots_per_bidder is not None:
        data["lotDetails"] = {"maximumLotsAwardedPerSupplier": tender.rules.max_lots_per_bidder}
    return data


def _bidder_order(tender: Tender) -> Any:
    order = {b.bidder_id: i for i, b in enumerate(tender.bidders)}
    return lambda bidder_id: order[bidder_id]


def _method_text(tender: Tender) -> str:
    e = tender.evaluation
    price = {
        "lowest_ratio": "price points = price weight x lowest compliant rate / rate",
        "linear": "price points = price weight x (upper rate - rate) / (upper rate - lower rate)",
        "fixed": "fixed prices: a bid at another rate is non-compliant",
    }[e.price_method]
    return (
        f"Quality {e.quality_weight:g}%, price {e.price_weight:g}%. Quality points = the sum "
        f"of criterion weight x mark / maximum mark; a bid needs {e.quality_pass_mark:g}% of "
        f"the quality points to pass. {price[0].upper()}{price[1:]}. Lots are awarded by "
        "total score under the lotting rules."
    )


def _lots(award: Award) -> list[dict[str, Any]]:
    tender = award.tender
    lots = []
    for lot, outcome in zip(tender.lots, award.lots, strict=True):
        lots.append(
            {
                "id": lot.lot_id,
                "title": lot.name,
                "description": f"{lot.group}: {lot.hours_per_week:,.4g} hours per week",
                "status": "complete" if outcome.appointments else "unsuccessful",
                "awardCriteria": {"criteria": list(_criteria(tender, lot.band))},
            }
        )
    return lots


def _criteria(tender: Tender, band: str | None) -> Iterable[dict[str, Any]]:
    """A lot's award criteria: each quality criterion's weight, then price."""
    for c in tender.criteria:
        numbers: list[dict[str, Any]] = [{"number": c.weight, "weight": "percentageExact"}]
        if c.min_score is not None:
            # As points of the total, the unit of the weights: weight x min mark / max mark.
            threshold = round(c.weight * c.min_score / c.max_score, 6)
            numbers.append({"number": threshold, "threshold": "minimumScore"})
        yield {
            "type": "quality",
            "name": c.name,
            "description": f"{c.id}: marked out of {c.max_score:g}",
            "numbers": numbers,
        }
    e = tender.evaluation
    if e.price_method == "fixed":
        rate = tender.price.for_band(band).fixed_rate
        yield {
            "type": "price",
            "name": "Price",
            "description": "Fixed hourly rate: a bid at another rate is non-compliant",
            "numbers": [{"number": rate, "fixed": "unit"}],
        }
    else:
        yield {
            "type": "price",
            "name": "Price",
            "description": f"Hourly rate, {e.price_method.replace('_', ' ')} price points",
            "numbers": [{"number": e.price_weight, "weight": "percentageExact"}],
        }


def _bid_id(lot_id: str, bidder_id: str) -> str:
    return f"{bidder_id}/{lot_id}"


def _bids(award: Award) -> list[dict[str, Any]]:
    tender = award.tender
    names = {b.bidder_id: b.name for b in tender.bidders}
    scored = {(b.lot_id, b.bidder_id): b for b in award.scores.bids}
    currency = tender.info.currency
    details = []
    for bid in tender.bids:
        score = scored[(bid.lot_id, bid.bidder_id)]
        item: dict[str, Any] = {
            "id": _bid_id(bid.lot_id, bid.bidder_id),
            "status": "valid" if score.compliant else "disqualified",
            "tenderers": [_ref(bid.bidder_id, names)],
            "relatedLots": [bid.lot_id],
            "value": {"amount": score.rate, "currency": currency},
            "hasRank": score.rank is not None,
        }
        description = "Evaluated hourly rate"
        if bid.stepped:
            description += (
                f" (reablement {bid.reablement_rate:g}, maintenance {bid.maintenance_rate:g})"
            )
        if score.reasons:
            description += ". " + "; ".join(score.reasons)
        item["description"] = description
        if score.rank is not None:
            item["rank"] = score.rank
        details.append(item)
    return details


def _awards(award: Award, when: str) -> list[dict[str, Any]]:
    tender = award.tender
    names = {b.bidder_id: b.name for b in tender.bidders}
    currency = tender.info.currency
    awards: list[dict[str, Any]] = []
    for lot, outcome in zip(tender.lots, award.lots, strict=True):
        for a in outcome.appointments:
            awards.append(
                {
                    "id": f"{lot.lot_id}/{a.bidder_id}",
                    "title": f"Lot {lot.lot_id}: {lot.name}",
                    "description": (
                        f"Rank {a.rank}, {a.total:.2f} points; {a.hours_per_week:,.4g} hours "
                        f"per week at {a.rate:.2f} {currency} an hour. Value: the estimated "
                        f"annual cost ({_WEEKS_PER_YEAR} weeks)."
                    ),
                    "status": "pending",
                    "date": when,
                    "value": {"amount": round(a.annual_cost, 2), "currency": currency},
                    "suppliers": [_ref(a.bidder_id, names)],
                    "relatedLots": [lot.lot_id],
                    "relatedBid": _bid_id(lot.lot_id, a.bidder_id),
                }
            )
        if outcome.vacant_places:
            places = outcome.vacant_places
            awards.append(
                {
                    "id": f"{lot.lot_id}:unfilled",
                    "title": f"Lot {lot.lot_id}: {lot.name}",
                    "description": f"{places} place{'s' if places > 1 else ''} unfilled: "
                    f"{outcome.reason}",
                    "status": "unsuccessful",
                    "date": when,
                    "relatedLots": [lot.lot_id],
                }
            )
    return awards


def reference_problems(package: dict[str, Any]) -> list[str]:
    """Links the schema cannot check: lots, bids and parties that ids point at must exist."""
    problems = []
    for release in package["releases"]:
        lots = {lot["id"] for lot in release["tender"]["lots"]}
        bids = {bid["id"] for bid in release["bids"]["details"]}
        parties = {p["id"] for p in release["parties"]}
        ids = [a["id"] for a in release["awards"]] + sorted(bids)
        if len(set(ids)) != len(ids) or len(lots) != len(release["tender"]["lots"]):
            problems.append("duplicate award, bid or lot ids")
        for kind, items in (("bid", release["bids"]["details"]), ("award", release["awards"])):
            for item in items:
                for lot in item.get("relatedLots", []):
                    if lot not in lots:
                        problems.append(f"{kind} {item['id']}: no lot {lot}")
                for org in item.get("tenderers", []) + item.get("suppliers", []):
                    if org["id"] not in parties:
                        problems.append(f"{kind} {item['id']}: no party {org['id']}")
                if "relatedBid" in item and item["relatedBid"] not in bids:
                    problems.append(f"{kind} {item['id']}: no bid {item['relatedBid']}")
    return problems
