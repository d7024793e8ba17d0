"""The one vocabulary of tender: pydantic v2 models for inputs and results.

Models are frozen (scoring cannot mutate its inputs) and forbid extra fields (an unknown
column or key is an error, not silently ignored). Checks that need more than one row, such as
references between files, live in :func:`find_reference_problems`, which both the loader (to
name file and row) and :class:`Tender` (for tenders built in code) call; once per tender, the
loader telling :class:`Tender` it has (:data:`REFERENCES_CHECKED`).
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

__all__ = [
    "ID_PATTERN",
    "REFERENCES_CHECKED",
    "BandPrice",
    "Bid",
    "Bidder",
    "Criterion",
    "CriterionMark",
    "Divergence",
    "Evaluation",
    "Lot",
    "Mark",
    "MissingEvaluator",
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
    "Unread",
    "closest",
    "find_missing_evaluators",
    "find_reference_problems",
    "share_fields_sets",
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


def share_fields_sets(models: Iterable[BaseModel]) -> None:
    """Let frozen models given the same fields hold one set of those fields' names.

    Pydantic keeps a set of the field names given (``model_fields_set``) in every instance:
    728 bytes from five names up, more than the rest of a bid. A tender of 2,000 lots x
    1,000 bidders has 600,000 bids, as many scored bids and nearly as many candidates: their
    sets took 1.2 GB. A frozen model never adds to its set, and ``model_copy`` copies it
    before adding, so a shared set changes nothing a caller can see.

    Raises:
        TypeError: A model is not frozen (its set could grow under the others).
    """
    frozen: set[type] = set()
    pool: dict[frozenset[str], set[str]] = {}
    last: set[str] | None = None
    for model in models:
        kind = type(model)
        if kind not in frozen:
            if not kind.model_config.get("frozen"):
                raise TypeError(f"{kind.__name__} is not frozen: its fields set cannot be shared")
            frozen.add(kind)
        names = model.__pydantic_fields_set__
        if last is None or names != last:
            last = pool.setdefault(frozenset(names), names)
        if names is not last:
            object.__setattr__(model, "__pydantic_fields_set__", last)


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

    @model_validator(mode="wrap")
    @classmethod
    def _one_tariff(cls, data: Any, handler: ModelWrapValidatorHandler[Bid]) -> Bid:
        if isinstance(data, Bid):
            return data  # checked when it was built, not again for each tender holding it
        bid = handler(data)
        stepped = (bid.reablement_rate is not None, bid.maintenance_rate is not None)
        if bid.rate is not None and any(stepped):
            raise ValueError("give either rate or reablement_rate and maintenance_rate, not both")
        if bid.rate is None and not all(stepped):
            if any(stepped):
                raise ValueError("a stepped tariff needs both reablement_rate and maintenance_rate")
            raise ValueError("no rate: give rate, or reablement_rate and maintenance_rate")
        return bid

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


@dataclass(frozen=True)
class Unread:
    """What the loader could not read, so the checks that need it are skipped, not misfired.

    Without it, one bad row of lots.csv would also make every bid on that lot an "unknown
    lot", burying the real problem under its echoes. ``ids`` maps a file name (``lots.csv``)
    or ``criteria`` to the ids of its rows that failed their own checks (``lot_id``;
    ``bidder_id`` for bids, marks and moderation; ``id`` for criteria), or to ``None`` when
    the file, or the id of a failed row, could not be read at all.
    """

    ids: Mapping[str, frozenset[str] | None] = field(default_factory=dict)

    def any(self, table: str) -> bool:
        """Whether some of ``table`` could not be read."""
        return table in self.ids

    def may_hold(self, table: str, key: str) -> bool:
        """Whether ``key`` may be the id of an unread row of ``table``."""
        if table not in self.ids:
            return False
        ids = self.ids[table]
        return ids is None or key in ids


#: The spreadsheet row of a record: the header is row 1. The loader passes the true rows,
#: which differ once blank rows are skipped.
RowOf = Callable[[str, int], int]


def _record_row(table: str, index: int) -> int:
    return index + 2


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` was most likely meant to be (a typo guard), if any is close."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def _duplicates(
    table: str, keys: list[tuple[str | None, ...]], column: str, label: str, row_of: RowOf
) -> Iterator[RefProblem]:
    if len(set(keys)) == len(keys):
        return  # the usual case, told without a loop over every row
    seen: dict[tuple[str | None, ...], int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            shown = ", ".join(k for k in key if k is not None)
            yield RefProblem(
                table,
                index,
                column,
                f"duplicate {label} {shown!r} (first given in row {row_of(table, seen[key])})",
            )
        else:
            seen[key] = index


def _config_problems(
    evaluation: Evaluation | None, criteria: tuple[Criterion, ...], unread: Unread
) -> Iterator[RefProblem]:
    toml = "tender.toml"
    if not criteria and not unread.any("criteria"):
        yield RefProblem(toml, None, "criteria", "no [[criteria]]: at least one is needed")
    for index, key in enumerate(c.id for c in criteria):
        if [c.id for c in criteria].index(key) != index:
            yield RefProblem(toml, None, "criteria", f"duplicate criterion id {key!r}")
    if evaluation is None or not criteria or unread.any("criteria"):
        return  # a weight that failed to read would make any sum look wrong
    weights = sum(c.weight for c in criteria)
    if abs(weights - evaluation.quality_weight) > 1e-6:
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


def _band_problems(price: PriceRules, lots: tuple[Lot, ...]) -> Iterator[RefProblem]:
    """A band naming no ``[price.bands]`` table is a typo that would price at the wrong rates."""
    for index, lot in enumerate(lots):
        if lot.band is None or lot.band in price.bands:
            continue
        if not price.bands:
            hint = "tender.toml has no [price.bands.NAME] tables"
        else:
            near = closest(lot.band, sorted(price.bands))
            hint = (
                f"did you mean {near!r}?"
                if near
                else f"tender.toml [price.bands] has: {', '.join(sorted(price.bands))}"
            )
        yield RefProblem("lots.csv", index, "band", f"unknown band {lot.band!r} ({hint})")


def _provider_range_problems(rules: Rules, lots: tuple[Lot, ...]) -> Iterator[RefProblem]:
    """A lot overriding one end of its provider range must stay within the rules' other end.

    A lot's own ``min_providers``/``max_providers`` replace ``providers_per_lot``'s, so a lot
    that gives only ``max_providers = 1`` under ``{ min = 2 }`` asks for at least 2 providers
    and at most 1: no award could fill it, and the optimiser would be handed an impossible lot.
    """
    default = rules.providers_per_lot
    for index, lot in enumerate(lots):
        if lot.min_providers is not None and lot.max_providers is not None:
            continue  # both its own: the row's own check keeps them in order
        if lot.max_providers is not None and lot.max_providers < default.min:
            yield RefProblem(
                "lots.csv",
                index,
                "max_providers",
                f"max_providers {lot.max_providers} is below [rules] providers_per_lot.min "
                f"{default.min}, which applies while min_providers is empty: set this lot's "
                "min_providers, or lower the rule",
            )
        if (
            lot.min_providers is not None
            and default.max is not None
            and lot.min_providers > default.max
        ):
            yield RefProblem(
                "lots.csv",
                index,
                "min_providers",
                f"min_providers {lot.min_providers} is above [rules] providers_per_lot.max "
                f"{default.max}, which applies while max_providers is empty: set this lot's "
                "max_providers, or raise the rule",
            )


def _mark_problems(
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
    criteria: dict[str, Criterion],
    bidder_ids: set[str],
    lot_ids: set[str],
    unread: Unread,
    row_of: RowOf,
) -> Iterator[RefProblem]:
    for table, rows in (("marks.csv", marks), ("moderation.csv", moderation)):
        for index, row in enumerate(rows):
            known = row.bidder_id in bidder_ids or unread.may_hold("bidders.csv", row.bidder_id)
            if not known:
                yield RefProblem(
                    table,
                    index,
                    "bidder_id",
                    f"unknown bidder {row.bidder_id!r} (not in bidders.csv)",
                )
            if (
                row.lot_id is not None
                and row.lot_id not in lot_ids
                and not unread.may_hold("lots.csv", row.lot_id)
            ):
                yield RefProblem(
                    table, index, "lot_id", f"unknown lot {row.lot_id!r} (not in lots.csv)"
                )
            criterion = criteria.get(row.criterion_id)
            if criterion is None:
                if not unread.may_hold("criteria", row.criterion_id):
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
        row_of,
    )
    yield from _duplicates(
        "moderation.csv",
        [(m.bidder_id, m.criterion_id, m.lot_id) for m in moderation],
        "criterion_id",
        "consensus mark for bidder, criterion",
        row_of,
    )


def _marks_without_bids(
    bids: tuple[Bid, ...],
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
    bidder_ids: set[str],
    lot_ids: set[str],
    unread: Unread,
) -> Iterator[RefProblem]:
    """A mark for a lot its bidder did not bid on is never used: a slip in bidder or lot."""
    if all(row.lot_id is None for row in (*marks, *moderation)):
        return  # no lot marks: no need to index every bid
    placed = {(b.bidder_id, b.lot_id) for b in bids}
    for table, rows in (("marks.csv", marks), ("moderation.csv", moderation)):
        for index, row in enumerate(rows):
            if (
                row.lot_id is None
                or (row.bidder_id, row.lot_id) in placed
                or row.bidder_id not in bidder_ids  # reported as unknown already
                or row.lot_id not in lot_ids
                or unread.may_hold("bids.csv", row.bidder_id)
            ):
                continue
            yield RefProblem(
                table,
                index,
                "lot_id",
                f"bidder {row.bidder_id!r} did not bid on lot {row.lot_id!r} "
                "(no such row in bids.csv), so this mark would never count",
            )


def find_reference_problems(
    *,
    evaluation: Evaluation | None,
    criteria: tuple[Criterion, ...],
    price: PriceRules | None,
    lots: tuple[Lot, ...],
    bidders: tuple[Bidder, ...],
    bids: tuple[Bid, ...],
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
    rules: Rules | None = None,
    unread: Unread | None = None,
    from_files: bool = False,
    row_of: RowOf = _record_row,
) -> list[RefProblem]:
    """Every problem that needs more than one row to see, in file order.

    Kept in one place so the loader (which knows rows) and :class:`Tender` (built in code by
    tests and scenarios) agree on what a valid tender is.

    Args:
        evaluation: the ``[evaluation]`` table; ``None`` if it did not read, and the checks
            that need it are skipped.
        criteria: the criteria that read.
        price: the ``[price]`` table, or ``None`` as for ``evaluation``.
        lots: the rows of lots.csv that read; and so on for the other files.
        bidders: bidders.csv's rows.
        bids: bids.csv's rows.
        marks: marks.csv's rows.
        moderation: moderation.csv's rows.
        rules: the ``[rules]`` table, against which each lot's own provider range is checked;
            ``None`` if it did not read (or is not known), and that check is skipped.
        unread: what did not read, so that its absence is not reported again as a problem.
        from_files: also catch slips only typed files make: a lot's band naming no price band,
            a mark for a lot its bidder did not bid on. A scenario's merged lot legitimately
            keeps the marks of bidders it drops, so tenders built in code skip these.
        row_of: the spreadsheet row of a record, for "first given in row N".
    """
    unread = unread or Unread()
    problems = list(_config_problems(evaluation, criteria, unread))
    # A lot whose band is a typo is reported as such, not again for the rates it lacks.
    band_problems = list(_band_problems(price, lots)) if from_files and price else []
    misbanded = {lots[p.index].lot_id for p in band_problems if p.index is not None}
    if evaluation is not None and price is not None and evaluation.price_method == "linear":
        problems += _linear_rate_problems(
            price, tuple(lot for lot in lots if lot.lot_id not in misbanded)
        )
    if not lots and not unread.any("lots.csv"):
        problems.append(RefProblem("lots.csv", None, None, "no lots: the file has no data rows"))
        # That says it all: "unknown lot" on every bid and mark would only repeat it.
        unread = Unread({**unread.ids, "lots.csv": None})
    problems += _duplicates("lots.csv", [(lot.lot_id,) for lot in lots], "lot_id", "lot_id", row_of)
    problems += band_problems
    if rules is not None:
        problems += _provider_range_problems(rules, lots)
    problems += _duplicates(
        "bidders.csv", [(b.bidder_id,) for b in bidders], "bidder_id", "bidder_id", row_of
    )
    lots_by_id = {lot.lot_id: lot for lot in lots}
    bidder_ids = {b.bidder_id for b in bidders}
    criteria_by_id = {c.id: c for c in criteria}
    # Worked out once per band, not per bid: ``for_band`` builds a model on every call.
    needs_share = price is not None and price.reablement_share is None
    unpriced_bands = (
        {band for band in {lot.band for lot in lots} if price.for_band(band).fixed_rate is None}
        if evaluation is not None and price is not None and evaluation.price_method == "fixed"
        else set()
    )
    for index, bid in enumerate(bids):
        if bid.bidder_id not in bidder_ids and not unread.may_hold("bidders.csv", bid.bidder_id):
            problems.append(
                RefProblem(
                    "bids.csv",
                    index,
                    "bidder_id",
                    f"unknown bidder {bid.bidder_id!r} (not in bidders.csv)",
                )
            )
        lot = lots_by_id.get(bid.lot_id)
        if lot is None and not unread.may_hold("lots.csv", bid.lot_id):
            problems.append(
                RefProblem(
                    "bids.csv", index, "lot_id", f"unknown lot {bid.lot_id!r} (not in lots.csv)"
                )
            )
        if needs_share and bid.stepped:
            problems.append(
                RefProblem(
                    "bids.csv",
                    index,
                    "reablement_rate",
                    "a stepped tariff needs reablement_share in tender.toml [price]",
                )
            )
        if lot is not None and lot.band in unpriced_bands and lot.lot_id not in misbanded:
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
        "bids.csv",
        [(b.bidder_id, b.lot_id) for b in bids],
        "lot_id",
        "bid for bidder, lot",
        row_of,
    )
    problems += _mark_problems(
        marks, moderation, criteria_by_id, bidder_ids, set(lots_by_id), unread, row_of
    )
    if from_files:
        problems += _marks_without_bids(
            bids, marks, moderation, bidder_ids, set(lots_by_id), unread
        )
    problems += _missing_marks(bids, bidders, marks, moderation, criteria, unread)
    return problems


def _missing_marks(
    bids: tuple[Bid, ...],
    bidders: tuple[Bidder, ...],
    marks: tuple[Mark, ...],
    moderation: tuple[Moderation, ...],
    criteria: tuple[Criterion, ...],
    unread: Unread,
) -> Iterator[RefProblem]:
    """A bid can only be scored if every criterion has a mark for its bidder (and lot)."""
    if unread.ids.get("marks.csv", ()) is None or unread.ids.get("moderation.csv", ()) is None:
        return  # any bidder's marks may be among those that did not read
    excluded = {b.bidder_id for b in bidders if b.status == "excluded"}
    have = {(m.bidder_id, m.criterion_id, m.lot_id) for m in (*marks, *moderation)}
    # A bidder's general marks are the same on every lot it bids on (hundreds, on a large
    # tender): the criteria they leave open are worked out once per bidder, and only those
    # are looked for among the lot's own marks.
    open_criteria: dict[str, list[str]] = {}
    for index, bid in enumerate(bids):
        gaps = open_criteria.get(bid.bidder_id)
        if gaps is None:
            skipped = bid.bidder_id in excluded or any(
                unread.may_hold(table, bid.bidder_id)
                for table in ("bidders.csv", "marks.csv", "moderation.csv")
            )
            gaps = open_criteria[bid.bidder_id] = (
                []
                if skipped
                else [c.id for c in criteria if (bid.bidder_id, c.id, None) not in have]
            )
        if not gaps:
            continue
        missing = [c for c in gaps if (bid.bidder_id, c, bid.lot_id) not in have]
        if missing:
            yield RefProblem(
                "bids.csv",
                index,
                "bidder_id",
                f"bidder {bid.bidder_id!r} has no marks for {', '.join(missing)} "
                f"(lot {bid.lot_id!r}) in marks.csv",
            )


#: The validation context of a tender whose rows the caller has just passed through
#: :func:`find_reference_problems`, everything read and nothing found (the loader, which runs
#: it itself to name file and row): ``Tender.model_validate(fields, context=REFERENCES_CHECKED)``
#: does not run it a second time over every bid and mark. Any other context runs it.
REFERENCES_CHECKED: Mapping[str, bool] = MappingProxyType({"references_checked": True})


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

    @model_validator(mode="wrap")
    @classmethod
    def _references(
        cls, data: Any, handler: ModelWrapValidatorHandler[Tender], info: ValidationInfo
    ) -> Tender:
        if isinstance(data, Tender):
            # Checked when it was built; as a field of another model (an Award) it would
            # otherwise be checked again, every bid and mark, on each award.
            return data
        tender = handler(data)
        if info.context is REFERENCES_CHECKED:
            return tender
        problems = find_reference_problems(
            evaluation=tender.evaluation,
            criteria=tender.criteria,
            price=tender.price,
            lots=tender.lots,
            bidders=tender.bidders,
            bids=tender.bids,
            marks=tender.marks,
            moderation=tender.moderation,
            rules=tender.rules,
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
        return tender

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


@dataclass(frozen=True)
class MissingEvaluator:
    """A bidder's criterion marked by fewer evaluators than the rest of the panel marked it.

    Not an error: the design combines whichever evaluators' marks there are (mean or median),
    so the mark stands; but a mark an evaluator forgot to enter is worth a look before scoring.
    """

    bidder_id: str
    criterion_id: str
    lot_id: str | None
    missing: tuple[str, ...]
    present: tuple[str, ...]

    def __str__(self) -> str:
        lot = f" on lot {self.lot_id!r}" if self.lot_id is not None else ""
        s = "s" if len(self.missing) > 1 else ""
        return (
            f"bidder {self.bidder_id!r}, criterion {self.criterion_id!r}{lot}: no mark from "
            f"evaluator{s} {', '.join(map(repr, self.missing))}; the mark comes "
            f"from {', '.join(map(repr, self.present))} alone"
        )


def find_missing_evaluators(tender: Tender) -> list[MissingEvaluator]:
    """Each bid's criterion that lacks a mark from an evaluator who marked it for others.

    The panel of a criterion is everyone who marked it for any bidder still in the tender;
    a mark replaced by a consensus mark is not checked, since the consensus is what counts.
    """
    excluded = {b.bidder_id for b in tender.bidders if b.status == "excluded"}
    bidding = {b.bidder_id for b in tender.bids} - excluded
    panel: dict[str, set[str]] = defaultdict(set)
    given: dict[tuple[str, str, str | None], set[str]] = defaultdict(set)
    for mark in tender.marks:
        if mark.bidder_id in bidding:
            panel[mark.criterion_id].add(mark.evaluator)
            given[(mark.bidder_id, mark.criterion_id, mark.lot_id)].add(mark.evaluator)
    agreed = {(m.bidder_id, m.criterion_id, m.lot_id) for m in tender.moderation}
    found = []
    for key in sorted(given, key=lambda k: (k[0], k[1], k[2] or "")):
        missing = panel[key[1]] - given[key]
        if missing and key not in agreed:
            found.append(MissingEvaluator(*key, tuple(sorted(missing)), tuple(sorted(given[key]))))
    return found


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
        return self._by_lot.get(lot_id, ())

    @cached_property
    def _by_lot(self) -> dict[str, tuple[ScoredBid, ...]]:
        # Worked out once: reports and awards ask for every lot, and a scan of all bids per
        # lot is quadratic (1000 lots x 150,000 bids took most of a minute).
        by_lot: dict[str, list[ScoredBid]] = {}
        for bid in self.bids:
            by_lot.setdefault(bid.lot_id, []).append(bid)
        return {lot_id: tuple(bids) for lot_id, bids in by_lot.items()}
