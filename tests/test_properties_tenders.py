"""Property tests over generated tender folders, through the CLI.

(a) Hostile content anywhere in a folder: ``validate`` and ``score`` end with exit 0 or 2
and a message, never a bug (exit 1) or a traceback.
(b) Valid random tenders: every rule holds on the written award. The checker here is written
from DESIGN.md, not from ``optimiser/``: it reads award.json and award.csv, recomputes which
bids are compliant from the generated marks and rates, and brute-forces the fewest
vacancies (then the smallest group shortfall) any rule-abiding award could reach, so an
empty award (which breaks no rule) does not pass.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from corpus.synthetic import CRITERIA, SyntheticTender, write_tender
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from paths import MINI

from tender import cli

FILES = ("tender.toml", "lots.csv", "bidders.csv", "bids.csv", "marks.csv", "moderation.csv")

#: Values chosen to hurt a parser or a formula: a fuzzer seldom types them by chance.
HOSTILE = (
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "-0",
    "0",
    "1_000",
    "0x10",
    "=1+1",
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in y %}",
    '"',
    '"unterminated',
    "\x00",
    "\r",
    "\u200b",
    "\ufeff",
    "B\u04121",
    "x" * 10_000,
    "true",
    "excluded",
    "[",
    "[[criteria]]",
    "a = 1",
    "2026-02-30",
)


def run(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def assert_no_bug(result) -> None:
    """Exit 0 or 2 with no exception escaping click and no traceback printed."""
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not escaped, f"{type(result.exception).__name__}: {result.exception}"
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


# --- (a) hostile content -------------------------------------------------------------------

edits = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from(FILES), st.integers(0, 40), st.integers(0, 6)),
    st.tuples(st.just("truncate"), st.sampled_from(FILES), st.integers(0, 2000)),
    st.tuples(
        st.just("insert"),
        st.sampled_from(FILES),
        st.integers(0, 2000),
        st.binary(min_size=1, max_size=8),
    ),
    st.tuples(st.just("delete"), st.sampled_from(FILES)),
)
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))


def apply_edit(folder: Path, edit: tuple, value: str) -> None:
    kind, name, *args = edit
    path = folder / name
    if kind == "delete":
        path.unlink()
        return
    data = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(data[: args[0] % (len(data) + 1)])
    elif kind == "insert":
        at = args[0] % (len(data) + 1)
        path.write_bytes(data[:at] + args[1] + data[at:])
    elif name.endswith(".csv"):
        # surrogateescape keeps bytes an earlier edit inserted, so edits compose.
        # newline="": a lone CR an earlier edit wrote (unquoted) is read as a line end.
        text = io.StringIO(data.decode("utf-8", "surrogateescape"), newline="")
        rows = [r for r in csv.reader(text) if r]
        if rows:
            row = rows[args[0] % len(rows)]
            row[args[1] % len(row)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_bytes(buffer.getvalue().encode("utf-8", "surrogateescape"))
    else:  # tender.toml: replace the value of one `key = value` line, unquoted
        lines = data.decode("utf-8", "surrogateescape").splitlines()
        keyed = [i for i, line in enumerate(lines) if " = " in line]
        if keyed:
            i = keyed[args[0] % len(keyed)]
            lines[i] = lines[i].split(" = ")[0] + " = " + value
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(edits, values), min_size=1, max_size=3))
def test_hostile_folders_never_crash_validate_or_score(changes: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "t"
        shutil.copytree(MINI, folder)
        for edit, value in changes:
            if (folder / edit[1]).exists():
                apply_edit(folder, edit, value)
        assert_no_bug(run("validate", str(folder)))
        result = run("score", str(folder), "--out", str(Path(tmp) / "out"))
        assert_no_bug(result)
        if result.exit_code == 2:
            assert not (Path(tmp) / "out").exists()  # nothing written on bad input


# --- (b) every rule holds on the award ----------------------------------------------------

UPPER_RATE = 17.5
PASS_POINTS = 30  # quality_pass_mark 50% of quality_weight 60


@st.composite
def tenders(draw: st.DrawFn) -> SyntheticTender:
    """Two to four lots in one or two groups, two or three bidders, rules drawn at random."""
    n_lots = draw(st.integers(2, 4))
    groups = draw(st.sampled_from([("G1",), ("G1", "G2")]))
    lots = []
    for i in range(n_lots):
        lot: dict[str, object] = {
            "lot_id": f"L{i}",
            "name": f"Lot {i}",
            "group": groups[i % len(groups)],
            "hours_per_week": draw(st.integers(10, 300)),
        }
        if draw(st.booleans()):
            low = draw(st.integers(0, 2))
            lot["min_providers"] = low
            lot["max_providers"] = draw(st.integers(max(low, 1), 3))
        lots.append(lot)
    bidders = []
    marks = {}
    for j in range(draw(st.integers(2, 3))):
        bidder: dict[str, object] = {"bidder_id": f"B{j}", "name": f"Bidder {j}"}
        if draw(st.booleans()):
            bidder["capacity_hours_per_week"] = draw(st.integers(0, 600))
        if draw(st.booleans()):
            bidder["max_lots"] = draw(st.integers(0, 3))
        if draw(st.integers(0, 5)) == 0:
            bidder["status"] = "excluded"
            bidder["status_reason"] = "mandatory exclusion"
        bidders.append(bidder)
        marks[f"B{j}"] = (draw(st.integers(0, 5)), draw(st.integers(0, 5)))
    bids = [
        {"bidder_id": b["bidder_id"], "lot_id": lot["lot_id"], "rate": rate / 100}
        for lot in lots
        for b in bidders
        if (rate := draw(st.one_of(st.none(), st.integers(1300, 1850)))) is not None
    ]
    rules: dict[str, object] = {}
    top = draw(st.one_of(st.none(), st.integers(1, 3)))
    rules["providers_per_lot"] = {"min": draw(st.integers(0, 2))} | (
        {"max": max(top, 1)} if top is not None else {}
    )
    if top is not None and rules["providers_per_lot"]["min"] > top:  # type: ignore[index]
        rules["providers_per_lot"] = {"min": top, "max": top}
    optional = {
        "max_lots_per_bidder": st.integers(0, 3),
        "max_share_of_hours": st.sampled_from([0.25, 0.4, 0.5, 0.6, 1.0]),
        "share_basis": st.sampled_from(["tendered", "awarded"]),
        "min_providers_per_group": st.integers(0, 3),
        "max_lots_per_bidder_per_group": st.integers(0, 2),
        "budget_per_year": st.integers(0, 3_000_000),
        "objective": st.sampled_from(["hours_weighted", "score"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            rules[key] = draw(strategy)
    return SyntheticTender(lots, bidders, bids, marks, rules=rules)


@dataclass(frozen=True)
class Limits:
    """The rules of one generated tender, as the design states them."""

    lot_range: dict[str, tuple[int, int | None]]
    group_of: dict[str, str]
    hours: dict[str, float]
    max_lots: dict[str, int | None]
    capacity: dict[str, float | None]
    share: float | None
    basis: str
    per_group: int | None
    min_group: int
    budget_pence: int | None


def limits_of(t: SyntheticTender) -> Limits:
    rules = t.rules
    default = rules.get("providers_per_lot", {"min": 1, "max": 1})
    assert isinstance(default, dict)
    lot_range = {}
    for lot in t.lots:
        if "min_providers" in lot:
            lot_range[str(lot["lot_id"])] = (int(lot["min_providers"]), int(lot["max_providers"]))
        else:
            lot_range[str(lot["lot_id"])] = (int(default["min"]), default.get("max"))
    rule_max = rules.get("max_lots_per_bidder")
    max_lots = {}
    for b in t.bidders:
        given = [v for v in (b.get("max_lots"), rule_max) if v is not None]
        max_lots[str(b["bidder_id"])] = min(given) if given else None  # type: ignore[type-var]
    budget = rules.get("budget_per_year")
    return Limits(
        lot_range=lot_range,
        group_of={str(lot["lot_id"]): str(lot["group"]) for lot in t.lots},
        hours={str(lot["lot_id"]): float(lot["hours_per_week"]) for lot in t.lots},  # type: ignore[arg-type]
        max_lots=max_lots,
        capacity={str(b["bidder_id"]): b.get("capacity_hours_per_week") for b in t.bidders},  # type: ignore[misc]
        share=rules.get("max_share_of_hours"),  # type: ignore[arg-type]
        basis=str(rules.get("share_basis", "tendered")),
        per_group=rules.get("max_lots_per_bidder_per_group"),  # type: ignore[arg-type]
        min_group=int(rules.get("min_providers_per_group") or 0),  # type: ignore[call-overload]
        budget_pence=int(budget) * 100 if budget is not None else None,  # type: ignore[call-overload]
    )


def compliant_bids(t: SyntheticTender) -> dict[tuple[str, str], float]:
    """(lot, bidder) -> rate of every bid the design says may be awarded."""
    excluded = {b["bidder_id"] for b in t.bidders if b.get("status") == "excluded"}
    found = {}
    for bid in t.bids:
        bidder_id = str(bid["bidder_id"])
        scores = t.marks[bidder_id]
        points = sum(w * s / m for (_, w, m, _), s in zip(CRITERIA, scores, strict=True))
        below_min = any(
            low is not None and s < low for (_, _, _, low), s in zip(CRITERIA, scores, strict=True)
        )
        rate = float(bid["rate"])  # type: ignore[arg-type]
        if bidder_id in excluded or below_min or points < PASS_POINTS or rate > UPPER_RATE:
            continue
        found[(str(bid["lot_id"]), bidder_id)] = rate
    return found


def broken_rules(
    limits: Limits, chosen: list[tuple[str, str]], rates: dict[tuple[str, str], float]
) -> list[str]:
    """Every hard rule ``chosen`` (lot, bidder) pairs break."""
    broken = []
    per_lot: dict[str, int] = defaultdict(int)
    lots_of: dict[str, list[str]] = defaultdict(list)
    for lot_id, bidder_id in chosen:
        per_lot[lot_id] += 1
        lots_of[bidder_id].append(lot_id)
    for lot_id, (_, top) in limits.lot_range.items():
        if top is not None and per_lot[lot_id] > top:
            broken.append(f"lot {lot_id}: {per_lot[lot_id]} providers > {top}")
    awarded_hours = sum(limits.hours[lot] for lot, _ in chosen)
    base = sum(limits.hours.values()) if limits.basis == "tendered" else awarded_hours
    for bidder_id, lots in lots_of.items():
        broken += bidder_broken(limits, bidder_id, lots, base)
    if limits.budget_pence is not None:
        pence = sum(round(5200 * limits.hours[lot] * rates[lot, b]) for lot, b in chosen)
        if pence > limits.budget_pence:
            broken.append(f"annual cost {pence / 100} above budget {limits.budget_pence / 100}")
    return broken


def bidder_broken(limits: Limits, bidder_id: str, lots: list[str], base: float) -> list[str]:
    """The bidder rules one bidder's lots break; ``base`` is the share cap's hours."""
    broken = []
    hours = sum(limits.hours[lot] for lot in lots)
    cap = limits.max_lots[bidder_id]
    if cap is not None and len(lots) > cap:
        broken.append(f"{bidder_id}: {len(lots)} lots > {cap}")
    capacity = limits.capacity[bidder_id]
    if capacity is not None and hours > capacity + 1e-9:
        broken.append(f"{bidder_id}: {hours} hours > capacity {capacity}")
    if limits.share is not None and hours > limits.share * base + 1e-6:
        broken.append(f"{bidder_id}: {hours} hours > {limits.share} of {base}")
    if limits.per_group is not None:
        for group in sorted(set(limits.group_of.values())):
            n = sum(1 for lot in lots if limits.group_of[lot] == group)
            if n > limits.per_group:
                broken.append(f"{bidder_id}: {n} lots in {group} > {limits.per_group}")
    return broken


def shortfalls(limits: Limits, chosen: list[tuple[str, str]]) -> tuple[int, int]:
    """(vacant places, group shortfall): the first two things the award minimises."""
    per_lot: dict[str, int] = defaultdict(int)
    providers: dict[str, set[str]] = defaultdict(set)
    for lot_id, bidder_id in chosen:
        per_lot[lot_id] += 1
        providers[limits.group_of[lot_id]].add(bidder_id)
    vacant = sum(max(0, low - per_lot[lot]) for lot, (low, _) in limits.lot_range.items())
    groups = set(limits.group_of.values())
    short = sum(max(0, limits.min_group - len(providers[g])) for g in groups)
    return vacant, short


def best_reachable(limits: Limits, rates: dict[tuple[str, str], float]) -> tuple[int, int]:
    """The lexicographically least (vacancies, shortfall) over every rule-abiding award."""
    keys = sorted(rates)
    best = shortfalls(limits, [])
    for size in range(1, len(keys) + 1):
        for chosen in itertools.combinations(keys, size):
            if not broken_rules(limits, list(chosen), rates):
                best = min(best, shortfalls(limits, list(chosen)))
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenders(), st.sampled_from(["highs", "cbc"]))
def test_award_respects_every_rule(t: SyntheticTender, solver: str) -> None:
    rates = compliant_bids(t)
    assume(len(rates) <= 12)  # the brute force below tries every subset
    limits = limits_of(t)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tender(Path(tmp) / "t", t)
        out = Path(tmp) / "out"
        result = run("award", str(folder), "--solver", solver, "--out", str(out))
        assert result.exit_code == 0, result.output
        data = json.loads((out / "award.json").read_text(encoding="utf-8"))
        rows = list(csv.DictReader(io.StringIO((out / "award.csv").read_text(encoding="utf-8"))))
    chosen = [(a["lot_id"], a["bidder_id"]) for lot in data["lots"] for a in lot["appointments"]]
    assert sorted(chosen) == sorted((r["lot_id"], r["bidder_id"]) for r in rows if r["bidder_id"])
    assert len(set(chosen)) == len(chosen)
    not_allowed = [pair for pair in chosen if pair not in rates]
    assert not not_allowed, f"awarded a non-compliant or excluded bid: {not_allowed}"
    assert broken_rules(limits, chosen, rates) == []
    # Every unfilled place is named, with its reason, in both files.
    counts = {lot: sum(1 for lot_id, _ in chosen if lot_id == lot) for lot in limits.lot_range}
    for lot in data["lots"]:
        low = limits.lot_range[lot["lot_id"]][0]
        assert lot["vacant_places"] == max(0, low - counts[lot["lot_id"]])
        if lot["vacant_places"]:
            assert lot["reason"]
            assert any(r["lot_id"] == lot["lot_id"] and r["reason"] for r in rows)
    reported_short = {g["group"]: g["required"] - g["providers"] for g in data["group_shortfalls"]}
    providers = defaultdict(set)
    for lot_id, bidder_id in chosen:
        providers[limits.group_of[lot_id]].add(bidder_id)
    for group in set(limits.group_of.values()):
        expected = max(0, limits.min_group - len(providers[group]))
        assert reported_short.get(group, 0) == expected, group
    # Coverage first: no rule-abiding award leaves fewer places (then groups) unfilled.
    assert shortfalls(limits, chosen) == best_reachable(limits, rates)


def test_the_checker_sees_each_broken_rule() -> None:
    """The checker above must be able to fail: one award per rule, each breaking it."""
    limits = Limits(
        lot_range={"L0": (1, 1), "L1": (1, 1), "L2": (0, None)},
        group_of={"L0": "G1", "L1": "G1", "L2": "G2"},
        hours={"L0": 100, "L1": 100, "L2": 200},
        max_lots={"A": 1, "B": None},
        capacity={"A": None, "B": 150},
        share=0.5,
        basis="awarded",
        per_group=1,
        min_group=2,
        budget_pence=100,
    )
    rates = {(lot, b): 15.0 for lot in ("L0", "L1", "L2") for b in ("A", "B")}
    cases = {
        "providers": [("L0", "A"), ("L0", "B")],
        "lots": [("L0", "A"), ("L2", "A")],
        "capacity": [("L0", "B"), ("L2", "B")],
        "of": [("L2", "B")],  # 200 of 200 awarded hours > 0.5
        "in G1": [("L0", "B"), ("L1", "B")],
        "budget": [("L0", "A")],
    }
    for word, chosen in cases.items():
        assert any(word in problem for problem in broken_rules(limits, chosen, rates)), word
    # L1 unfilled; G1 has one provider of two, G2 none of two.
    assert shortfalls(limits, [("L0", "A")]) == (1, 3)
