"""Ctrl-C (SIGINT) part-way through `tender report`: exit 130, one line, nothing left behind.

The report is run in a real process and really signalled. A small driver marks the moment
to interrupt (the first PDF being rendered or done, or the first file written, which it then
holds open) so the signal lands mid-run on any machine, without sleeps in the test itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import FIXTURES, MINI

from tender.output import write_outputs

#: Runs `tender ARGS` with a marker on stderr when PHASE begins ("rendering" or "writing").
DRIVER = """
import sys, time
import tender.output as output
import tender.report as report

phase = sys.argv[1]
real_write, real_render = output._write_atomic, report._render_pdf

def write_then_hold(path, data):
    real_write(path, data)
    if phase == "writing":
        print("MARK", file=sys.stderr, flush=True)
        time.sleep(120)

def mark_render(html):
    if phase == "rendering":
        print("MARK", file=sys.stderr, flush=True)
    return real_render(html)

output._write_atomic = write_then_hold
report._render_pdf = mark_render
from tender.cli import main
sys.argv = ["tender", *sys.argv[2:]]
main()
"""


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def wait_for_mark(process: subprocess.Popen[str]) -> None:
    """Read the driver's stderr up to the line MARK, where it holds for the signal."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.strip() == "MARK":
            break
    assert seen and seen[-1].strip() == "MARK", "".join(seen)


@pytest.mark.parametrize("phase", ["rendering", "writing"])
def test_sigint_mid_report_exits_130_and_leaves_nothing(phase: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, phase, "report", str(MINI), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_mark(process)
    if phase == "writing":
        assert files_under(out), "the driver holds after the first file is written"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert files_under(out) == []  # no half-written file, no temp file, no partial set
    assert not out.exists()  # the folders the run made are gone too


#: Runs `tender ARGS` with a marker on stderr once the first PDF has come back from the pool.
POOL_DRIVER = """
import sys
import tender.publish as publish

real = publish.render_documents

def marking(pages, progress=None, **options):
    def done(key):
        print("MARK", file=sys.stderr, flush=True)
        if progress is not None:
            progress(key)
    return real(pages, done, **options)

publish.render_documents = marking
from tender.cli import main
sys.argv = ["tender", *sys.argv[1:]]
main()
"""


def test_ctrl_c_while_the_pool_renders_letters_stops_within_seconds(tmp_path: Path) -> None:
    """A terminal's Ctrl-C (the whole process group) with 30 letters still queued.

    Before, the pool rendered every queued letter before the run could stop: 17-69 s.
    """
    out = tmp_path / "out"
    args = ["report", str(FIXTURES / "htlah-2016"), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(
        [sys.executable, "-c", POOL_DRIVER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    wait_for_mark(process)
    signalled = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    elapsed = time.monotonic() - signalled
    assert process.returncode == 130, stderr
    assert elapsed < 5, f"stopped {elapsed:.1f} s after the signal"
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert not out.exists()
    assert group_gone(process.pid, within=5), "a rendering worker outlived the run"


def group_gone(group: int, *, within: float) -> bool:
    """Whether every process of ``group`` has ended (a zombie counts until init reaps it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_an_ignored_sigint_stays_ignored() -> None:
    """Started in the background (``cmd &``) or as a pool worker, SIGINT is ignored: keep it."""
    from tender.report import _interrupts_kept

    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _interrupts_kept():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # an installed handler would have raised by now
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_interrupted_write_takes_back_only_what_it_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tender.output as output

    (tmp_path / "keep.txt").write_bytes(b"mine")
    (tmp_path / "report.pdf").write_bytes(b"old")
    real = output._write_atomic
    calls = []

    def interrupt_third(path: Path, data: bytes) -> None:
        calls.append(path.name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(output, "_write_atomic", interrupt_third)
    files = {"letters/B1.pdf": b"1", "letters/B2.pdf": b"2", "report.pdf": b"new"}
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tmp_path, files, force=True)
    assert calls == ["B1.pdf", "B2.pdf", "report.pdf"]
    # The letters it created are gone with their folder; files it did not make are kept.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "report.pdf"]
    assert (tmp_path / "report.pdf").read_bytes() == b"old"


def test_a_ctrl_c_weasyprint_swallows_is_raised_when_the_document_is_done() -> None:
    import os

    from tender.report import _interrupts_kept

    before = signal.getsignal(signal.SIGINT)
    finished = []
    with pytest.raises(KeyboardInterrupt), _interrupts_kept():
        try:  # as WeasyPrint draws an SVG image: any exception is logged and dropped
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # the handler has run by now: it raised inside this try
        except BaseException:
            pass
        finished.append("the rest of the document")
    assert finished == ["the rest of the document"]
    assert signal.getsignal(signal.SIGINT) is before
