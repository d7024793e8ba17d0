"""Make the example tenders in fixtures/ (run: python tools/make_fixtures.py [--out DIR] [--check]).

What is real comes from the council documents and is typed in the tables below: lot names and
numbers, localities, zones, lotting rules and published totals. What is synthetic (bidders,
their names, marks, rates and capacities) is drawn here from ``random.Random(seed)``, one seed
per example, so every run writes the same bytes. Bidder names are made up from plant and bird
names; any likeness to a real company is accidental.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import io
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- real data ----------------------------------------------------------------------------

#: Help to Live at Home lots as numbered in the 2015 full business case ("Proposed Lots within
#: CCG localities"), names as printed there. Hours are synthetic but follow the business case:
#: lots of about 2,000 to 3,500 hours, Oadby and Wigston split in two lots of just over 2,300,
#: Hinckley & Twycross the largest at just over 3,200, 49,230 hours a week in all.
HTLAH_LOTS = [
    ("1", "Castle Donington & Whitwick", "N W Leicestershire", 2760),
    ("2", "Ibstock & Measham", "N W Leicestershire", 2540),
    ("3", "Ashby de la Zouche & Coalville", "N W Leicestershire", 3150),
    ("4", "Loughborough East", "North Charnwood", 2620),
    ("5", "Loughborough West & Shepshed", "North Charnwood", 2700),
    ("6", "Melton Mowbray", "Melton, Rutland & Harborough", 3100),
    ("7", "Market Harborough", "Melton, Rutland & Harborough", 2730),
    ("8", "Thurnby & Syston", "Melton, Rutland & Harborough", 3050),
    ("9", "Oadby", "Oadby & Wigston", 2310),
    ("10", "Wigston & South Wigston", "Oadby & Wigston", 2330),
    ("11", "Blaby & Countesthorpe", "Blaby & Lutterworth", 2900),
    ("12", "Hinckley & Twycross", "Hinckley & Bosworth", 3210),
    ("13", "Groby & Market Bosworth", "Hinckley & Bosworth", 2640),
    ("14", "Broughton Astley & Burbage", "Hinckley & Bosworth", 2870),
    ("15", "Glenfield & Braunstone Town", "Blaby & Lutterworth", 2900),
    ("16", "Narborough & Lutterworth", "Blaby & Lutterworth", 2590),
    ("17", "Birstall & Anstey", "South Charnwood", 2440),
    ("18", "Mountsorrel & Quorn", "South Charnwood", 2390),
]
HTLAH_TOTAL = 49_230

#: The CCG localities in a ring, so that neighbours in the list are neighbours on the map.
HTLAH_RING = [
    "N W Leicestershire",
    "North Charnwood",
    "South Charnwood",
    "Melton, Rutland & Harborough",
    "Oadby & Wigston",
    "Blaby & Lutterworth",
    "Hinckley & Bosworth",
]

#: The 14 Home Care for Leicestershire zones (2022 report) with a zone type each (synthetic
#: assignment following the report: rural and isolated zones are the hard ones to source).
#: Hours are synthetic, scaled to the report's 31,909 weekly hours.
HCL_ZONES = [
    ("Z01", "Coalville and Ashby", "fringe", 2900),
    ("Z02", "Charnwood North", "urban", 3900),
    ("Z03", "Charnwood South", "urban", 3500),
    ("Z04", "West Leicester", "urban", 3300),
    ("Z05", "Oadby and Wigston", "urban", 3100),
    ("Z06", "Hinckley", "urban", 3400),
    ("Z07", "Melton", "rural", 1700),
    ("Z08", "South Leicestershire", "fringe", 2700),
    ("Z09", "Market Harborough", "fringe", 2100),
    ("Z10", "Castle Donington", "rural", 1200),
    ("Z11", "Lutterworth", "rural", 1300),
    ("Z12", "Bottesford", "isolated", 609),
    ("Z13", "Harborough rural", "isolated", 1100),
    ("Z14", "West Leicestershire rural", "isolated", 1100),
]
HCL_TOTAL = 31_909
#: Zones the report names as hard to source: few bids.
HCL_THIN = {"Z07": 3, "Z10": 2, "Z11": 3, "Z12": 1, "Z13": 2}

#: The 3 West Leicestershire HTLAH lots re-procured in 2017 (2017 lessons-learned report).
WEST_LEICS_LOTS = ("12", "13", "18")

# --- synthetic data -----------------------------------------------------------------------

FIRST = [
    "Alder",
    "Aspen",
    "Bramble",
    "Brook Lane",
    "Campion",
    "Cedar",
    "Clover",
    "Fern",
    "Foxglove",
    "Hazel",
    "Heron",
    "Holly",
    "Ivy",
    "Juniper",
    "Kestrel",
    "Kingfisher",
    "Larkspur",
    "Linden",
    "Marigold",
    "Meadowbank",
    "Oakfield",
    "Poppy",
    "Rowan",
    "Sorrel",
    "Tansy",
    "Teasel",
    "Thistle",
    "Wagtail",
    "Willow",
    "Wren",
    "Yarrow",
    "Skylark",
    "Sedge",
    "Nettlebed",
    "Primrose",
    "Bluebell",
    "Speedwell",
    "Mallow",
    "Burdock",
    "Chicory",
    "Dunnock",
    "Goldcrest",
    "Siskin",
    "Stonechat",
    "Whinchat",
    "Redpoll",
]
SECOND = [
    "Care Ltd",
    "Homecare",
    "Home Support",
    "Care Services",
    "Community Care",
    "Domiciliary Care",
    "Care at Home",
    "Support Services",
]
EVALUATORS = ("E1", "E2", "E3")


@dataclass
class Fixture:
    """One example tender being made: its files as text."""

    name: str
    files: dict[str, str] = field(default_factory=dict)

    def table(self, file: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Add a CSV file (UTF-8, ``\\n`` line ends, as a spreadsheet would save it)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        self.files[file] = buffer.getvalue()


def bidder_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up company names."""
    names = sorted({f"{a} {b}" for a in FIRST for b in SECOND})
    rng.shuffle(names)
    firsts: set[str] = set()
    chosen = []
    for name in names:
        first = name.split(" ")[0]
        if first not in firsts or len(firsts) >= len(FIRST):
            firsts.add(first)
            chosen.append(name)
        if len(chosen) == count:
            return chosen
    raise ValueError("not enough names")


def evaluator_marks(
    rng: random.Random, level: float, max_score: int, *, spread: int = 0
) -> list[int]:
    """Three evaluators' whole marks around ``level`` (0 to 1 of the scale).

    ``spread`` forces that many points between the lowest and highest mark (a divergence
    the panel has to moderate); otherwise marks differ by the evaluators' own noise.
    """
    centre = level * max_score
    if spread:
        low = max(0, min(max_score - spread, round(centre - spread / 2)))
        middle = rng.randint(low, low + spread)
        marks = [low, middle, low + spread]
        rng.shuffle(marks)
        return marks
    base = round(centre)
    # Evaluators mostly agree; now and then one is a point apart (an amber flag on a 5 scale).
    marks = [base + (rng.choice((-1, 1)) if rng.random() < 0.08 else 0) for _ in EVALUATORS]
    return [max(0, min(max_score, mark)) for mark in marks]


def mark_rows(
    rng: random.Random,
    bidder_id: str,
    criteria: Sequence[tuple[str, str, float, int, float | None]],
    levels: dict[str, float],
    spreads: dict[str, int],
) -> list[list[object]]:
    """The marks.csv rows of one bidder: three evaluators on every criterion."""
    rows: list[list[object]] = []
    for criterion_id, _, _, max_score, _ in criteria:
        marks = evaluator_marks(
            rng, levels[criterion_id], max_score, spread=spreads.get(criterion_id, 0)
        )
        for evaluator, score in zip(EVALUATORS, marks, strict=True):
            rows.append([bidder_id, criterion_id, evaluator, score])
    return rows


def criteria_toml(criteria: Sequence[tuple[str, str, float, int, float | None]]) -> str:
    """``[[criteria]]`` tables."""
    parts = []
    for criterion_id, name, weight, max_score, min_score in criteria:
        text = (
            f'[[criteria]]\nid = "{criterion_id}"\nname = "{name}"\n'
            f"weight = {weight:g}\nmax_score = {max_score}\n"
        )
        if min_score is not None:
            text += f"min_score = {min_score:g}\n"
        parts.append(text)
    return "\n".join(parts)


def money(value: float) -> str:
    """A rate as typed in a bid: two decimals."""
    return f"{value:.2f}"


# --- Help to Live at Home 2016 ------------------------------------------------------------

HTLAH_CRITERIA = [
    ("Q1", "Safeguarding", 12, 5, 2),
    ("Q2", "Reablement outcomes", 12, 5, 2),
    ("Q3", "Workforce recruitment and retention", 10, 5, None),
    ("Q4", "Mobilisation plan", 10, 5, None),
    ("Q5", "Locality integration", 8, 5, None),
    ("Q6", "Social value", 8, 5, None),
]

HTLAH_TOML = """\
{header}
[tender]
id = "{id}"
title = "{title}"
authority = "Leicestershire County Council"
currency = "GBP"
regime = "pcr2015"
award_decision_date = {date}

[evaluation]
quality_weight = 60
price_weight = 40
price_method = "lowest_ratio"
moderation = "mean"
quality_pass_mark = 50        # percent of the 60 quality points
divergence_amber = 0.2
divergence_red = 0.5

{criteria}
[price]
lower_rate = 13.00            # below: abnormally low, the bidder is asked to explain
upper_rate = 16.50            # above: non-compliant
below_lower = "flag"
reablement_share = 0.2        # stepped tariffs: 20% of hours at the reablement rate

[rules]
{rules}"""

HTLAH_HEADER = """\
# Help to Live at Home 2016: illustrative. Lots and rules from Leicestershire's 2015 full
# business case; bidders, marks and rates are synthetic (tools/make_fixtures.py, seed {seed})."""

HTLAH_RULES = """\
providers_per_lot = { min = 1, max = 1 }   # one lead provider per lot
max_lots_per_bidder = 3
max_share_of_hours = 0.15     # of the 49,230 tendered hours a week
share_basis = "tendered"
min_providers_per_group = 2   # at least two providers in each CCG locality
vacancies = "allow"
objective = "hours_weighted"
"""


@dataclass
class HtlahBidder:
    """A synthetic HTLAH bidder: how big, how good, how cheap, and where it bids."""

    bidder_id: str
    name: str
    size: str
    quality: float
    base_rate: float
    stepped: bool
    lots: list[str]
    capacity: int | None
    max_lots: int | None
    sme: bool


def htlah_bidders(rng: random.Random, count: int = 30) -> list[HtlahBidder]:
    """Bidders of mixed size: a few large ones bidding widely, many small local ones."""
    names = bidder_names(rng, count)
    by_locality: dict[str, list[str]] = {}
    for lot_id, _, locality, _ in HTLAH_LOTS:
        by_locality.setdefault(locality, []).append(lot_id)
    bidders = []
    for index in range(count):
        size = "large" if index < 4 else "medium" if index < 14 else "small"
        home = rng.randrange(len(HTLAH_RING))
        reach = {"large": 3, "medium": 1, "small": 0}[size]
        localities = [HTLAH_RING[(home + k) % len(HTLAH_RING)] for k in range(-reach, reach + 1)]
        pool = sorted({lot for loc in localities for lot in by_locality[loc]}, key=int)
        wanted = {"large": (7, 11), "medium": (3, 6), "small": (1, 3)}[size]
        lots = sorted(rng.sample(pool, min(len(pool), rng.randint(*wanted))), key=int)
        capacity = {"large": None, "medium": rng.randrange(6000, 11000, 500)}.get(
            size, rng.randrange(2500, 4000, 250)
        )
        bidders.append(
            HtlahBidder(
                bidder_id=f"B{index + 1:02d}",
                name=names[index],
                size=size,
                quality=rng.uniform(0.55, 0.9),
                base_rate=rng.uniform(13.6, 15.4),
                stepped=rng.random() < 0.25,
                lots=lots,
                capacity=capacity,
                max_lots=2 if size == "small" and rng.random() < 0.5 else None,
                sme=size != "large",
            )
        )
    # The strong, cheap regional provider the share cap is there for.
    star = bidders[0]
    star.quality, star.base_rate = 0.92, 13.7
    star.lots = sorted({*star.lots, "1", "3", "4", "5", "12", "14", "17", "18"}, key=int)
    return bidders


def htlah_rate_cells(bidder: HtlahBidder, rate: float) -> list[object]:
    """``rate, reablement_rate, maintenance_rate`` cells; stepped rates evaluate to ``rate``."""
    if not bidder.stepped:
        return [money(rate), "", ""]
    # 0.2 * (r + 1.60) + 0.8 * (r - 0.40) = r: the same evaluated rate, priced in steps.
    return ["", money(rate + 1.60), money(rate - 0.40)]


def htlah_marks(
    rng: random.Random,
    bidders: list[HtlahBidder],
    weak_safeguarding: HtlahBidder,
    weak_overall: HtlahBidder,
) -> tuple[list[list[object]], list[list[object]]]:
    """marks.csv and moderation.csv rows: some divergent marks, the red ones moderated."""
    marks: list[list[object]] = []
    moderation: list[list[object]] = []
    for bidder in bidders:
        levels = {
            c[0]: min(1.0, max(0.0, bidder.quality + rng.uniform(-0.1, 0.1)))
            for c in HTLAH_CRITERIA
        }
        spreads: dict[str, int] = {}
        if bidder is weak_safeguarding:
            levels["Q1"] = 0.25
        if bidder is weak_overall:
            levels = {k: 0.35 for k in levels}
        if bidder.bidder_id in ("B03", "B08", "B15", "B22"):
            spreads[rng.choice([c[0] for c in HTLAH_CRITERIA[2:]])] = 3  # red: 3/5 = 0.6
        if bidder.bidder_id in ("B05", "B11", "B17", "B19", "B25"):
            spreads[rng.choice([c[0] for c in HTLAH_CRITERIA])] = 2  # amber: 2/5 = 0.4
        marks += mark_rows(rng, bidder.bidder_id, HTLAH_CRITERIA, levels, spreads)
        for criterion_id, spread in sorted(spreads.items()):
            if spread >= 3:
                given = [r[3] for r in marks if r[0] == bidder.bidder_id and r[1] == criterion_id]
                agreed = sorted(given)[1]
                moderation.append(
                    [
                        bidder.bidder_id,
                        criterion_id,
                        agreed,
                        f"Panel agreed {agreed}: evidence met the descriptor for {agreed} "
                        "but not fully for the next mark.",
                    ]
                )
    return marks, moderation


def htlah_head(
    fixture: Fixture,
    title: str,
    day: str,
    lots: Sequence[tuple[str, str, str, int]],
    *,
    header: str,
    rules: str,
) -> None:
    """tender.toml and lots.csv of an HTLAH procurement (the 2016 one or its re-run).

    The evaluation scheme is shared; ``header`` (the opening comment) and ``rules`` (the
    ``[rules]`` table's lines) are each procurement's own.
    """
    fixture.files["tender.toml"] = HTLAH_TOML.format(
        header=header,
        rules=rules,
        id=fixture.name,
        title=title,
        date=day,
        criteria=criteria_toml(HTLAH_CRITERIA),
    )
    fixture.table(
        "lots.csv",
        ["lot_id", "name", "group", "hours_per_week"],
        [[lot_id, name, group, hours] for lot_id, name, group, hours in lots],
    )


def make_htlah(seed: int = 2016) -> Fixture:
    """Help to Live at Home: 18 lots, about 30 bidders, planted failures and flags."""
    rng = random.Random(seed)
    fixture = Fixture("htlah-2016")
    assert sum(h for *_, h in HTLAH_LOTS) == HTLAH_TOTAL
    bidders = htlah_bidders(rng)
    excluded = bidders[-1]
    weak_safeguarding, weak_overall = bidders[9], bidders[20]
    low_bidder, high_bidder = bidders[6], bidders[12]
    bids = []
    for bidder in bidders:
        for lot_id in bidder.lots:
            rate = min(16.3, max(13.2, bidder.base_rate + rng.uniform(-0.25, 0.25)))
            bids.append([bidder.bidder_id, lot_id, *htlah_rate_cells(bidder, rate)])
    # Every lot gets at least three bids: small local providers fill thin lots.
    for lot_id, *_ in HTLAH_LOTS:
        while sum(1 for b in bids if b[1] == lot_id) < 3:
            bidder = rng.choice([b for b in bidders[4:-1] if lot_id not in b.lots])
            bidder.lots.append(lot_id)
            rate = bidder.base_rate + rng.uniform(-0.2, 0.2)
            bids.append([bidder.bidder_id, lot_id, *htlah_rate_cells(bidder, rate)])
    # One abnormally low bid and one above the upper rate.
    for row in bids:
        if row[0] == low_bidder.bidder_id and row[1] == low_bidder.lots[0]:
            row[2:] = [money(12.40), "", ""]
        if row[0] == high_bidder.bidder_id and row[1] == high_bidder.lots[0]:
            row[2:] = [money(16.95), "", ""]
    order = {lot_id: i for i, (lot_id, *_) in enumerate(HTLAH_LOTS)}
    bids.sort(key=lambda r: (r[0], order[r[1]]))

    marks, moderation = htlah_marks(rng, bidders, weak_safeguarding, weak_overall)
    htlah_head(
        fixture,
        "Help to Live at Home: lead providers",
        "2016-07-01",
        HTLAH_LOTS,
        header=HTLAH_HEADER.format(seed=seed),
        rules=HTLAH_RULES,
    )
    fixture.table(
        "bidders.csv",
        [
            "bidder_id",
            "name",
            "capacity_hours_per_week",
            "max_lots",
            "sme",
            "status",
            "status_reason",
        ],
        [
            [
                b.bidder_id,
                b.name,
                b.capacity or "",
                b.max_lots or "",
                "true" if b.sme else "false",
                "excluded" if b is excluded else "active",
                "Failed the financial standing test at selection" if b is excluded else "",
            ]
            for b in bidders
        ],
    )
    fixture.table(
        "bids.csv", ["bidder_id", "lot_id", "rate", "reablement_rate", "maintenance_rate"], bids
    )
    fixture.table("marks.csv", ["bidder_id", "criterion_id", "evaluator", "score"], marks)
    fixture.table("moderation.csv", ["bidder_id", "criterion_id", "score", "rationale"], moderation)
    for name, text in HTLAH_SCENARIOS.items():
        fixture.files[f"scenarios/{name}.toml"] = text
    fixture.files["README.md"] = README_HTLAH.format(
        seed=seed,
        excluded=excluded.bidder_id,
        weak_q1=weak_safeguarding.bidder_id,
        weak=weak_overall.bidder_id,
        low=f"{low_bidder.bidder_id} on lot {low_bidder.lots[0]}",
        high=f"{high_bidder.bidder_id} on lot {high_bidder.lots[0]}",
    )
    return fixture


#: Lotting options a commissioner might weigh (`tender compare fixtures/htlah-2016`).
HTLAH_SCENARIOS = {
    "no-share-cap": """\
# What the 15% cap on a provider's share of hours costs: the same tender without it.
[scenario]
description = "No cap on a provider's share of hours"

[rules]
max_share_of_hours = "none"
""",
    "max-2-lots": """\
# A tighter spread of providers: at most 2 lots each instead of 3.
[scenario]
description = "At most 2 lots per provider"

[rules]
max_lots_per_bidder = 2
""",
    "quality-70": """\
# A heavier quality weighting: 70/30 instead of 60/40 (criteria weights scale with it).
[scenario]
description = "Quality 70%, price 30%"

[evaluation]
quality_weight = 70
""",
    "merge-oadby-wigston": """\
# Oadby and Wigston as one lot, as before the business case split it in two.
[scenario]
description = "Lots 9 and 10 (Oadby; Wigston & South Wigston) merged into one lot"
merge = [["9", "10"]]
""",
    "west-leics-lots": """\
# Only the three West Leicestershire lots that were re-procured in 2017. A 15% cap on 3 lots
# (8,240 hours) would be below any one lot, and South Charnwood keeps one lot, so it cannot
# have 2 providers: the cap and the locality minimum go, as in fixtures/west-leics-2017.
[scenario]
description = "Only lots 12, 13 and 18 (the 2017 re-procurement), no share cap or locality minimum"
lots = ["12", "13", "18"]

[rules]
max_share_of_hours = "none"
min_providers_per_group = "none"
""",
}

README_HTLAH = """\
# htlah-2016: Help to Live at Home, Leicestershire (illustrative)

**Real** (Leicestershire County Council and the CCGs' full business case, September 2015):
the 18 lots, their numbers and names as printed in the table "Proposed Lots within CCG
localities" (including its spelling "Ashby de la Zouche"), the 7 CCG localities they belong to,
the lot sizing principle (about 2,000 to 3,500 hours a week; Oadby and Wigston split in two lots
of just over 2,300; Hinckley & Twycross the largest at just over 3,200), the total of 49,230 care
hours a week, one lead provider per lot, a cap on any provider's share, upper and lower rates,
and stepped reablement and maintenance rates.

**Synthetic** (made by `tools/make_fixtures.py`, seed {seed}): the hours of each lot (shaped to
the principle above and summing to 49,230), every bidder and its name, capacity and size,
every evaluator's mark, the moderation rows, every rate, the quality criteria and weights, the
rate limits (13.00 to 16.50 GBP an hour) and the lotting rules' numbers (at most 3 lots and 15%
of the hours per provider, at least 2 providers per locality). No budget is set: the business
case's £36.3m envelope covered the whole service, not just these rates.

Planted for the examples and tests: bidder {excluded} is excluded (financial standing);
{weak_q1} fails the Safeguarding minimum; {weak} fails the quality pass mark; {low} is
abnormally low (flagged, not rejected); {high} is above the upper rate; several marks diverge
(amber and red), the red ones with consensus rows in moderation.csv; bidder B01 is strong and
cheap on many lots, so the share and lot caps bind on it.

`scenarios/` holds five lotting options for `tender compare`: no share cap, at most 2 lots per
provider, a 70/30 weighting, Oadby and Wigston merged into one lot, and only the three West
Leicestershire lots re-procured in 2017.
"""


# --- West Leicestershire 2017 -------------------------------------------------------------

WEST_LEICS_HEADER = """\
# Help to Live at Home, West Leicestershire re-procurement 2017: illustrative. The 3 lots are
# those of the 2015 full business case; that no bid met quality and price is from the June 2017
# committee report; bidders, marks and rates are synthetic (tools/make_fixtures.py, seed {seed})."""

#: The 2016 caps do not carry over to 3 lots (the toml comment says why).
WEST_LEICS_RULES = """\
providers_per_lot = { min = 1, max = 1 }   # one lead provider per lot, as in 2016
# No share cap, lot cap or locality minimum: with 3 lots (8,240 hours a week) a 15% cap is
# 1,236 hours, below every lot, and South Charnwood has one lot, so 2 providers is impossible.
vacancies = "allow"
objective = "hours_weighted"
"""


def make_west_leics(seed: int = 2017) -> Fixture:
    """The 2017 re-procurement of 3 vacant lots: 10 bids, none meets quality and price."""
    rng = random.Random(seed)
    fixture = Fixture("west-leics-2017")
    lots = [row for row in HTLAH_LOTS if row[0] in WEST_LEICS_LOTS]
    names = bidder_names(rng, 10)
    bidders, bids, marks = [], [], []
    for index in range(10):
        bidder_id = f"W{index + 1:02d}"
        bidders.append([bidder_id, names[index], "true"])
        fails_price = index % 2 == 0
        quality = rng.uniform(0.6, 0.8) if fails_price else rng.uniform(0.25, 0.4)
        levels = {c[0]: quality for c in HTLAH_CRITERIA}
        marks += mark_rows(rng, bidder_id, HTLAH_CRITERIA, levels, {})
        for lot_id in sorted(rng.sample(WEST_LEICS_LOTS, rng.randint(1, 3)), key=int):
            rate = rng.uniform(16.7, 17.9) if fails_price else rng.uniform(14.5, 16.2)
            bids.append([bidder_id, lot_id, money(rate)])
    htlah_head(
        fixture,
        "Help to Live at Home: West Leicestershire lots re-procurement",
        "2017-04-28",
        lots,
        header=WEST_LEICS_HEADER.format(seed=seed),
        rules=WEST_LEICS_RULES,
    )
    fixture.table("bidders.csv", ["bidder_id", "name", "sme"], bidders)
    fixture.table("bids.csv", ["bidder_id", "lot_id", "rate"], bids)
    fixture.table("marks.csv", ["bidder_id", "criterion_id", "evaluator", "score"], marks)
    fixture.files["README.md"] = f"""\
# west-leics-2017: Help to Live at Home, West Leicestershire re-procurement (illustrative)

**Real** (the Adults and Communities Overview and Scrutiny Committee report of 20 June 2017):
the three vacant West Leicestershire lots re-procured in 2017 (Hinckley and Twycross, Groby and
Market Bosworth, Mountsorrel and Quorn), that 10 organisations met the selection criteria and
bid, and that no bid met both the quality and the price requirements, so nothing was awarded.

**Synthetic** (`tools/make_fixtures.py`, seed {seed}): the bidders and their names, every mark
and rate, and the lots' hours (the same as in `htlah-2016`, 8,240 a week in all). The evaluation
scheme (criteria, weights, pass mark, rate limits) is that of `htlah-2016`. The lotting rules
are cut down to what fits 3 lots: one lead provider per lot, and no share cap (15% of 8,240
hours is 1,236, below every lot), no lot cap (3 lots each is no limit) and no locality minimum
(South Charnwood has a single lot). Half the bidders fail the quality pass mark and the
Safeguarding and Reablement minimums; the other half price above the upper rate of 16.50 GBP
an hour. So every lot is vacant with "no compliant bid", and the reason counts the bids that
failed on quality and on price.
"""
    return fixture


# --- Home Care for Leicestershire 2021 ----------------------------------------------------

HCL_CRITERIA = [
    ("Q1", "Safeguarding and quality", 20, 5, 2),
    ("Q2", "Workforce and capacity", 20, 5, None),
    ("Q3", "Rural and hard-to-serve delivery", 15, 5, None),
    ("Q4", "Mobilisation and continuity of care", 15, 5, None),
]
HCL_BANDS = {
    "urban": (17.50, 21.00),
    "fringe": (18.00, 21.50),
    "rural": (18.50, 22.50),
    "isolated": (19.50, 24.00),
}


def make_hcl(seed: int = 2021) -> Fixture:
    """HCL: a framework over 14 zones, about 90 bidders, rural zones thinly bid."""
    rng = random.Random(seed)
    fixture = Fixture("hcl-2021")
    assert sum(h for *_, h in HCL_ZONES) == HCL_TOTAL
    names = bidder_names(rng, 90)
    common = [z for z, _, band, _ in HCL_ZONES if z not in HCL_THIN]
    band_of = {z: band for z, _, band, _ in HCL_ZONES}
    bidders, bids, marks = [], [], []
    thin_left = dict(HCL_THIN)
    for index in range(90):
        bidder_id = f"H{index + 1:02d}"
        # Urban zones draw most bids, fringe ones fewer, the rural remainder fewest.
        pool = [z for z in common for _ in range({"urban": 6, "fringe": 3}.get(band_of[z], 1))]
        zones = {rng.choice(pool) for _ in range(rng.randint(1, 5))}
        for zone in sorted(thin_left):
            if thin_left[zone] and rng.random() < 0.06:
                zones.add(zone)
                thin_left[zone] -= 1
        quality = rng.uniform(0.5, 0.9)
        premium = rng.uniform(-0.5, 1.5)
        bidders.append([bidder_id, names[index], "true" if rng.random() < 0.8 else "false"])
        levels = {c[0]: min(1.0, max(0.0, quality + rng.uniform(-0.1, 0.1))) for c in HCL_CRITERIA}
        spreads = {"Q3": 2} if rng.random() < 0.1 else {}
        marks += mark_rows(rng, bidder_id, HCL_CRITERIA, levels, spreads)
        for zone in sorted(zones):
            lower, upper = HCL_BANDS[band_of[zone]]
            rate = min(upper - 0.05, lower + 1.0 + premium + rng.uniform(0, 1.0))
            bids.append([bidder_id, zone, money(rate)])
    bands = "\n".join(
        f"[price.bands.{band}]\nlower_rate = {lower:.2f}\nupper_rate = {upper:.2f}\n"
        for band, (lower, upper) in HCL_BANDS.items()
    )
    fixture.files["tender.toml"] = f"""\
# Home Care for Leicestershire 2021: illustrative. Zones and framework rules from the 2022
# committee report; bidders, marks and rates are synthetic (tools/make_fixtures.py, seed {seed}).
[tender]
id = "hcl-2021"
title = "Home Care for Leicestershire: framework"
authority = "Leicestershire County Council"
currency = "GBP"
regime = "pcr2015"
award_decision_date = 2021-09-30

[evaluation]
quality_weight = 70
price_weight = 30
price_method = "linear"       # against each zone band's lower and upper rates
moderation = "mean"
quality_pass_mark = 50
divergence_amber = 0.2
divergence_red = 0.5

{criteria_toml(HCL_CRITERIA)}
[price]
below_lower = "flag"

{bands}
[rules]
providers_per_lot = {{ min = 2 }}   # at least two providers per zone, no upper limit
vacancies = "allow"
objective = "hours_weighted"
"""
    fixture.table(
        "lots.csv",
        ["lot_id", "name", "group", "hours_per_week", "band"],
        [[z, name, band, hours, band] for z, name, band, hours in HCL_ZONES],
    )
    fixture.table("bidders.csv", ["bidder_id", "name", "sme"], bidders)
    fixture.table("bids.csv", ["bidder_id", "lot_id", "rate"], bids)
    fixture.table("marks.csv", ["bidder_id", "criterion_id", "evaluator", "score"], marks)
    fixture.files["README.md"] = f"""\
# hcl-2021: Home Care for Leicestershire framework (illustrative)

**Real** (the Adults and Communities Overview and Scrutiny Committee report of 5 September
2022): the 14 zones, each needing at least two providers with no upper limit (an open
framework), 31,909 weekly care hours in all, and that the rural and isolated zones (Bottesford,
Castle Donington, Melton, Harborough rural, Lutterworth) are the hard ones to source.

**Synthetic** (`tools/make_fixtures.py`, seed {seed}): each zone's type (urban, fringe, rural,
isolated; used as both its group and its price band) and hours (summing to 31,909), the band
rates, all 90 bidders, their names, the zones they bid for, marks and rates. The thin zones get
only a few bids, so some end the award with fewer than two providers.
"""
    return fixture


# --- Leeds 2015 ---------------------------------------------------------------------------

LEEDS_LOTS = [
    ("N1", "North West", "Leeds North", 3200, None),
    ("N2", "North East", "Leeds North", 2900, "outer"),
    ("SE1", "South", "Leeds South and East", 3500, None),
    ("SE2", "East", "Leeds South and East", 3100, "outer"),
    ("W1", "West Inner", "Leeds West", 3300, None),
    ("W2", "West Outer", "Leeds West", 2700, "outer"),
]
LEEDS_CRITERIA = [
    ("Q1", "Outcome-based support", 25, 5, None),
    ("Q2", "Safeguarding", 20, 5, 2),
    ("Q3", "Workforce and the Ethical Care Charter", 20, 5, None),
    ("Q4", "Locality working with neighbourhood teams", 20, 5, None),
    ("Q5", "Service user involvement", 15, 5, None),
]


def make_leeds(seed: int = 2015) -> Fixture:
    """Leeds: 6 lots in 3 areas, 100% quality at fixed prices, 28 bidders for primary status."""
    rng = random.Random(seed)
    fixture = Fixture("leeds-2015")
    names = bidder_names(rng, 28)
    areas: dict[str, list[str]] = {}
    for lot_id, _, area, _, _ in LEEDS_LOTS:
        areas.setdefault(area, []).append(lot_id)
    band_of = {lot_id: band for lot_id, *_, band in LEEDS_LOTS}
    bidders, bids, marks = [], [], []
    for index in range(28):
        bidder_id = f"P{index + 1:02d}"
        area = sorted(areas)[index % 3]
        lots = set(rng.sample(areas[area], rng.randint(1, 2)))
        if rng.random() < 0.25:
            lots.add(rng.choice([lot for lots_ in areas.values() for lot in lots_]))
        bidders.append([bidder_id, names[index], "true" if rng.random() < 0.6 else "false"])
        quality = rng.uniform(0.45, 0.92)
        levels = {
            c[0]: min(1.0, max(0.0, quality + rng.uniform(-0.12, 0.12))) for c in LEEDS_CRITERIA
        }
        marks += mark_rows(rng, bidder_id, LEEDS_CRITERIA, levels, {})
        order = [lot_id for lot_id, *_ in LEEDS_LOTS]
        for lot_id in sorted(lots, key=order.index):
            rate = 16.10 if band_of[lot_id] == "outer" else 15.48
            if index == 13:
                rate = 14.95  # a bid that ignores the fixed price: non-compliant
            bids.append([bidder_id, lot_id, money(rate)])
    fixture.files["tender.toml"] = f"""\
# Leeds community home care 2015: illustrative. The model (100% quality, fixed prices, 6 lots in
# 3 areas, one primary provider per lot) is from the 2015 scrutiny briefing; everything else is
# synthetic (tools/make_fixtures.py, seed {seed}).
[tender]
id = "leeds-2015"
title = "Community Home Care Services: primary providers"
authority = "Leeds City Council"
currency = "GBP"
regime = "pcr2015"
award_decision_date = 2015-12-15

[evaluation]
quality_weight = 100
price_weight = 0
price_method = "fixed"        # quality decides; every bid must be at the fixed price
moderation = "mean"
quality_pass_mark = 50
divergence_amber = 0.2
divergence_red = 0.5

{criteria_toml(LEEDS_CRITERIA)}
[price]
fixed_rate = 15.48

[price.bands.outer]
fixed_rate = 16.10            # outer lots carry a travel premium

[rules]
providers_per_lot = {{ min = 1, max = 1 }}   # one primary provider per lot
vacancies = "allow"
objective = "hours_weighted"
"""
    fixture.table(
        "lots.csv",
        ["lot_id", "name", "group", "hours_per_week", "band"],
        [[lot_id, name, area, hours, band or ""] for lot_id, name, area, hours, band in LEEDS_LOTS],
    )
    fixture.table("bidders.csv", ["bidder_id", "name", "sme"], bidders)
    fixture.table("bids.csv", ["bidder_id", "lot_id", "rate"], bids)
    fixture.table("marks.csv", ["bidder_id", "criterion_id", "evaluator", "score"], marks)
    fixture.files["README.md"] = f"""\
# leeds-2015: Leeds community home care (illustrative)

**Real** (Leeds City Council's 2015 briefing to the Scrutiny Board): 100% quality weighting with
fixed prices, Leeds divided into three areas with six lots broadly coterminous with the CCGs,
one primary provider per lot with a framework behind them as back-up, and 28 organisations
seeking primary provider status.

**Synthetic** (`tools/make_fixtures.py`, seed {seed}): the area and lot names (invented: the
briefing does not name them), hours, the fixed prices (15.48 GBP an hour, 16.10 for outer
lots), the quality criteria, all 28 bidders, their names, the lots they bid for and their
marks. Bidder P14 bids below the fixed price and is non-compliant. The ranked reserves of each
lot in the award are the back-up framework.
"""
    return fixture


MAKERS = (make_htlah, make_hcl, make_leeds, make_west_leics)


def write(out: Path) -> list[Path]:
    """Write every example under ``out``; returns the files written."""
    written = []
    for maker in MAKERS:
        fixture = maker()
        folder = out / fixture.name
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in sorted(fixture.files.items()):
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Write the examples, or with ``--check`` compare them with the committed ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--check", action="store_true", help="exit 1 if fixtures/ differs")
    args = parser.parse_args(argv)
    if not args.check:
        written = write(args.out)
        print(f"wrote {len(written)} files under {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        made = write(Path(tmp))
        differ = [
            str(p.relative_to(tmp))
            for p in made
            if not filecmp.cmp(p, args.out / p.relative_to(tmp), shallow=False)
        ]
    for name in differ:
        print(f"differs: {name}", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
