"""Writing outputs: atomically, and never over an existing file without ``force``.

Every file is first written to a temporary file in the same folder and renamed into place,
so an interrupted run leaves either the old file or the new one, never half of one. When a
command writes several files, all are checked before any is written, and if the run stops
part-way (Ctrl-C, a full disk) the files and folders it had created are removed again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from tender.errors import OutputExistsError, OutputPathError

__all__ = ["check_folder", "check_outputs", "neutralise_cell", "write_outputs"]

#: A spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a quote so a hostile text cell (``=HYPERLINK(...)``) is shown, never run.

    Numbers are written by the caller as numbers, so a negative number is not affected.
    """
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def check_folder(folder: Path) -> None:
    """Check that ``folder`` is, or can be made, a folder: no file where one of its parts is.

    Raises:
        OutputPathError: naming the file in the way.
    """
    current = folder
    while True:
        if current.exists() or current.is_symlink():
            if not current.is_dir():
                which = "it" if current == folder else str(current)
                what = "a file, not a folder" if current.is_file() else "not a folder"
                raise OutputPathError(f"cannot write into {folder}: {which} is {what}")
            return
        if current == current.parent:
            return
        current = current.parent


def check_outputs(folder: Path, names: Iterable[str], *, force: bool = False) -> list[str]:
    """The outputs among ``names`` that exist already, refused unless ``force``.

    A command that takes long to make its files calls this first, so it refuses at once.

    Raises:
        OutputExistsError: if any exists and ``force`` is false.
        OutputPathError: if a file stands where a folder must be, or a folder where a file
            must be (``--force`` replaces files, never folders).
    """
    targets = [folder / name for name in sorted(names)]
    try:
        for path in targets:
            check_folder(path.parent)
            if path.is_dir() or (path.exists() and not path.is_file()):
                kind = "a folder" if path.is_dir() else "not a regular file"
                raise OutputPathError(
                    f"cannot write {path}: it is {kind} (--force replaces files, never folders)"
                )
        existing = [str(path) for path in targets if path.exists()]
    except OSError as exc:  # a folder on the way that may not be looked into
        raise OutputPathError(f"cannot write into {folder}: {exc.strerror or exc}") from exc
    if existing and not force:
        raise OutputExistsError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "use --force to overwrite"
        )
    return existing


def write_outputs(folder: Path, files: Mapping[str, bytes], *, force: bool = False) -> list[Path]:
    """Write ``files`` (relative name -> bytes) under ``folder``.

    Raises:
        OutputExistsError: if any target exists and ``force`` is false; nothing is written then.
        OutputPathError: if a file stands where a folder must be, or a folder where a file
            must be (``--force`` replaces files, never folders); nothing is written then. Also
            when the system refuses a write (no permission, a full disk), after taking back
            what this call wrote.
    """
    targets = {name: folder / name for name in sorted(files)}
    existing = check_outputs(folder, files, force=force)
    written: list[Path] = []
    created: list[Path] = []
    path = folder
    try:
        for name, path in targets.items():
            created += _make_folder(path.parent)
            # Listed before writing: an interrupt just after the rename must still undo it.
            written.append(path)
            _write_atomic(path, files[name])
    except BaseException as exc:
        # A partial set of outputs (a report without half its letters) would pass for a
        # whole one: take back what this call added. Files replaced under force stay new.
        for done in written:
            if str(done) not in existing:
                done.unlink(missing_ok=True)
        for made in reversed(created):
            with contextlib.suppress(OSError):
                made.rmdir()
        if isinstance(exc, OSError):
            raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    return written


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, outermost first."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def _file_mode() -> int:
    """The mode ``open()`` gives a new file: mkstemp's 0600 would hide reports from the team."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
