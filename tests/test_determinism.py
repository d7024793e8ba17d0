"""Same input, same bytes: across processes, hash seeds, row order, and with no network."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from paths import FIXTURES

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


#: Loaded at start-up by every Python process the test starts, pool workers included (they
#: are spawned: fresh interpreters with the same environment). It logs its own loading and
#: every attempt to reach the network, then refuses it. Errors are not enough on their own:
#: WeasyPrint catches a failed fetch and logs it, so the run would still succeed.
SITECUSTOMIZE = """
import os
import socket

LOG = os.environ["TENDER_NETWORK_LOG"]


def note(line):
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {line}\\n")


def refuse(name, real=None, local_ok=False):
    def refused(*args, **kwargs):
        if local_ok and args and args[0].family == socket.AF_UNIX:
            return real(*args, **kwargs)  # a local pipe between processes is not network
        note(f"attempt {name} {args[1:] if local_ok else args!r}")
        raise OSError(f"network cut by the test: {name}")
    return refused


for name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, name, refuse(name, getattr(socket.socket, name), local_ok=True))
for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
    setattr(socket, name, refuse(name))
note("loaded")
"""


def test_whole_pipeline_runs_with_the_network_cut(mini: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": str(site), "TENDER_NETWORK_LOG": str(log)}
    # A name that would make a careless renderer fetch an image from the web.
    bidders = (mini / "bidders.csv").read_text(encoding="utf-8")
    hostile = 'Alpha <img src="http://example.invalid/x.png"> Care'
    (mini / "bidders.csv").write_text(bidders.replace("Alpha Care", hostile), encoding="utf-8")

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "tender", *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, (args, done.stderr)

    run("validate", str(mini))
    run("score", str(mini), "--out", str(tmp_path / "s"))
    run("award", str(mini), "--out", str(tmp_path / "a"))
    run("explain", str(mini))
    # The report and every letter, rendered by a pool of two spawned workers.
    run("report", str(mini), "--out", str(tmp_path / "r"), "--workers", "2", "--html")
    scenario = ["--set", "rules.max_lots_per_bidder=1"]
    run("compare", str(mini), *scenario, "--workers", "2", "--out", str(tmp_path / "c"))
    for fmt in ("xlsx", "ocds"):
        run("export", str(mini), "--format", fmt, "--out", str(tmp_path / f"e-{fmt}"))
    assert sorted(p.name for p in (tmp_path / "r" / "letters").glob("*.pdf")) == [
        "B1.pdf",
        "B2.pdf",
        "B3.pdf",
    ]
    assert (tmp_path / "c" / "compare.pdf").read_bytes().startswith(b"%PDF")
    lines = log.read_text(encoding="utf-8").splitlines()
    attempts = [line for line in lines if " attempt " in line]
    assert attempts == []
    loaded = {line.split()[0] for line in lines if line.endswith(" loaded")}
    # 8 commands, plus the report's two workers and compare's two (and their helpers).
    assert len(loaded) >= 8 + 2 + 2


def test_the_network_cut_records_an_attempt(tmp_path: Path) -> None:
    """The test above can fail: a connection from a spawned worker is caught and logged."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": str(site), "TENDER_NETWORK_LOG": str(log)}
    probe = (
        "import multiprocessing, socket\n"
        "def reach(host):\n"
        "    try:\n"
        "        socket.create_connection((host, 80), timeout=1)\n"
        "    except OSError:\n"
        "        pass\n"
        "if __name__ == '__main__':\n"
        "    with multiprocessing.get_context('spawn').Pool(1) as pool:\n"
        "        pool.map(reach, ['example.invalid'])\n"
    )
    (tmp_path / "probe.py").write_text(probe, encoding="utf-8")
    subprocess.run([sys.executable, str(tmp_path / "probe.py")], env=env, check=True)
    attempts = [line for line in log.read_text().splitlines() if " attempt " in line]
    assert len(attempts) == 1 and "example.invalid" in attempts[0]
