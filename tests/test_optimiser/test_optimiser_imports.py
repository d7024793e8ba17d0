"""The optimiser's import boundary: it knows nothing of click, templates, PDFs, pandas or rich."""

from __future__ import annotations

import subprocess
import sys

#: What the design keeps out of ``optimiser/`` (the CLI, Jinja, WeasyPrint, tables, terminal).
BANNED = ("click", "jinja2", "weasyprint", "pandas", "rich")

#: Prints which of the packages named on the command line were loaded.
LISTING = """
import sys
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print("BANNED:" + ",".join(loaded))
"""

# Solve and explain a tiny award in a fresh interpreter, so that imports done lazily inside
# functions are caught too, then list any banned top-level package that got loaded.
PROBE = """
from optimiser import AwardLot, AwardBidder, AwardProblem, Candidate, explain_award, solve_award
from tender.models import Rules

problem = AwardProblem(
    lots=(AwardLot(lot_id="L1", group="G", hours_per_week=10),
          AwardLot(lot_id="L2", group="G", hours_per_week=20)),
    bidders=(AwardBidder(bidder_id="A", capacity_hours_per_week=25), AwardBidder(bidder_id="B")),
    candidates=(
        Candidate(bidder_id="A", lot_id="L1", score=90, rate=16, rank=1),
        Candidate(bidder_id="B", lot_id="L1", score=80, rate=16, rank=2),
        Candidate(bidder_id="A", lot_id="L2", score=90, rate=16, rank=1),
        Candidate(bidder_id="B", lot_id="L2", score=80, rate=16, rank=2),
    ),
    rules=Rules(max_lots_per_bidder=1, budget_per_year=100_000),
    currency="GBP",
)
result = solve_award(problem, solver="highs")
explanation = explain_award(problem, result, solver="cbc")
assert result.awarded and explanation.rule_costs
"""


def loaded(code: str, *packages: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code + LISTING, *packages],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_optimiser_imports_no_cli_report_or_table_library() -> None:
    assert loaded(PROBE, *BANNED) == "BANNED:"


def test_the_probe_does_see_a_banned_import() -> None:
    # The same listing after a module that does import one: the test above is not vacuous.
    assert loaded("import tender.console\n", *BANNED) == "BANNED:rich"
