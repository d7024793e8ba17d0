from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tender.errors import OutputExistsError
from tender.output import neutralise_cell, write_outputs


def test_writes_files_and_creates_the_folder(tmp_path: Path) -> None:
    written = write_outputs(tmp_path / "out", {"a.csv": b"x\n", "b.json": b"{}\n"})
    assert [p.name for p in written] == ["a.csv", "b.json"]
    assert (tmp_path / "out" / "a.csv").read_bytes() == b"x\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.csv", "b.json"]


def test_never_overwrites_without_force_and_writes_nothing_then(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b"old")
    with pytest.raises(OutputExistsError, match=r"b\.json already exists; use --force"):
        write_outputs(tmp_path, {"a.csv": b"new", "b.json": b"new"})
    assert not (tmp_path / "a.csv").exists()
    assert (tmp_path / "b.json").read_bytes() == b"old"
    write_outputs(tmp_path, {"a.csv": b"new", "b.json": b"new"}, force=True)
    assert (tmp_path / "b.json").read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.csv").write_bytes(b"old")

    def fail(self, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tmp_path, {"a.csv": b"new"}, force=True)
    assert (tmp_path / "a.csv").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+44 1234", "'+44 1234"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Brook Lane Care", "Brook Lane Care"),
    ],
)
def test_formula_cells_are_neutralised(cell: str, shown: str) -> None:
    assert neutralise_cell(cell) == shown


def test_outputs_get_the_mode_a_plain_open_would_give(tmp_path: Path) -> None:
    # mkstemp makes 0600 files: a report the rest of the team could not open.
    old = os.umask(0o022)
    try:
        (path,) = write_outputs(tmp_path, {"report.pdf": b"x"})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
