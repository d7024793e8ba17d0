"""The one module that knows where package data lives (templates and example fixtures)."""

from __future__ import annotations

import shutil
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from tender.errors import InputError

__all__ = ["copy_example", "example_names", "template_text", "write_blank_tender"]

_FIXTURE_FILES = (".toml", ".csv", ".md")


def _fixtures() -> Traversable:
    return resources.files("tender.fixtures")


def example_names() -> list[str]:
    """The example tenders shipped with the package, sorted."""
    return sorted(
        entry.name
        for entry in _fixtures().iterdir()
        if entry.is_dir() and entry.joinpath("tender.toml").is_file()
    )


def copy_example(name: str, dest: Path) -> None:
    """Copy the example tender ``name`` into the new folder ``dest``.

    Raises:
        InputError: if there is no such example.
    """
    source = _fixtures().joinpath(name)
    if name not in example_names():
        known = ", ".join(example_names())
        raise InputError(f"no example called {name!r} (examples: {known})", file=name)
    _copy_tree(source, dest)


def _copy_tree(source: Traversable, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if not entry.name.startswith("__"):
                _copy_tree(entry, dest / entry.name)
        elif entry.name.endswith(_FIXTURE_FILES):
            with resources.as_file(entry) as path:
                shutil.copyfile(path, dest / entry.name)


def template_text(name: str) -> str:
    """The text of a template or stylesheet shipped in ``tender.templates``."""
    entry = resources.files("tender.templates").joinpath(name)
    if not entry.is_file():
        raise FileNotFoundError(f"tender.templates/{name}")
    return entry.read_text(encoding="utf-8")


def write_blank_tender(dest: Path) -> None:
    """Write a commented tender.toml and CSV files holding only their header rows."""
    from tender.load import CSV_FILES

    dest.mkdir(parents=True, exist_ok=True)
    (dest / "tender.toml").write_text(template_text("blank-tender.toml"), encoding="utf-8")
    for name, spec in CSV_FILES.items():
        (dest / name).write_text(",".join(spec.columns) + "\n", encoding="utf-8")
