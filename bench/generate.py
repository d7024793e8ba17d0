"""Seeded synthetic tenders of any size, written in the tender folder format.

``python -m bench.generate OUT --lots 1000 --bidders 500 --share-cap binding`` writes
``OUT/{tender.toml,lots.csv,bidders.csv,bids.csv,marks.csv}``: the same files a procurement
officer would give ``tender``, so the benchmark times the real path (CSV -> models -> scores ->
award) rather than a shortcut. Every number comes from ``random.Random(seed)``: the same
arguments write the same bytes.

The shape follows the real cases (HTLAH: one lead provider per lot, at most 3 lots each, a
share cap, at least 2 providers per locality): lots of 20 to 400 hours a week in groups of
about ten, bidders bidding on ``density`` of the lots, a fifth of them with a capacity.
``share_cap = "binding"`` sets the cap so that the strongest bidders cannot take all the
lots they rank first on (about 1.3 lots' worth of the average bidder's fair share);
``"slack"`` sets it above anything ``max_lots_per_bidder`` allows, so it never binds but
its rows are still in the model.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["TenderSpec", "generate_tender", "main", "set_rules"]

CRITERIA = (
    ("Q1", "Service delivery", 20, 2),
    ("Q2", "Workforce", 20, 2),
    ("Q3", "Social value", 20, None),
)
EVALUATORS = ("E1", "E2")
MAX_SCORE = 5
LOWER_RATE = 14.0
UPPER_RATE = 17.0
HOURS = (20, 400)
MAX_LOTS = 3


@dataclass(frozen=True)
class TenderSpec:
    """What to generate.

    Attributes:
        lots: Number of lots.
        bidders: Number of bidders.
        density: Chance that a bidder bids on a lot (every lot gets at least one bid).
        groups: Number of groups (localities); default one per ten lots.
        capacity_share: Share of bidders with a capacity in hours per week.
        share_cap: ``binding`` or ``slack`` (see the module docstring).
        share_basis: ``tendered`` or ``awarded``.
        min_providers_per_group: The group rule (``None``: no rule).
        seed: Seed of the random generator.
    """

    lots: int
    bidders: int
    density: float = 0.3
    groups: int | None = None
    capacity_share: float = 0.0
    share_cap: Literal["binding", "slack"] = "slack"
    share_basis: Literal["tendered", "awarded"] = "tendered"
    min_providers_per_group: int | None = 2
    seed: int = 0

    @property
    def name(self) -> str:
        """A folder-safe name such as ``200x100-binding-tendered``."""
        return f"{self.lots}x{self.bidders}-{self.share_cap}-{self.share_basis}"


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _share(spec: TenderSpec, hours: list[int]) -> float:
    """The share cap, rounded up to the four decimals the optimiser reads exactly."""
    total = sum(hours)
    slack = 1.2 * MAX_LOTS * max(hours) / total
    if spec.share_cap == "binding":
        # Every lot stays awardable alone; most bidders fit about 1.3 average lots, and
        # with few bidders still under three of the largest lots (else it would not bind).
        wanted = max(min(2.0 / spec.bidders, 0.75 * slack), 1.1 * max(hours) / total)
    else:
        wanted = slack
    return min(0.9999, math.ceil(wanted * 10_000) / 10_000)


def _rules_toml(
    *,
    share: float | None,
    basis: str,
    min_providers_per_group: int | None,
) -> str:
    lines = [
        "[rules]",
        "providers_per_lot = { min = 1, max = 1 }",
        f"max_lots_per_bidder = {MAX_LOTS}",
    ]
    if share is not None:
        lines += [f"max_share_of_hours = {share:g}", f'share_basis = "{basis}"']
    if min_providers_per_group is not None:
        lines.append(f"min_providers_per_group = {min_providers_per_group}")
    lines += ['vacancies = "allow"', 'objective = "hours_weighted"']
    return "\n".join(lines) + "\n"


def _toml(spec: TenderSpec, share: float) -> str:
    criteria = "\n".join(
        f'[[criteria]]\nid = "{cid}"\nname = "{name}"\nweight = {weight}\nmax_score = {MAX_SCORE}\n'
        + (f"min_score = {low}\n" if low is not None else "")
        for cid, name, weight, low in CRITERIA
    )
    return (
        f"# Synthetic benchmark tender (bench/generate.py, seed {spec.seed}): not a real one.\n"
        "[tender]\n"
        f'id = "bench-{spec.name}"\n'
        f'title = "Benchmark tender {spec.lots} lots x {spec.bidders} bidders"\n'
        'authority = "Benchmark County Council"\n'
        'currency = "GBP"\n'
        'regime = "pcr2015"\n'
        "award_decision_date = 2024-04-01\n\n"
        "[evaluation]\n"
        "quality_weight = 60\nprice_weight = 40\n"
        'price_method = "lowest_ratio"\nmoderation = "mean"\n'
        "quality_pass_mark = 50\ndivergence_amber = 0.2\ndivergence_red = 0.5\n\n"
        f"{criteria}\n"
        "[price]\n"
        f'lower_rate = {LOWER_RATE:.2f}\nupper_rate = {UPPER_RATE:.2f}\nbelow_lower = "flag"\n\n'
        + _rules_toml(
            share=share,
            basis=spec.share_basis,
            min_providers_per_group=spec.min_providers_per_group,
        )
    )


def tender_files(spec: TenderSpec) -> dict[str, str]:
    """The files of the tender ``spec`` describes, by name.

    Args:
        spec: Size and rules.

    Returns:
        ``tender.toml`` and the four CSV files as text.
    """
    if spec.lots < 1 or spec.bidders < 1 or not 0 < spec.density <= 1:
        raise ValueError("need at least one lot and one bidder, and a density in (0, 1]")
    rng = random.Random(spec.seed)
    groups = spec.groups or max(1, spec.lots // 10)
    width = len(str(max(spec.lots, spec.bidders)))
    lot_ids = [f"L{i + 1:0{width}d}" for i in range(spec.lots)]
    bidder_ids = [f"B{j + 1:0{width}d}" for j in range(spec.bidders)]
    hours = [rng.randint(*HOURS) for _ in lot_ids]
    mean_hours = sum(hours) / len(hours)
    lots = [
        [lot_id, f"Lot {lot_id}", f"G{i * groups // spec.lots + 1:03d}", h]
        for i, (lot_id, h) in enumerate(zip(lot_ids, hours, strict=True))
    ]
    bidders = []
    quality: dict[str, float] = {}
    price: dict[str, float] = {}
    for bidder_id in bidder_ids:
        quality[bidder_id] = rng.uniform(0.45, 0.95)
        price[bidder_id] = rng.uniform(LOWER_RATE, UPPER_RATE - 0.2)
        capacity = ""
        if rng.random() < spec.capacity_share:
            capacity = str(round(mean_hours * rng.uniform(1.0, 3.0)))
        sme = "true" if rng.random() < 0.4 else "false"
        bidders.append([bidder_id, f"Bidder {bidder_id}", capacity, "", sme, "active", ""])
    bids = []
    for lot_id in lot_ids:
        chosen = [b for b in bidder_ids if rng.random() < spec.density]
        if not chosen:
            chosen = [rng.choice(bidder_ids)]
        for bidder_id in chosen:
            rate = price[bidder_id] + rng.uniform(-0.3, 0.5)
            bids.append([bidder_id, lot_id, f"{rate:.2f}"])
    marks = []
    for bidder_id in bidder_ids:
        for cid, *_ in CRITERIA:
            level = quality[bidder_id] + rng.uniform(-0.1, 0.1)
            for evaluator in EVALUATORS:
                mark = round(level * MAX_SCORE + rng.choice((-0.5, 0, 0, 0.5)))
                marks.append([bidder_id, cid, evaluator, max(0, min(MAX_SCORE, mark))])
    return {
        "tender.toml": _toml(spec, _share(spec, hours)),
        "lots.csv": _csv(["lot_id", "name", "group", "hours_per_week"], lots),
        "bidders.csv": _csv(
            [
                "bidder_id",
                "name",
                "capacity_hours_per_week",
                "max_lots",
                "sme",
                "status",
                "status_reason",
            ],
            bidders,
        ),
        "bids.csv": _csv(["bidder_id", "lot_id", "rate"], bids),
        "marks.csv": _csv(["bidder_id", "criterion_id", "evaluator", "score"], marks),
    }


def generate_tender(out: Path, spec: TenderSpec) -> Path:
    """Write the tender ``spec`` describes into the folder ``out`` (created if missing).

    Args:
        out: The tender folder to write.
        spec: Size and rules.

    Returns:
        ``out``.
    """
    out.mkdir(parents=True, exist_ok=True)
    for name, text in tender_files(spec).items():
        (out / name).write_text(text, encoding="utf-8", newline="")
    return out


def set_rules(folder: Path, *, share: float, basis: str) -> None:
    """Set a copied tender's share cap and basis in place (the fixtures' variants).

    The ``[rules]`` table's ``max_share_of_hours`` and ``share_basis`` lines are replaced
    (or added right after the ``[rules]`` header); everything else is kept as typed.
    """
    path = folder / "tender.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    keep = [
        line for line in lines if not line.strip().startswith(("max_share_of_hours", "share_basis"))
    ]
    at = keep.index("[rules]") + 1
    keep[at:at] = [f"max_share_of_hours = {share:g}", f'share_basis = "{basis}"']
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write one synthetic tender folder."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out", type=Path, help="tender folder to write")
    parser.add_argument("--lots", type=int, default=200)
    parser.add_argument("--bidders", type=int, default=100)
    parser.add_argument("--density", type=float, default=0.3)
    parser.add_argument("--groups", type=int, default=None)
    parser.add_argument("--capacity-share", type=float, default=0.0)
    parser.add_argument("--share-cap", choices=("slack", "binding"), default="slack")
    parser.add_argument("--share-basis", choices=("tendered", "awarded"), default="tendered")
    parser.add_argument("--min-providers-per-group", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    spec = TenderSpec(
        lots=args.lots,
        bidders=args.bidders,
        density=args.density,
        groups=args.groups,
        capacity_share=args.capacity_share,
        share_cap=args.share_cap,
        share_basis=args.share_basis,
        min_providers_per_group=args.min_providers_per_group or None,
        seed=args.seed,
    )
    generate_tender(args.out, spec)
    print(f"wrote {spec.name} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
