"""The one error tree of tender.

    TenderError              anything raised on purpose; exit code 1 if nothing more specific
    ├── InputError           bad input: names file, row and column; exit code 2
    ├── OutputExistsError    an output exists and --force was not given; exit code 2
    ├── OutputPathError      an output cannot go where it was asked (a file in the way); exit 2
    ├── RuleConflict         the award cannot cover the lots under vacancies = "forbid"; exit 3
    └── SolverError          the solver ended without an award to show; exit 3

The CLI maps ``exit_code`` to the process exit status; any other exception is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MAX_PROBLEMS",
    "InputError",
    "OutputExistsError",
    "OutputPathError",
    "Problem",
    "RuleConflict",
    "SolverError",
    "TenderError",
]

#: How many problems one run lists before it stops looking: enough to fix a file in one go,
#: few enough that a file with a wrong delimiter does not print a million lines.
MAX_PROBLEMS = 50


class TenderError(Exception):
    """Base of every error raised on purpose."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as a spreadsheet user would look for it.

    ``row`` is the spreadsheet row: the header is row 1, the first record row 2.
    """

    file: str
    row: int | None = None
    column: str | None = None
    message: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f": {self.column}"
        return f"{where}: {self.message}"


class InputError(TenderError):
    """The tender's input files are wrong; every problem found is in ``problems``."""

    exit_code = 2

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        problems: list[Problem] | None = None,
        truncated: bool = False,
    ) -> None:
        if problems is None:
            problems = [Problem(file or "input", row, column, message or "invalid input")]
        self.problems = problems
        self.truncated = truncated
        super().__init__(self._render())

    def __reduce__(self) -> tuple[object, tuple[list[Problem], bool]]:
        # Raised in a worker process, it comes back pickled: keep every located problem,
        # not only the rendered text (which would come back as one problem in "input").
        return _input_error, (list(self.problems), self.truncated)

    def _render(self) -> str:
        if len(self.problems) == 1 and not self.truncated:
            return str(self.problems[0])
        more = f" (stopped after the first {len(self.problems)})" if self.truncated else ""
        lines = [f"{len(self.problems)} problems found{more}:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def _input_error(problems: list[Problem], truncated: bool) -> InputError:
    return InputError(problems=problems, truncated=truncated)


class OutputExistsError(TenderError):
    """An output file or folder exists; tender never overwrites without ``--force``."""

    exit_code = 2


class OutputPathError(TenderError):
    """An output cannot be written where it was asked; tender writes nothing then.

    A file where a folder must be, a folder where a file must be, or a place the system
    refuses (no permission, a full disk). Exit code 2, as for bad input: the command line
    names a wrong place, which ``--force`` cannot put right.
    """

    exit_code = 2


class RuleConflict(TenderError):
    """The rules leave lots uncoverable while vacancies are forbidden."""

    exit_code = 3


class SolverError(TenderError):
    """The solver ended without an award (no incumbent, or an error in the solver)."""

    exit_code = 3
