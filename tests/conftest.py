"""Shared test fixtures: paths to the shipped examples and the corpus, and --update-golden.

The bad-input corpus tests report each case to :class:`CorpusTally`; the suite ends with one
line saying how many bad inputs were tried and how they ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from paths import MINI


@dataclass
class CorpusTally:
    """How the bad inputs of this run ended, case by case (a case runs several commands)."""

    tried: set[str] = field(default_factory=set)
    unclean: set[str] = field(default_factory=set)
    tracebacks: set[str] = field(default_factory=set)
    partial: set[str] = field(default_factory=set)

    def record(self, case: str, *, clean: bool, traceback: bool, partial: bool) -> None:
        """Record one command's run on ``case``; a case is clean only if every run was."""
        self.tried.add(case)
        if not clean:
            self.unclean.add(case)
        if traceback:
            self.tracebacks.add(case)
        if partial:
            self.partial.add(case)

    def line(self) -> str:
        clean = len(self.tried - self.unclean)
        return (
            f"{len(self.tried)} bad inputs tried, {clean} rejected cleanly, "
            f"{len(self.tracebacks)} tracebacks, {len(self.partial)} partial files"
        )


_TALLY = pytest.StashKey[CorpusTally]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TALLY] = CorpusTally()


@pytest.fixture(scope="session")
def corpus_tally(request: pytest.FixtureRequest) -> CorpusTally:
    """The run's tally of bad inputs, printed at the end of the run."""
    return request.config.stash[_TALLY]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    tally = terminalreporter.config.stash.get(_TALLY, None)
    if tally is not None and tally.tried:
        terminalreporter.write_sep("-", "bad-input corpus")
        terminalreporter.write_line(tally.line())
        for label, cases in (
            ("not rejected cleanly", tally.unclean),
            ("traceback", tally.tracebacks),
            ("partial files", tally.partial),
        ):
            if cases:
                terminalreporter.write_line(f"  {label}: {', '.join(sorted(cases))}")


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
