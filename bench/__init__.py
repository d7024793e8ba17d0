"""The performance benchmark: synthetic tenders of any size and a runner (``make bench``).

Not a test suite: timings are noisy and machine-bound, so nothing here asserts them. Run
``python -m bench.run --help`` for the options; results go to ``bench/results/``.
"""
