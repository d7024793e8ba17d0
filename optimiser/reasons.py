"""Why a lot is vacant or a group is short of providers, in the words a panel would use.

The reasons are read off the final award: for every compliant bid on a vacant lot that was
not awarded, which hard rule would awarding it break *given the rest of the award*. When
the award is proven optimal every such bid is blocked by at least one rule (otherwise
awarding it would fill a place), so the reasons are complete.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from optimiser.model import IntegerData, Key
from optimiser.problem import AwardProblem
from tender.formatting import money

__all__ = [
    "BUDGET",
    "CAPACITY",
    "FULL_HOURS",
    "GROUP_LOTS",
    "GROUP_MINIMUM",
    "LOT_ALONE",
    "MAX_LOTS",
    "OWN_MAX_LOTS",
    "PROVIDERS_PER_LOT",
    "SHARE",
    "Block",
    "Standing",
    "blocking_rules",
    "blocks",
    "group_reason",
    "hours_text",
    "lot_reason",
    "money_text",
    "share_text",
]


#: Rule keys, as a :class:`Block` names them: the tender's ``[rules]`` keys, and the
#: bidders' own limits by their bidders.csv column.
PROVIDERS_PER_LOT = "providers_per_lot"
MAX_LOTS = "max_lots_per_bidder"
OWN_MAX_LOTS = "max_lots"
CAPACITY = "capacity_hours_per_week"
SHARE = "max_share_of_hours"
GROUP_MINIMUM = "min_providers_per_group"
GROUP_LOTS = "max_lots_per_bidder_per_group"
BUDGET = "budget_per_year"

#: Said of a capacity or share cap on a tender where a lot may have several providers: the
#: model counts the lot's full hours for each of them (each may be called on for all).
FULL_HOURS = "counting each lot's full hours for every provider on it"

#: How a reason starts when the lot by itself is over a bidder's hours limit.
LOT_ALONE = "this lot alone"


def hours_text(hundredths: int) -> str:
    """Hours a week as a panel reads them: ``2,500 h/week``, ``1,236.3 h/week``."""
    text = f"{hundredths / 100:,.2f}".rstrip("0").rstrip(".")
    return f"{text} h/week"


def money_text(value: float, currency: str | None) -> str:
    """An amount in the tender's currency (pence only when there are any).

    Without a currency (a problem built in code) the number is shown with two decimals.
    """
    if currency is None:
        return f"{value:,.2f}"
    return money(value, currency, 0 if float(value).is_integer() else 2)


def share_text(problem: AwardProblem) -> str:
    """The share cap as a rule reads: ``15% of tendered hours``."""
    share = problem.rules.max_share_of_hours
    return f"{(share or 0) * 100:g}% of {problem.rules.share_basis} hours"


@dataclass
class Standing:
    """An award's running totals, computed once so each reason costs O(1) per bid."""

    chosen: frozenset[Key]
    per_lot: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lots: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hours: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    in_group: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    total_hours: int = 0
    pence: int = 0
    #: Some lot may take more than one provider, so hour limits count full lot hours each.
    shared_lots: bool = False

    @classmethod
    def of(cls, problem: AwardProblem, data: IntegerData, awarded: Iterable[Key]) -> Standing:
        """The totals of ``awarded``."""
        standing = cls(frozenset(awarded))
        standing.shared_lots = any(
            lot.max_providers is None or lot.max_providers > 1 for lot in problem.lots
        )
        for lot_id, bidder_id in sorted(standing.chosen):
            standing.per_lot[lot_id] += 1
            standing.lots[bidder_id].append(lot_id)
            standing.hours[bidder_id] += data.hours[lot_id]
            standing.in_group[(bidder_id, problem.lot(lot_id).group)] += 1
            standing.total_hours += data.hours[lot_id]
            standing.pence += data.pence.get((lot_id, bidder_id), 0)
        return standing


@dataclass(frozen=True)
class Block:
    """A rule that stops a bid: which rule keys (see the constants above) and in what words.

    A lot limit reached by both the tender's ``max_lots_per_bidder`` and the bidder's own
    ``max_lots`` names both: relaxing either alone would not free the bid.
    """

    rules: tuple[str, ...]
    text: str


def blocks(problem: AwardProblem, data: IntegerData, standing: Standing, key: Key) -> list[Block]:
    """The hard rules that stop ``key`` being added to the award.

    Args:
        problem: The award problem.
        data: Its integer data.
        standing: The award as it stands (see :meth:`Standing.of`).
        key: A ``(lot_id, bidder_id)`` bid not in the award.

    Returns:
        One :class:`Block` per rule in the way, in a fixed order; empty if nothing stops it.
    """
    lot_id, bidder_id = key
    lot = problem.lot(lot_id)
    lot_hours = data.hours[lot_id]
    own_hours = standing.hours[bidder_id] + lot_hours
    note = f", {FULL_HOURS}" if standing.shared_lots else ""
    found: list[Block] = []
    if lot.max_providers is not None and standing.per_lot[lot_id] >= lot.max_providers:
        noun = "provider" if lot.max_providers == 1 else "providers"
        found.append(
            Block((PROVIDERS_PER_LOT,), f"lot {lot_id} is full ({lot.max_providers} {noun})")
        )
    limit = data.max_lots[bidder_id]
    if limit is not None and len(standing.lots[bidder_id]) >= limit:
        own = problem.bidder(bidder_id).max_lots
        which = [MAX_LOTS] if problem.rules.max_lots_per_bidder == limit else []
        which += [OWN_MAX_LOTS] if own == limit else []
        found.append(Block(tuple(which), f"at its max lots ({limit})"))
    capacity = data.capacity[bidder_id]
    if capacity is not None and own_hours > capacity:
        if lot_hours > capacity:
            text = (
                f"{LOT_ALONE} ({hours_text(lot_hours)}) is more than its capacity "
                f"({hours_text(capacity)})"
            )
        else:
            text = f"at its capacity ({hours_text(capacity)}{note})"
        found.append(Block((CAPACITY,), text))
    cap = data.tendered_cap
    if cap is not None and own_hours > cap:
        rule = f"{share_text(problem)}: {hours_text(cap)}"
        if lot_hours > cap:
            text = f"{LOT_ALONE} ({hours_text(lot_hours)}) is more than the share cap ({rule})"
        else:
            text = f"at its share cap ({rule}{note})"
        found.append(Block((SHARE,), text))
    if data.share is not None and cap is None:
        if own_hours > data.share * (standing.total_hours + lot_hours):
            found.append(Block((SHARE,), f"at its share cap ({share_text(problem)}{note})"))
    per_group = problem.rules.max_lots_per_bidder_per_group
    if per_group is not None and standing.in_group[(bidder_id, lot.group)] >= per_group:
        found.append(Block((GROUP_LOTS,), f"at its max lots in group {lot.group} ({per_group})"))
    if data.budget is not None and standing.pence + data.pence[key] > data.budget:
        budget = money_text(data.budget / 100, problem.currency)
        found.append(Block((BUDGET,), f"over the budget ({budget} a year)"))
    return found


def blocking_rules(
    problem: AwardProblem, data: IntegerData, standing: Standing, key: Key
) -> list[str]:
    """The hard rules that stop ``key`` being added to the award, as short phrases.

    Args:
        problem: The award problem.
        data: Its integer data.
        standing: The award as it stands (see :meth:`Standing.of`).
        key: A ``(lot_id, bidder_id)`` bid not in the award.

    Returns:
        Phrases such as "at its max lots (3)"; empty if nothing stops it.
    """
    return [block.text for block in blocks(problem, data, standing, key)]


def lot_reason(problem: AwardProblem, data: IntegerData, standing: Standing, lot_id: str) -> str:
    """Why a lot has unfilled places in this award.

    Args:
        problem: The award problem.
        data: Its integer data.
        standing: The award (see :meth:`Standing.of`).
        lot_id: A lot with fewer providers than its ``min_providers``.

    Returns:
        A sentence such as "no compliant bid" or "every compliant bidder is at a limit:
        B01 at its max lots (3)".
    """
    lot = problem.lot(lot_id)
    bids = problem.candidates_for(lot_id)
    if not bids:
        return "no compliant bid"
    parts: list[str] = []
    if len(bids) < lot.min_providers:
        noun = "bid" if len(bids) == 1 else "bids"
        parts.append(f"only {len(bids)} compliant {noun} for {lot.min_providers} places")
    blocked: dict[str, list[str]] = defaultdict(list)
    free: list[str] = []
    for c in bids:
        key = (lot_id, c.bidder_id)
        if key in standing.chosen:
            continue
        rules = blocking_rules(problem, data, standing, key)
        for rule in rules:
            blocked[rule].append(c.bidder_id)
        if not rules:
            free.append(c.bidder_id)
    if blocked:
        shown = "; ".join(_blocked(rule, who) for rule, who in blocked.items())
        if not free and not standing.per_lot[lot_id]:
            parts.append(f"every compliant bidder is at a limit: {shown}")
        else:
            parts.append(f"other compliant bidders are at a limit: {shown}")
    if free:
        # Only possible when the award is not proven optimal: the caller says so.
        parts.append(f"{', '.join(free)} could still take it")
    return "; ".join(parts)


#: Bidders named in one phrase of a reason before "and N more".
_NAMED = 10


def _blocked(rule: str, who: list[str]) -> str:
    """``B01, B02 at its max lots (3)``, or the lot's own limit first when it says "alone"."""
    names = ", ".join(who[:_NAMED])
    if len(who) > _NAMED:
        names += f" and {len(who) - _NAMED} more"
    return f"{rule} for {names}" if rule.startswith(LOT_ALONE) else f"{names} {rule}"


def group_reason(problem: AwardProblem, data: IntegerData, standing: Standing, group: str) -> str:
    """Why a group has fewer distinct providers than ``min_providers_per_group``.

    Args:
        problem: The award problem.
        data: Its integer data.
        standing: The award (see :meth:`Standing.of`).
        group: The group short of providers.

    Returns:
        A sentence naming the count of bidders that could serve it or the rules in the way.
    """
    need = problem.rules.min_providers_per_group or 0
    lots = [lot for lot in problem.lots if lot.group == group]
    bids = [c for lot in lots for c in problem.candidates_for(lot.lot_id)]
    bidders = sorted({c.bidder_id for c in bids})
    if len(bidders) < need:
        noun = "bidder has" if len(bidders) == 1 else "bidders have"
        return f"only {len(bidders)} {noun} compliant bids in the group"
    places = [lot.max_providers for lot in lots]
    if None not in places and sum(p or 0 for p in places) < need:
        most = sum(p or 0 for p in places)
        return f"its lots take at most {most} provider{'' if most == 1 else 's'}"
    rules: dict[str, set[str]] = defaultdict(set)
    for c in bids:
        if not standing.in_group[(c.bidder_id, group)]:
            rules[c.bidder_id].update(
                blocking_rules(problem, data, standing, (c.lot_id, c.bidder_id))
            )
    parts = [f"{b} {' and '.join(sorted(rules[b]))}" for b in sorted(rules) if rules[b]]
    if not parts:
        return "other bidders could still serve it"
    return "other bidders are blocked: " + "; ".join(parts)
