from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import MINI

from tender import cli
from tender.errors import OutputExistsError, OutputPathError
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


# --- outputs that cannot go where they were asked: exit 2, nothing written -----------------


def run(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def assert_refused(result, fragment: str) -> None:
    """Exit 2 with a plain message: the place is wrong, not tender."""
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: "), result.output
    assert fragment in result.output, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_out_naming_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("award", str(MINI), "--out", str(tmp_path / "notes.txt"))
    assert_refused(result, f"cannot write into {tmp_path / 'notes.txt'}: it is a file")
    result = run("score", str(MINI), "--out", str(tmp_path / "notes.txt" / "sub"))
    assert_refused(result, f"{tmp_path / 'notes.txt'} is a file, not a folder")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_where_an_output_file_goes(tmp_path: Path, force: bool) -> None:
    (tmp_path / "award.json").mkdir()
    args = ["award", str(MINI), "--out", str(tmp_path)] + (["--force"] if force else [])
    result = run(*args)
    assert_refused(result, f"cannot write {tmp_path / 'award.json'}: it is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["award.json"]


def test_init_into_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "my-tender"
    target.write_text("mine")
    for args in (["init", str(target)], ["init", "--force", str(target)]):
        assert_refused(run(*args), f"{target} is a file: tender init writes a tender folder")
    assert_refused(run("init", str(target / "sub")), f"{target} is a file, not a folder")
    assert target.read_text() == "mine"


def test_init_xlsx_onto_a_folder(tmp_path: Path) -> None:
    (tmp_path / "t.xlsx").mkdir()
    result = run("init", "--xlsx", str(tmp_path / "t.xlsx"), "--force")
    assert_refused(result, "it is a folder (--force replaces files, never folders)")


def test_convert_to_a_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "copy").write_text("mine")
    assert_refused(run("convert", str(MINI), str(tmp_path / "copy")), "it is a file")


def test_a_write_the_system_refuses_is_an_output_error_and_undone(
    tmp_path: Path, monkeypatch
) -> None:
    """No permission or a full disk: exit 2 naming the file, and nothing left behind."""
    import errno

    from tender import output

    real = output._write_atomic

    def refuse(path: Path, data: bytes) -> None:
        if path.name == "b.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(output, "_write_atomic", refuse)
    with pytest.raises(OutputPathError, match=r"b\.json: No space left on device") as info:
        write_outputs(tmp_path / "out", {"a.csv": b"x", "b.json": b"y"})
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists()
