"""Same input, same bytes: across processes, hash seeds, row order, and with no network."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import FIXTURES, MINI

from tender import cli


def award_json(folder: Path, seed: str) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "tender", "award", str(folder), "--json"],
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
        check=True,
    )
    return done.stdout


def test_award_is_independent_of_the_hash_seed() -> None:
    outputs = {award_json(FIXTURES / "htlah-2016", seed) for seed in ("0", "1", "4242")}
    assert len(outputs) == 1


def test_scores_and_award_ignore_the_order_of_bidders_bids_and_marks(tmp_path: Path) -> None:
    shuffled = tmp_path / "shuffled"
    shutil.copytree(FIXTURES / "htlah-2016", shuffled)
    rng = random.Random(7)
    for name in ("bidders.csv", "bids.csv", "marks.csv", "moderation.csv"):
        header, *rows = (shuffled / name).read_text(encoding="utf-8").splitlines()
        rng.shuffle(rows)
        (shuffled / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    for folder, out in ((FIXTURES / "htlah-2016", "a"), (shuffled, "b")):
        for command in ("score", "award"):
            result = CliRunner().invoke(
                cli.cli, [command, str(folder), "--out", str(tmp_path / out)]
            )
            assert result.exit_code == 0, result.output
    for name in ("scores.csv", "award.json", "award.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_whole_pipeline_runs_with_the_network_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("tender tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for args in (
        ["validate", str(MINI)],
        ["score", str(MINI), "--out", str(tmp_path / "s")],
        ["award", str(MINI), "--out", str(tmp_path / "a")],
        ["explain", str(MINI)],
        ["report", str(MINI), "--out", str(tmp_path / "r"), "--only", "report"],
    ):
        result = CliRunner().invoke(cli.cli, args)
        assert result.exit_code == 0, (args, result.output)
