"""Start-up stays fast: the light commands never import the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest
from paths import MINI

HEAVY = ("pulp", "highspy", "pandas", "weasyprint", "matplotlib", "openpyxl")

PROBE = """
import sys
from tender.cli import cli
try:
    cli(sys.argv[1:], prog_name="tender", standalone_mode=False)
finally:
    heavy = sorted(m for m in {heavy!r} if m in sys.modules)
    print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", str(MINI)], ["score", str(MINI), "--json"]],
    ids=["help", "validate", "score"],
)
def test_light_commands_import_nothing_heavy(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "HEAVY:\n" in done.stderr, done.stderr
