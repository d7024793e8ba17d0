"""A quick award that keeps every rule: the solver's first incumbent, never the answer.

The first objective level (coverage) starts from nothing unless it is given a start; on a
hard model (a binding share cap on awarded hours) a solver can then run out of time with
no award at all. Walking the lots in order and giving each its best-ranked bids that still
fit every rule is what a spreadsheet would do: it is feasible by construction, so the solver
always has an incumbent to prune against and to fall back on. The award the optimiser
reports is still the lexicographic optimum; this only changes how fast it is found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from optimiser.model import IntegerData, Key
from optimiser.problem import AwardProblem

__all__ = ["Tally", "greedy_award"]


class Tally:
    """What an award so far uses of each rule, so one more bid is checked in O(1).

    The benchmark's spreadsheet baseline (``bench/greedy.py``) walks with it too.
    """

    def __init__(self, problem: AwardProblem, data: IntegerData) -> None:
        self.problem = problem
        self.data = data
        self.group_of = {lot.lot_id: lot.group for lot in problem.lots}
        self.max_providers = {lot.lot_id: lot.max_providers for lot in problem.lots}
        self.per_lot: dict[str, int] = defaultdict(int)
        self.lots: dict[str, int] = defaultdict(int)
        self.hours: dict[str, int] = defaultdict(int)
        self.in_group: dict[tuple[str, str], int] = defaultdict(int)
        self.total_hours = 0
        self.pence = 0
        # An awarded-hours cap is checked against the hours the walk aims to cover (each
        # lot's minimum places); a first bid would otherwise be 100% of the awarded hours.
        self.target_hours = sum(data.hours[lot.lot_id] * lot.min_providers for lot in problem.lots)

    def fits(self, key: Key) -> bool:
        """Whether one more bid keeps every rule (an awarded-hours cap as the class says)."""
        lot_id, bidder_id = key
        data = self.data
        hours = data.hours[lot_id]
        top = self.max_providers[lot_id]
        if top is not None and self.per_lot[lot_id] >= top:
            return False
        limit = data.max_lots[bidder_id]
        if limit is not None and self.lots[bidder_id] >= limit:
            return False
        own = self.hours[bidder_id] + hours
        capacity = data.capacity[bidder_id]
        if capacity is not None and own > capacity:
            return False
        if data.tendered_cap is not None and own > data.tendered_cap:
            return False
        if data.share is not None and data.tendered_cap is None:
            if own > data.share * max(self.target_hours, self.total_hours + hours):
                return False
        per_group = self.problem.rules.max_lots_per_bidder_per_group
        if per_group is not None and self.in_group[(bidder_id, self.group_of[lot_id])] >= per_group:
            return False
        return data.budget is None or self.pence + data.pence[key] <= data.budget

    def add(self, key: Key, step: int = 1) -> None:
        """Count ``key`` in (``step=1``) or out again (``step=-1``)."""
        lot_id, bidder_id = key
        hours = self.data.hours[lot_id] * step
        self.per_lot[lot_id] += step
        self.lots[bidder_id] += step
        self.hours[bidder_id] += hours
        self.in_group[(bidder_id, self.group_of[lot_id])] += step
        self.total_hours += hours
        self.pence += self.data.pence[key] * step

    def over_share(self) -> list[str]:
        """Bidders above an awarded-hours cap, largest share first."""
        share = self.data.share
        if share is None or self.data.tendered_cap is not None:
            return []
        over = [b for b, h in self.hours.items() if h > share * self.total_hours]
        return sorted(over, key=lambda b: (-self.hours[b], b))


def greedy_award(
    problem: AwardProblem, data: IntegerData, preferred: Iterable[Key] = ()
) -> frozenset[Key]:
    """Each lot in tender order gets its best-ranked bids that fit, up to ``min_providers``.

    Bids held fixed (a withdrawal re-award) come first, whatever the rules say of them:
    the model holds them too. Then the ``preferred`` bids, in their order, each if its lot
    still has a place and it fits (a relaxation's bids, most awarded first: see
    :mod:`optimiser.solve`); then the walk.
    """
    tally = Tally(problem, data)
    chosen: set[Key] = set()
    for key in sorted(problem.fixed, key=lambda k: data.position[k]):
        tally.add(key)
        chosen.add(key)
    places = {lot.lot_id: lot.min_providers for lot in problem.lots}
    for key in preferred:
        if key not in chosen and tally.per_lot[key[0]] < places[key[0]] and tally.fits(key):
            tally.add(key)
            chosen.add(key)
    by_lot: dict[str, list[Key]] = defaultdict(list)
    for key in data.position:  # in canonical order
        by_lot[key[0]].append(key)
    for lot in problem.lots:
        for key in by_lot[lot.lot_id]:
            if tally.per_lot[lot.lot_id] >= lot.min_providers:
                break
            if key not in chosen and tally.fits(key):
                tally.add(key)
                chosen.add(key)
    # Lots left short make the awarded hours smaller than the target: drop the worst bids of
    # any bidder now above its share (never a fixed one) until none is.
    fixed = set(problem.fixed)
    while over := tally.over_share():
        mine = [k for k in chosen if k[1] == over[0] and k not in fixed]
        if not mine:
            break
        worst = max(mine, key=lambda k: data.position[k])
        tally.add(worst, -1)
        chosen.discard(worst)
    return frozenset(chosen)
