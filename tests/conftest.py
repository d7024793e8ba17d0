"""Shared test fixtures: paths to the shipped examples and the corpus, and --update-golden."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import MINI


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output (review the diff by eye).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the minimal valid tender."""
    import shutil

    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest
