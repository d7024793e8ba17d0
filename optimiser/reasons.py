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

__all__ = ["Standing", "blocking_rules", "group_reason", "lot_reason"]


def _hours(hundredths: int) -> str:
    return f"{hundredths / 100:g} h/week"


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

    @classmethod
    def of(cls, problem: AwardProblem, data: IntegerData, awarded: Iterable[Key]) -> Standing:
        """The totals of ``awarded``."""
        standing = cls(frozenset(awarded))
        for lot_id, bidder_id in sorted(standing.chosen):
            standing.per_lot[lot_id] += 1
            standing.lots[bidder_id].append(lot_id)
            standing.hours[bidder_id] += data.hours[lot_id]
            standing.in_group[(bidder_id, problem.lot(lot_id).group)] += 1
            standing.total_hours += data.hours[lot_id]
            standing.pence += data.pence.get((lot_id, bidder_id), 0)
        return standing


def _percent(share: float | None) -> str:
    return f"{(share or 0) * 100:g}%"


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
    lot_id, bidder_id = key
    lot = problem.lot(lot_id)
    own_hours = standing.hours[bidder_id] + data.hours[lot_id]
    found: list[str] = []
    if lot.max_providers is not None and standing.per_lot[lot_id] >= lot.max_providers:
        found.append(f"lot {lot_id} is full ({lot.max_providers} providers)")
    limit = data.max_lots[bidder_id]
    if limit is not None and len(standing.lots[bidder_id]) >= limit:
        found.append(f"at its max lots ({limit})")
    capacity = data.capacity[bidder_id]
    if capacity is not None and own_hours > capacity:
        found.append(f"at its capacity ({_hours(capacity)})")
    share = _percent(problem.rules.max_share_of_hours)
    if data.tendered_cap is not None and own_hours > data.tendered_cap:
        found.append(f"at its share cap ({share} of tendered hours)")
    if data.share is not None and data.tendered_cap is None:
        if own_hours > data.share * (standing.total_hours + data.hours[lot_id]):
            found.append(f"at its share cap ({share} of awarded hours)")
    per_group = problem.rules.max_lots_per_bidder_per_group
    if per_group is not None and standing.in_group[(bidder_id, lot.group)] >= per_group:
        found.append(f"at its max lots in group {lot.group} ({per_group})")
    if data.budget is not None and standing.pence + data.pence[key] > data.budget:
        found.append(f"over the budget ({data.budget / 100:,.2f} a year)")
    return found


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
        shown = "; ".join(f"{', '.join(who)} {rule}" for rule, who in blocked.items())
        if not free and not standing.per_lot[lot_id]:
            parts.append(f"every compliant bidder is at a limit: {shown}")
        else:
            parts.append(f"other compliant bidders are at a limit: {shown}")
    if free:
        # Only possible when the award is not proven optimal: the caller says so.
        parts.append(f"{', '.join(free)} could still take it")
    return "; ".join(parts)


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
        return f"its lots take at most {sum(p or 0 for p in places)} providers"
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
