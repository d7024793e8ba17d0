"""Lotting scenarios: a tender as a commissioner's "what if" changes it.

A scenario overrides rules, weights or prices, excludes bidders, keeps a subset of lots, or
merges and splits lots. Applying one is a pure function that returns a new, fully
re-validated :class:`~tender.models.Tender`, so everything downstream (scoring, the optimiser,
reports) treats a scenario exactly like a tender read from files. Reading scenario files is
the loader's job (:func:`tender.load.load_scenario`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tender.errors import InputError
from tender.models import Bid, Lot, Tender

__all__ = ["Scenario", "apply_scenario", "scenario_from_assignments"]

#: The tender.toml tables a scenario may override, key by key.
OVERRIDE_TABLES = ("rules", "evaluation", "price")
#: How close a split's shares must add up to 1.
SPLIT_TOLERANCE = 1e-9


class Scenario(BaseModel):
    """A "what if": overrides and lot changes applied to a tender, in this order.

    1. ``exclude_bidders``: out of every lot, as if excluded at selection;
    2. ``lots``: keep only these lots (and their bids and lot-specific marks);
    3. ``merge``: each group of lots becomes one lot (see :func:`apply_scenario`);
    4. ``split``: a lot becomes parts with the given shares of its hours;
    5. ``rules``, ``evaluation``, ``price`` and ``criteria`` overrides.

    Changing ``quality_weight`` scales every criterion's weight by the same factor, so the
    criteria still add up to it; ``price_weight`` follows as ``100 - quality_weight`` unless
    given. Setting criterion weights in ``criteria`` without a ``quality_weight`` makes the
    quality weight their sum.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    source: str = "scenario"
    rules: dict[str, Any] = Field(default_factory=dict)
    evaluation: dict[str, Any] = Field(default_factory=dict)
    price: dict[str, Any] = Field(default_factory=dict)
    criteria: dict[str, float] = Field(default_factory=dict)
    exclude_bidders: tuple[str, ...] = ()
    lots: tuple[str, ...] | None = None
    merge: tuple[tuple[str, ...], ...] = ()
    split: dict[str, tuple[float, ...]] = Field(default_factory=dict)

    @property
    def changes_lots(self) -> bool:
        """Whether lots are removed, merged or split, so lot ids differ from the tender's."""
        return self.lots is not None or bool(self.merge) or bool(self.split)


def scenario_from_assignments(assignments: Sequence[str], name: str | None = None) -> Scenario:
    """A scenario from ``--set`` options such as ``rules.max_lots_per_bidder=2``.

    ``TABLE.KEY=VALUE`` overrides a key of tender.toml's rules, evaluation or price table;
    ``criteria.ID=WEIGHT`` (or ``criteria.ID.weight=WEIGHT``) a criterion's weight, the only
    part of a criterion a scenario changes. Values are read as TOML values (``2``, ``0.2``,
    ``"text"``, ``true``); a bare word that is not a TOML value is taken as text, and
    ``none`` removes a rule. The scenario is named after what it sets
    (``max_lots_per_bidder=1``), so a comparison's column says what changed.

    Raises:
        InputError: an assignment of another form or an unknown key, named as given.
    """
    import difflib
    import tomllib

    from tender.models import Evaluation, PriceRules, Rules

    models: dict[str, Any] = {"rules": Rules, "evaluation": Evaluation, "price": PriceRules}
    tables: dict[str, dict[str, Any]] = {table: {} for table in models}
    criteria: dict[str, float] = {}
    shown: list[str] = []
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        parts = [part.strip() for part in key.split(".")]
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        if parts[0] == "criteria":
            weighted = len(parts) == 2 or (len(parts) == 3 and parts[2] == "weight")
            if not sep or not weighted or not parts[1]:
                raise InputError(
                    "expected criteria.ID=WEIGHT or criteria.ID.weight=WEIGHT: a scenario "
                    "changes a criterion's weight only",
                    file="--set",
                    column=assignment,
                )
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(
                    f"a criterion's weight is a number, not {raw.strip()!r}",
                    file="--set",
                    column=assignment,
                )
            criteria[parts[1]] = value
            shown.append(f"criteria.{parts[1]}={raw.strip()}")
            continue
        if not sep or parts[0] not in tables or len(parts) != 2 or not parts[1]:
            raise InputError(
                "expected TABLE.KEY=VALUE with TABLE one of rules, evaluation, price "
                "(or criteria.ID=WEIGHT)",
                file="--set",
                column=assignment,
            )
        table, field = parts
        known = list(models[table].model_fields)
        if field not in known:
            close = difflib.get_close_matches(field, known, n=1)
            hint = f" (did you mean {table}.{close[0]}?)" if close else ""
            raise InputError(f"unknown key {table}.{field}{hint}", file="--set", column=assignment)
        tables[table][field] = None if value == "none" else value
        # Keys are unique across the three tables: the key alone says what changed.
        shown.append(f"{field}={raw.strip()}")
    return Scenario(
        name=name or ", ".join(shown),
        description="set on the command line: " + ", ".join(a.strip() for a in assignments),
        source="--set",
        criteria=criteria,
        **tables,
    )


def apply_scenario(tender: Tender, scenario: Scenario) -> Tender:
    """The tender as the scenario changes it.

    A merged lot (id ``9-10``) has the summed hours, the first part's group and band, and
    only the bidders that bid on every part; each such bid's rate is the hours-weighted mean
    of its rates on the parts (a stepped tariff stays stepped when every part's bid is
    stepped, otherwise its evaluated rate is used). Lot-specific marks of the parts all
    apply to the merged lot, an evaluator's marks on different parts told apart by the
    part; consensus marks given on several parts become their hours-weighted mean.

    A split lot ``4`` with shares ``[0.6, 0.4]`` becomes lots ``4.1`` and ``4.2`` with those
    shares of its hours; every bid and lot-specific mark on it applies to each part.

    Raises:
        InputError: an id the tender does not have, a lot used twice, or a change that
            leaves an invalid tender, named after the scenario's file and key.
    """
    _check(tender, scenario)
    data = tender.model_dump()
    for bidder in data["bidders"]:
        if bidder["bidder_id"] in scenario.exclude_bidders:
            bidder["status"] = "excluded"
            bidder["status_reason"] = f"excluded in scenario {scenario.name!r}"
    if scenario.lots is not None:
        _keep_lots(data, set(scenario.lots))
    for group in scenario.merge:
        _merge_lots(data, tender, group)
    for lot_id, shares in sorted(scenario.split.items()):
        _split_lot(data, lot_id, shares)
    for table in ("rules", "price"):
        data[table] = {**data[table], **getattr(scenario, table)}
    _reweigh(data, tender, scenario)
    data["sources"] = ()
    try:
        return Tender.model_validate(data)
    except ValidationError as exc:
        message = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}".lstrip(": ") for e in exc.errors()
        )
        raise InputError(
            f"scenario {scenario.name!r} makes an invalid tender: {message}",
            file=scenario.source,
        ) from None


def _check(tender: Tender, scenario: Scenario) -> None:
    lot_ids = {lot.lot_id for lot in tender.lots}
    bidder_ids = {b.bidder_id for b in tender.bidders}
    _known(scenario, "exclude_bidders", scenario.exclude_bidders, bidder_ids)
    _known(scenario, "lots", scenario.lots or (), lot_ids)
    _known(scenario, "criteria", list(scenario.criteria), {c.id for c in tender.criteria})
    kept = set(scenario.lots) if scenario.lots is not None else lot_ids
    used: dict[str, str] = {}
    changes = [("merge", group) for group in scenario.merge]
    changes += [("split", (lot_id,)) for lot_id in sorted(scenario.split)]
    for key, group in changes:
        _known(scenario, key, group, lot_ids)
        if key == "merge" and (len(set(group)) < 2 or len(set(group)) != len(group)):
            raise InputError(
                f"a merge needs two or more different lots, not {list(group)}",
                file=scenario.source,
                column="merge",
            )
        for lot_id in group:
            if lot_id not in kept:
                raise InputError(
                    f"lot {lot_id} is not among the scenario's lots, so it cannot be {key}d",
                    file=scenario.source,
                    column=key,
                )
            if lot_id in used:
                raise InputError(
                    f"lot {lot_id} is used twice ({used[lot_id]} and {key})",
                    file=scenario.source,
                    column=key,
                )
            used[lot_id] = key
    for lot_id, shares in scenario.split.items():
        if len(shares) < 2 or any(not 0 < s < 1 for s in shares):
            raise InputError(
                f"split of lot {lot_id}: give two or more shares between 0 and 1, "
                f"not {list(shares)}",
                file=scenario.source,
                column="split",
            )
        if abs(math.fsum(shares) - 1) > SPLIT_TOLERANCE:
            raise InputError(
                f"split of lot {lot_id}: the shares add up to {math.fsum(shares):g}, not 1",
                file=scenario.source,
                column="split",
            )


def _known(scenario: Scenario, key: str, ids: Sequence[str], known: set[str]) -> None:
    unknown = sorted(set(ids) - known)
    if unknown:
        raise InputError(
            f"unknown id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
            file=scenario.source,
            column=key,
        )


def _keep_lots(data: dict[str, Any], keep: set[str]) -> None:
    data["lots"] = [lot for lot in data["lots"] if lot["lot_id"] in keep]
    data["bids"] = [bid for bid in data["bids"] if bid["lot_id"] in keep]
    for table in ("marks", "moderation"):
        data[table] = [m for m in data[table] if m["lot_id"] is None or m["lot_id"] in keep]


def _fresh_id(data: dict[str, Any], wanted: str) -> str:
    taken = {lot["lot_id"] for lot in data["lots"]}
    found, n = wanted, 1
    while found in taken:
        n += 1
        found = f"{wanted}_{n}"
    return found


def _replace_lot(data: dict[str, Any], old: Sequence[str], new: list[dict[str, Any]]) -> None:
    """Put ``new`` lots where the first of ``old`` was, keeping the tender's lot order."""
    position = next(i for i, lot in enumerate(data["lots"]) if lot["lot_id"] == old[0])
    data["lots"] = [lot for lot in data["lots"] if lot["lot_id"] not in old]
    data["lots"][position:position] = new


def _merge_lots(data: dict[str, Any], tender: Tender, group: Sequence[str]) -> None:
    lots = {lot["lot_id"]: lot for lot in data["lots"]}
    parts = [lots[lot_id] for lot_id in group]
    joined = "-".join(group)
    merged_id = _fresh_id(data, joined if len(joined) <= 48 else f"{group[0]}-merged")
    merged = Lot(
        lot_id=merged_id,
        name=" + ".join(p["name"] for p in parts),
        group=parts[0]["group"],
        hours_per_week=math.fsum(p["hours_per_week"] for p in parts),
        band=parts[0]["band"],
        min_providers=parts[0]["min_providers"],
        max_providers=parts[0]["max_providers"],
    ).model_dump()
    _replace_lot(data, group, [merged])
    hours = {p["lot_id"]: p["hours_per_week"] for p in parts}
    by_bidder: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for bid in data["bids"]:
        if bid["lot_id"] in hours:
            by_bidder[bid["bidder_id"]][bid["lot_id"]] = bid
    kept = [bid for bid in data["bids"] if bid["lot_id"] not in hours]
    for bidder_id, bids in sorted(by_bidder.items()):
        if set(bids) == set(group):
            kept.append(_merged_bid(tender, bidder_id, merged_id, bids, hours).model_dump())
    data["bids"] = kept
    data["marks"] = _merged_marks(data["marks"], hours, merged_id)
    data["moderation"] = _merged_consensus(data["moderation"], hours, merged_id)


def _merged_marks(
    marks: list[dict[str, Any]], hours: dict[str, float], merged_id: str
) -> list[dict[str, Any]]:
    mine = [m for m in marks if m["lot_id"] in hours]
    count = defaultdict(int)
    for m in mine:
        count[(m["bidder_id"], m["criterion_id"], m["evaluator"])] += 1
    rows = [m for m in marks if m["lot_id"] not in hours]
    for m in mine:
        evaluator = m["evaluator"]
        if count[(m["bidder_id"], m["criterion_id"], evaluator)] > 1:
            evaluator = f"{evaluator} (lot {m['lot_id']})"
        rows.append({**m, "lot_id": merged_id, "evaluator": evaluator})
    return rows


def _merged_consensus(
    rows: list[dict[str, Any]], hours: dict[str, float], merged_id: str
) -> list[dict[str, Any]]:
    kept = [r for r in rows if r["lot_id"] not in hours]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["lot_id"] in hours:
            grouped[(r["bidder_id"], r["criterion_id"])].append(r)
    for _, parts in sorted(grouped.items()):
        weight = math.fsum(hours[r["lot_id"]] for r in parts)
        kept.append(
            {
                **parts[0],
                "lot_id": merged_id,
                "score": math.fsum(hours[r["lot_id"]] * r["score"] for r in parts) / weight,
                "rationale": " / ".join(f"lot {r['lot_id']}: {r['rationale']}" for r in parts)
                if len(parts) > 1
                else parts[0]["rationale"],
            }
        )
    return kept


def _merged_bid(
    tender: Tender,
    bidder_id: str,
    lot_id: str,
    bids: dict[str, dict[str, Any]],
    hours: dict[str, float],
) -> Bid:
    total = math.fsum(hours.values())

    def mean(rates: dict[str, float]) -> float:
        return math.fsum(hours[k] * rates[k] for k in hours) / total

    if all(b["rate"] is not None for b in bids.values()):
        return Bid(
            bidder_id=bidder_id, lot_id=lot_id, rate=mean({k: b["rate"] for k, b in bids.items()})
        )
    if all(b["rate"] is None for b in bids.values()):
        return Bid(
            bidder_id=bidder_id,
            lot_id=lot_id,
            reablement_rate=mean({k: b["reablement_rate"] for k, b in bids.items()}),
            maintenance_rate=mean({k: b["maintenance_rate"] for k, b in bids.items()}),
        )
    share = tender.price.reablement_share
    evaluated = {k: Bid.model_validate(b).evaluated_rate(share) for k, b in bids.items()}
    return Bid(bidder_id=bidder_id, lot_id=lot_id, rate=mean(evaluated))


def _split_lot(data: dict[str, Any], lot_id: str, shares: Sequence[float]) -> None:
    lot = next(lot for lot in data["lots"] if lot["lot_id"] == lot_id)
    parts = []
    for n, share in enumerate(shares, start=1):
        parts.append(
            {
                **lot,
                "lot_id": _fresh_id(data, f"{lot_id}.{n}"),
                "name": f"{lot['name']} (part {n} of {len(shares)}, {share:.0%})",
                "hours_per_week": lot["hours_per_week"] * share,
            }
        )
    _replace_lot(data, [lot_id], parts)
    for table in ("bids", "marks", "moderation"):
        rows = []
        for row in data[table]:
            if row.get("lot_id") == lot_id:
                rows += [{**row, "lot_id": part["lot_id"]} for part in parts]
            else:
                rows.append(row)
        data[table] = rows


def _reweigh(data: dict[str, Any], tender: Tender, scenario: Scenario) -> None:
    """Apply the evaluation and criteria overrides, keeping the weights consistent."""
    evaluation = {**data["evaluation"], **scenario.evaluation}
    for criterion in data["criteria"]:
        if criterion["id"] in scenario.criteria:
            criterion["weight"] = scenario.criteria[criterion["id"]]
    if scenario.criteria and "quality_weight" not in scenario.evaluation:
        evaluation["quality_weight"] = math.fsum(c["weight"] for c in data["criteria"])
    elif "quality_weight" in scenario.evaluation and not scenario.criteria:
        old = tender.evaluation.quality_weight
        new = evaluation["quality_weight"]
        if old and new != old:
            for criterion in data["criteria"]:
                criterion["weight"] = criterion["weight"] * new / old
    changed_quality = "quality_weight" in scenario.evaluation or scenario.criteria
    if changed_quality and "price_weight" not in scenario.evaluation:
        quality = evaluation["quality_weight"]
        if isinstance(quality, int | float) and 0 <= quality <= 100:
            evaluation["price_weight"] = 100 - quality
    data["evaluation"] = evaluation
