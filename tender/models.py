"""The one vocabulary of tender: pydantic v2 models for inputs and results.

Models are frozen (scoring cannot mutate its inputs) and forbid extra fields (an unknown
column or key is an error, not silently ignored). Checks that need more than one row, such as
references between files, live in :func:`find_reference_problems`, which both the loader (to
name file and row) and :class:`Tender` (for tenders built in code) call.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "ID_PATTERN",
    "BandPrice",
    "Bid",
    "Bidder",
    "Criterion",
    "CriterionMark",
    "Divergence",
    "Evaluation",
    "Lot",
    "Mark",
    "Moderation",
    "PriceRules",
    "ProviderRange",
    "RefProblem",
    "Rules",
    "ScoredBid",
    "Scores",
    "SourceFile",
    "Tender",
    "TenderInfo",
    "find_reference_problems",
]

#: Ids are kept to a safe alphabet: they become file names (letters/<bidder_id>.pdf), PuLP
#: variable names and spreadsheet cells, and a look-alike Unicode id would split one bidder in two.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"

#: Numbers beyond this are typing slips (or hostile), not hours or pounds.
MAX_NUMBER = 1e9

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
Amount = Annotated[float, Field(ge=0, le=MAX_NUMBER)]
PositiveAmount = Annotated[float, Field(gt=0, le=MAX_NUMBER)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Percent = Annotated[float, Field(ge=0, le=100)]

#: Tolerance for comparing sums of weights and fixed rates typed with two decimals.
EPSILON = 1e-9


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# --- tender.toml ---------------------------------------------------------------------------


class TenderInfo(_Model):
    """The ``[tender]`` table: who is buying what, under which regime."""

    id: Id
    title: Text
    authority: Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "GBP"
    regime: Literal["pcr2015", "pa2023"]
    award_decision_date: date


class Criterion(_Model):
    """A quality criterion; ``weight`` is its share of the quality points."""

    id: Id
    name: Text
    weight: PositiveAmount
    max_score: PositiveAmount
    min_score: Amount | None = None

    @model_validator(mode="after")
    def _min_within_max(self) -> Criterion:
        if self.min_score is not None and self.min_score > self.max_score:
            raise ValueError(f"min_score {self.min_score:g} is above max_score {self.max_score:g}")
        return self


class Evaluation(_Model):
    """The ``[evaluation]`` table: the quality/price split and how marks are combined."""

    quality_weight: Percent
    price_weight: Percent
    price_method: Literal["lowest_ratio", "linear", "fixed"]
    moderation: Literal["mean", "median"] = "mean"
    quality_pass_mark: Percent = 0
    divergence_amber: Fraction = 0.2
    divergence_red: Fraction = 0.5

    @model_validator(mode="after")
    def _consistent(self) -> Evaluation:
        total = self.quality_weight + self.price_weight
        if abs(total - 100) > EPSILON:
            raise ValueError(
                f"quality_weight + price_weight must be 100, not {total:g} "
                f"({self.quality_weight:g} + {self.price_weight:g})"
            )
        if self.price_method == "fixed" and self.price_weight > EPSILON:
            raise ValueError(
                'price_method = "fixed" compares no prices, so price_weight must be 0 '
                f"(it is {self.price_weight:g})"
            )
        if self.divergence_amber > self.divergence_red:
            raise ValueError(
                f"divergence_amber {self.divergence_amber:g} is above "
                f"divergence_red {self.divergence_red:g}"
            )
        return self


class BandPrice(_Model):
    """Rates for one price band (e.g. HCL's urban/rural, Leeds's fixed price per band)."""

    lower_rate: PositiveAmount | None = None
    upper_rate: PositiveAmount | None = None
    fixed_rate: PositiveAmount | None = None

    @model_validator(mode="after")
    def _ordered(self) -> BandPrice:
        if (
            self.lower_rate is not None
            and self.upper_rate is not None
            and self.upper_rate < self.lower_rate
        ):
            raise ValueError(
                f"upper_rate {self.upper_rate:g} is below lower_rate {self.lower_rate:g}"
            )
        return self


class PriceRules(BandPrice):
    """The ``[price]`` table; ``bands`` override the rates for lots of that band."""

    below_lower: Literal["flag", "reject"] = "flag"
    reablement_share: Fraction | None = None
    bands: dict[Id, BandPrice] = Field(default_factory=dict)

    def for_band(self, band: str | None) -> BandPrice:
        """The rates that apply to a lot of ``band``: the band's own, else the tender's."""
        own = self.bands.get(band) if band is not None else None
        if own is None:
            return BandPrice(
                lower_rate=self.lower_rate, upper_rate=self.upper_rate, fixed_rate=self.fixed_rate
            )
        return BandPrice(
            lower_rate=own.lower_rate if own.lower_rate is not None else self.lower_rate,
            upper_rate=own.upper_rate if own.upper_rate is not None else self.upper_rate,
            fixed_rate=own.fixed_rate if own.fixed_rate is not None else self.fixed_rate,
        )


class ProviderRange(_Model):
    """How many providers a lot takes; no ``max`` means no upper limit (a framework).

    ``{ min = 2 }`` in tender.toml is HCL's "at least two providers, no upper limit"; a tender
    that says nothing about providers per lot gets one lead provider per lot (see Rules).
    """

    min: Count = 1
    max: Annotated[int, Field(ge=1, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ProviderRange:
        if self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Rules(_Model):
    """The ``[rules]`` table: the lotting rules a commissioner may change in a scenario."""

    providers_per_lot: ProviderRange = Field(default_factory=lambda: ProviderRange(min=1, max=1))
    max_lots_per_bidder: Count | None = None
    max_share_of_hours: Annotated[float, Field(gt=0, le=1)] | None = None
    share_basis: Literal["tendered", "awarded"] = "tendered"
    min_providers_per_group: Count | None = None
    max_lots_per_bidder_per_group: Count | None = None
    budget_per_year: Amount | None = None
    vacancies: Literal["allow", "forbid"] = "allow"
    objective: Literal["hours_weighted", "score"] = "hours_weighted"


# --- CSV rows ------------------------------------------------------------------------------


class Lot(_Model):
    """A row of lots.csv: a geographic area of home care hours per week."""

    lot_id: Id
    name: Text
    group: Text
    hours_per_week: PositiveAmount
    band: Id | None = None
    min_providers: Count | None = None
    max_providers: Annotated[int, Field(ge=1, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Lot:
        if (
            self.min_providers is not None
            and self.max_providers is not None
            and self.min_providers > self.max_providers
        ):
            raise ValueError(
                f"min_providers {self.min_providers} is above max_providers {self.max_providers}"
            )
        return self


class Bidder(_Model):
    """A row of bidders.csv."""

    bidder_id: Id
    name: Text
    capacity_hours_per_week: Amount | None = None
    max_lots: Count | None = None
    sme: bool | None = None
    status: Literal["active", "excluded"] = "active"
    status_reason: LongText | None = None

    @model_validator(mode="after")
    def _excluded_has_reason(self) -> Bidder:
        if self.status == "excluded" and not self.status_reason:
            raise ValueError("an excluded bidder needs its reason in status_reason")
        return self


class Bid(_Model):
    """A row of bids.csv: a flat ``rate`` or a stepped reablement/maintenance pair."""

    bidder_id: Id
    lot_id: Id
    rate: PositiveAmount | None = None
    reablement_rate: PositiveAmount | None = None
    maintenance_rate: PositiveAmount | None = None

    @model_validator(mode="after")
    def _one_tariff(self) -> Bid:
        stepped = (self.reablement_rate is not None, self.maintenance_rate is not None)
        if self.rate is not None and any(stepped):
            raise ValueError("give either rate or reablement_rate and maintenance_rate, not both")
        if self.rate is None and not all(stepped):
            if any(stepped):
                raise ValueError("a stepped tariff needs both reablement_rate and maintenance_rate")
            raise ValueError("no rate: give rate, or reablement_rate and maintenance_rate")
        return self

    @property
    def stepped(self) -> bool:
        """Whether the bid prices reablement and maintenance separately."""
        return self.rate is None

    def evaluated_rate(self, reablement_share: float | None) -> float:
        """The hourly rate the bid is scored on.

        A stepped tariff is evaluated as ``share * reablement + (1 - share) * maintenance``
        so bids with and without steps compete on one number.
        """
        if self.rate is not None:
            return self.rate
        if reablement_share is None:
            raise ValueError("a stepped tariff needs [price] reablement_share")
        assert self.reablement_rate is not None and self.maintenance_rate is not None
        return (
            reablement_share * self.reablement_rate + (1 - reablement_share) * self.maintenance_rate
        )


class Mark(_Model):
    """A row of marks.csv: one evaluator's mark; applies to every lot unless ``lot_id`` is set."""

    bidder_id: Id
    criterion_id: Id
    evaluator: Text
    score: Amount
    lot_id: Id | None = None
    comment: LongText | None = None


class Moderation(_Model):
    """A row of moderation.csv: the panel's consensus mark, which replaces the evaluators'."""

    bidder_id: Id
    criterion_id: Id
    score: Amount
    rationale: Text
    lot_id: Id | None = None


class SourceFile(_Model):
    """An input file as read, for the audit trail."""

    name: str
    sha256: str
    size: int


# --- the whole tender ----------------------------------------------------------------------


@dataclass(frozen=True)
class RefProblem:
    """A problem across rows: ``table`` is a file name, ``index`` a 0-based record index."""

    table: str
    index: int | None
    column: str | None
    message: str


def _duplicates(
    table: str, keys: list[tuple[str | None, ...]], column: str, label: str
) -> Iterator[RefProblem]:
    seen: dict[tuple[str | None, ...], int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            shown = ", ".join(k for k in key if k is not None)
            yield RefProblem(
                table,
                index,
                column,
                f"duplicate {label} {shown!r} (first given in row {seen[key] + 2})",
            )
        else:
            seen[key] = index


def _config_problems(
    evaluation: Evaluation, criteria: tuple[Criterion, ...]
) -> Iterator[RefProblem]:
    toml = "tender.toml"
    if not criteria:
        yield RefProblem(toml, None, "criteria", "no [[criteria]]: at least one is needed")
    for index, key in enumerate(c.id for c in criteria):
        if [c.id for c in criteria].index(key) != index:
            yield RefProblem(toml, None, "criteria", f"duplicate criterion id {key!r}")
    weights = sum(c.weight for c in criteria)
    if criteria and abs(weights - evaluation.quality_weight) > 1e-6:
        parts = " + ".join(f"{c.weight:g}" for c in criteria)
        yield RefProblem(
            toml,
            None,
            "criteria.weight",
            f"criteria weights add up to {weights:g} ({parts}), "
            f"but quality_weight is {evaluation.quality_weight:g}",
        )


def _linear_rate_problems(price: PriceRules, lots: tuple[Lot, ...]) -> Iterator[RefProblem]:
    """Linear price points need both rates for every band a lot is in."""
    for band in sorted({lot.band or "" for lot in lots}):
        rates = price.for_band(band or None)
        where = f"price.bands.{band}" if band and band in price.bands else "price"
        if rates.lower_rate is None or rates.upper_rate is None:
            yield RefProblem(
                "tender.toml",
                None,
                where,
                'price_method = "linear" needs lower_rate and upper_rate',
            )
        elif rates.upper_rate <= rates.lower_rate:
            yield RefProblem(
                "tender.toml",
                None,
                f"{where}.upper_rate",
                'price_method = "linear" needs upper_rate above lower_rate',
            )


def _mark_problems(
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
    criteria: dict[str, Criterion],
    bidder_ids: set[str],
    lot_ids: set[str],
) -> Iterator[RefProblem]:
    for table, rows in (("marks.csv", marks), ("moderation.csv", moderation)):
        for index, row in enumerate(rows):
            if row.bidder_id not in bidder_ids:
                yield RefProblem(
                    table,
                    index,
                    "bidder_id",
                    f"unknown bidder {row.bidder_id!r} (not in bidders.csv)",
                )
            if row.lot_id is not None and row.lot_id not in lot_ids:
                yield RefProblem(
                    table, index, "lot_id", f"unknown lot {row.lot_id!r} (not in lots.csv)"
                )
            criterion = criteria.get(row.criterion_id)
            if criterion is None:
                yield RefProblem(
                    table,
                    index,
                    "criterion_id",
                    f"unknown criterion {row.criterion_id!r} (not in tender.toml [[criteria]])",
                )
            elif row.score > criterion.max_score + EPSILON:
                yield RefProblem(
                    table,
                    index,
                    "score",
                    f"score {row.score:g} is above the max_score {criterion.max_score:g} "
                    f"of {criterion.id}",
                )
    yield from _duplicates(
        "marks.csv",
        [(m.bidder_id, m.criterion_id, m.evaluator, m.lot_id) for m in marks],
        "evaluator",
        "mark for bidder, criterion, evaluator",
    )
    yield from _duplicates(
        "moderation.csv",
        [(m.bidder_id, m.criterion_id, m.lot_id) for m in moderation],
        "criterion_id",
        "consensus mark for bidder, criterion",
    )


def find_reference_problems(
    *,
    evaluation: Evaluation,
    criteria: tuple[Criterion, ...],
    price: PriceRules,
    lots: tuple[Lot, ...],
    bidders: tuple[Bidder, ...],
    bids: tuple[Bid, ...],
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
) -> list[RefProblem]:
    """Every problem that needs more than one row to see, in file order.

    Kept in one place so the loader (which knows rows) and :class:`Tender` (built in code by
    tests and scenarios) agree on what a valid tender is.
    """
    problems = list(_config_problems(evaluation, criteria))
    if evaluation.price_method == "linear":
        problems += _linear_rate_problems(price, lots)
    if not lots:
        problems.append(RefProblem("lots.csv", None, None, "no lots: the file has no data rows"))
    problems += _duplicates("lots.csv", [(lot.lot_id,) for lot in lots], "lot_id", "lot_id")
    problems += _duplicates(
        "bidders.csv", [(b.bidder_id,) for b in bidders], "bidder_id", "bidder_id"
    )
    lots_by_id = {lot.lot_id: lot for lot in lots}
    bidder_ids = {b.bidder_id for b in bidders}
    criteria_by_id = {c.id: c for c in criteria}
    for index, bid in enumerate(bids):
        if bid.bidder_id not in bidder_ids:
            problems.append(
                RefProblem(
                    "bids.csv",
                    index,
                    "bidder_id",
                    f"unknown bidder {bid.bidder_id!r} (not in bidders.csv)",
                )
            )
        lot = lots_by_id.get(bid.lot_id)
        if lot is None:
            problems.append(
                RefProblem(
                    "bids.csv", index, "lot_id", f"unknown lot {bid.lot_id!r} (not in lots.csv)"
                )
            )
        if bid.stepped and price.reablement_share is None:
            problems.append(
                RefProblem(
                    "bids.csv",
                    index,
                    "reablement_rate",
                    "a stepped tariff needs reablement_share in tender.toml [price]",
                )
            )
        if lot is not None and evaluation.price_method == "fixed":
            if price.for_band(lot.band).fixed_rate is None:
                band = f" or [price.bands.{lot.band}]" if lot.band else ""
                problems.append(
                    RefProblem(
                        "bids.csv",
                        index,
                        "lot_id",
                        f'price_method = "fixed" but no fixed_rate for lot {lot.lot_id!r}: '
                        f"set fixed_rate in tender.toml [price]{band}",
                    )
                )
    problems += _duplicates(
        "bids.csv", [(b.bidder_id, b.lot_id) for b in bids], "lot_id", "bid for bidder, lot"
    )
    problems += _mark_problems(marks, moderation, criteria_by_id, bidder_ids, set(lots_by_id))
    problems += _missing_marks(bids, bidders, marks, moderation, criteria)
    return problems


def _missing_marks(
    bids: tuple[Bid, ...],
    bidders: tuple[Bidder, ...],
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
    criteria: tuple[Criterion, ...],
) -> Iterator[RefProblem]:
    """A bid can only be scored if every criterion has a mark for its bidder (and lot)."""
    excluded = {b.bidder_id for b in bidders if b.status == "excluded"}
    have = Counter((m.bidder_id, m.criterion_id, m.lot_id) for m in (*marks, *moderation))
    for index, bid in enumerate(bids):
        if bid.bidder_id in excluded:
            continue
        missing = [
            c.id
            for c in criteria
            if not have[(bid.bidder_id, c.id, bid.lot_id)] and not have[(bid.bidder_id, c.id, None)]
        ]
        if missing:
            yield RefProblem(
                "bids.csv",
                index,
                "bidder_id",
                f"bidder {bid.bidder_id!r} has no marks for {', '.join(missing)} "
                f"(lot {bid.lot_id!r}) in marks.csv",
            )


class Tender(_Model):
    """A whole tender as loaded from its folder; the input to scoring and the award."""

    info: TenderInfo
    evaluation: Evaluation
    criteria: tuple[Criterion, ...]
    price: PriceRules = Field(default_factory=PriceRules)
    rules: Rules = Field(default_factory=Rules)
    lots: tuple[Lot, ...]
    bidders: tuple[Bidder, ...]
    bids: tuple[Bid, ...]
    marks: tuple[Mark, ...]
    moderation: tuple[Moderation, ...] = ()
    sources: tuple[SourceFile, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Tender:
        problems = find_reference_problems(
            evaluation=self.evaluation,
            criteria=self.criteria,
            price=self.price,
            lots=self.lots,
            bidders=self.bidders,
            bids=self.bids,
            marks=self.marks,
            moderation=self.moderation,
        )
        if problems:
            shown = "; ".join(
                f"{p.table}"
                + (f" record {p.index + 1}" if p.index is not None else "")
                + f": {p.message}"
                for p in problems[:5]
            )
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise ValueError(shown + more)
        return self

    @property
    def total_hours(self) -> float:
        """Hours per week over all lots: the default base of the share-of-hours cap."""
        return math.fsum(lot.hours_per_week for lot in self.lots)

    @property
    def groups(self) -> tuple[str, ...]:
        """The distinct groups (localities, zone types), sorted."""
        return tuple(sorted({lot.group for lot in self.lots}))

    def lot(self, lot_id: str) -> Lot:
        """The lot with this id."""
        for lot in self.lots:
            if lot.lot_id == lot_id:
                return lot
        raise KeyError(lot_id)

    def bidder(self, bidder_id: str) -> Bidder:
        """The bidder with this id."""
        for bidder in self.bidders:
            if bidder.bidder_id == bidder_id:
                return bidder
        raise KeyError(bidder_id)


# --- results -------------------------------------------------------------------------------


class CriterionMark(_Model):
    """The mark a bid gets on one criterion, with the evaluator marks it came from."""

    criterion_id: str
    mark: float
    points: float
    evaluator_marks: tuple[tuple[str, float], ...]
    consensus: bool
    rationale: str | None = None
    divergence: float
    flag: Literal["green", "amber", "red"]


class ScoredBid(_Model):
    """A bid after scoring: its points, compliance with reasons, and rank in its lot.

    ``rank`` and ``gap_to_above`` are ``None`` for a non-compliant bid; ``reasons`` explains
    every failure and flag (an abnormally low bid stays compliant unless the tender rejects).
    """

    bidder_id: str
    lot_id: str
    rate: float
    marks: tuple[CriterionMark, ...]
    quality_points: float
    price_points: float
    total: float
    compliant: bool
    abnormally_low: bool = False
    reasons: tuple[str, ...] = ()
    rank: int | None = None
    gap_to_above: float | None = None


class Divergence(_Model):
    """How far evaluators disagreed on one bidder's criterion (and lot, for lot marks)."""

    bidder_id: str
    criterion_id: str
    lot_id: str | None
    evaluator_marks: tuple[tuple[str, float], ...]
    spread: float
    flag: Literal["green", "amber", "red"]
    consensus: float | None = None
    rationale: str | None = None


class Scores(_Model):
    """Every bid of a tender scored, ordered by lot (as in lots.csv) then rank."""

    tender_id: str
    bids: tuple[ScoredBid, ...]
    divergences: tuple[Divergence, ...] = ()

    def for_lot(self, lot_id: str) -> tuple[ScoredBid, ...]:
        """The scored bids on one lot, best first, non-compliant last."""
        return tuple(b for b in self.bids if b.lot_id == lot_id)
