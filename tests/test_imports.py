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


@pytest.mark.parametrize("args", [["--help"], ["validate", str(MINI)]], ids=["help", "validate"])
def test_importtime_shows_no_heavy_import(args: list[str]) -> None:
    # What a user profiling start-up sees: `python -X importtime -m tender --help`.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tender", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "tender.cli" in imported  # the probe does see our own imports
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert heavy == []


def test_the_command_turns_the_cyclic_collector_off() -> None:
    """The CLI does (a large award spent seconds in the collector); importing tender as a
    library leaves the caller's collector alone."""
    probe = (
        "import gc, sys\n"
        "import tender.cli\n"
        "print(gc.isenabled(), file=sys.stderr)\n"
        "sys.argv = ['tender', '--help']\n"
        "try:\n"
        "    tender.cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(gc.isenabled(), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    before, after = done.stderr.strip().splitlines()[-2:]
    assert (before, after) == ("True", "False")
