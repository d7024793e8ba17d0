"""Every shipped example scored and awarded through the CLI, against reviewed golden files.

Regenerate with `pytest tests/cli/test_fixtures_golden.py --update-golden` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES, GOLDEN

from tender import cli
from tender.resources import example_names

EXAMPLES = example_names()


def run(*args: str):
    result = CliRunner().invoke(cli.cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def check_golden(path: Path, data: bytes, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}: run with --update-golden and review it"
    assert data == path.read_bytes(), f"{path} differs: review, then --update-golden"


def test_examples_are_shipped() -> None:
    assert {"htlah-2016", "hcl-2021", "leeds-2015", "west-leics-2017"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_score_matches_golden(name: str, tmp_path: Path, update_golden: bool) -> None:
    run("score", str(FIXTURES / name), "--out", str(tmp_path))
    check_golden(
        GOLDEN / name / "scores.csv", (tmp_path / "scores.csv").read_bytes(), update_golden
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_award_is_golden_and_identical_across_solvers(
    name: str, tmp_path: Path, update_golden: bool
) -> None:
    outputs = {}
    for solver in ("highs", "cbc"):
        out = tmp_path / solver
        run("award", str(FIXTURES / name), "--solver", solver, "--out", str(out))
        outputs[solver] = ((out / "award.json").read_bytes(), (out / "award.csv").read_bytes())
    assert outputs["highs"] == outputs["cbc"]
    award_json, award_csv = outputs["highs"]
    check_golden(GOLDEN / name / "award.json", award_json, update_golden)
    check_golden(GOLDEN / name / "award.csv", award_csv, update_golden)
