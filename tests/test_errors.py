"""The error tree: messages and what survives a process pool."""

from __future__ import annotations

import pickle

from tender.errors import InputError, Problem


def test_input_error_comes_back_from_a_worker_with_every_problem() -> None:
    problems = [Problem("bids.csv", 7, "rate", "not a number: 'abc'"), Problem("lots.csv", 3)]
    error = InputError(problems=problems, truncated=True)
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, InputError)
    assert back.problems == problems
    assert back.truncated
    assert str(back) == str(error)
    assert str(back).splitlines()[1] == "  bids.csv:7: rate: not a number: 'abc'"
    assert back.exit_code == 2
