"""Measure one benchmark configuration, step by step, in a process of its own.

``python -m bench.measure CONFIG.json RESULT.json`` is what :mod:`bench.run` starts, once
per configuration, so each gets a fresh interpreter and its own peak memory
(``ru_maxrss``). The steps, in order:

1. ``load`` (``tender.load.load_tender``), ``score`` (``score_tender``) and ``problem``
   (``optimiser.build_problem``);
2. ``award_<solver>``: ``tender.award.make_award`` with each solver (given the scores, so
   the columns add up), then ``write`` (``award.csv`` as ``tender award --out`` writes it);
   ``peak_mb`` is the most memory the process group (this process, where HiGHS runs, and
   any CBC process) held during load, score and the awards, sampled every 0.2 s;
3. ``report`` (the examples only): ``tender.publish.build_documents``, what ``tender report``
   does once the tender is loaded (score, award, explanations, charts, the report and every
   letter); and, for HTLAH, the same HTML rendered by WeasyPrint directly, one document
   after another (``weasyprint``);
4. ``greedy`` (:mod:`bench.greedy`), right after the first award so that a configuration
   stopped later still has its gap; then ``model`` (``AwardModel.build``), ``mps`` (the raw
   floor's file) and the raw solves (:mod:`bench.raw`).

The result file is rewritten after every step, and names the step under way, so a
configuration that the runner stops (time or memory) still reports what it finished.
A Python step that takes longer than the time limit is stopped by an alarm and recorded as
``time limit``; each solve is bounded by its own limit (the alarm is only a safety net).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import re
import resource
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Config", "group_rss_mb", "main", "measure"]

#: A solve may overrun its limit (model transfer, levels after the limit); past this many
#: limits the alarm stops it so that one configuration cannot hold up the whole run.
SOLVE_ALARM_FACTOR = 3


@dataclass(frozen=True)
class Config:
    """One row of the benchmark table.

    Attributes:
        name: The row's name (``htlah``, ``200x100-binding-tendered``).
        size: ``htlah``, ``hcl`` or ``LOTSxBIDDERS``.
        folder: The tender folder.
        share_cap: ``shipped``, ``slack`` or ``binding`` (or the share typed).
        share_basis: ``tendered`` or ``awarded`` (``-`` without a cap).
        solvers: Solvers for ``make_award`` and the raw floor.
        time_limit: Seconds per solve.
        report: Whether to render the report and letters.
        weasyprint: Whether to time WeasyPrint alone on the same HTML too.
        raw_cbc: Whether to solve the raw floor with CBC too.
        only_award: Stop after the awards (no report, greedy or raw floor).
    """

    name: str
    size: str
    folder: str
    share_cap: str
    share_basis: str
    solvers: tuple[str, ...]
    time_limit: float
    report: bool = False
    weasyprint: bool = False
    raw_cbc: bool = True
    only_award: bool = False


class StepTimeout(Exception):
    """A step ran past its alarm."""


def _alarm(signum: int, frame: Any) -> None:
    raise StepTimeout


def _rss_mb(who: int) -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(who).ru_maxrss / 1024


def group_rss_mb(group: int) -> float:
    """Resident memory of every process in the process group ``group``, in MB (Linux).

    The measuring process and the CBC processes it starts share a group, so this is the
    memory a configuration holds at one moment. (``RUSAGE_CHILDREN`` cannot tell CBC's
    size: a forked child's ``ru_maxrss`` includes the parent's pages from before ``exec``.)
    """
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # The fields after the command name (which may hold spaces): state ppid pgrp...
            if int(stat[stat.rindex(")") + 2 :].split()[2]) != group:
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        found = re.search(r"^VmRSS:\s*(\d+)\s*kB", status, re.MULTILINE)
        total += int(found.group(1)) if found else 0
    return total / 1024


class _Sampler(threading.Thread):
    """Samples this process group's memory; :meth:`take` gives the peak since the last take."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.peak = 0.0
        self.lock = threading.Lock()

    def run(self) -> None:
        group = os.getpgrp()
        while True:
            rss = group_rss_mb(group)
            with self.lock:
                self.peak = max(self.peak, rss)
            time.sleep(self.every)

    def take(self) -> float:
        with self.lock:
            peak, self.peak = self.peak, 0.0
        return max(peak, group_rss_mb(os.getpgrp()))


@dataclass
class _Recorder:
    """Steps as they finish, saved to ``path`` after each one."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    sampler: _Sampler = field(default_factory=_Sampler)

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    @contextmanager
    def step(self, name: str, limit: float) -> Iterator[dict[str, Any]]:
        """Time a step, stop it after ``limit`` seconds, and record how it ended."""
        record: dict[str, Any] = {"status": "running"}
        self.data.setdefault("steps", {})[name] = record
        self.data["running"] = name
        self.save()
        self.sampler.take()
        signal.setitimer(signal.ITIMER_REAL, limit)
        start = time.perf_counter()
        try:
            yield record
            record["status"] = "ok"
        except StepTimeout:
            record["status"] = "time limit"
        except Exception as exc:
            record["status"] = f"error: {type(exc).__name__}: {exc}"[:300]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            record["seconds"] = time.perf_counter() - start
            record["peak_mb"] = self.sampler.take()
            record["maxrss_mb"] = _rss_mb(resource.RUSAGE_SELF)
            # Above about 1 on this benchmark's one-process steps, something else was running.
            record["load_avg"] = os.getloadavg()[0]
            self.data["running"] = None
            self.save()

    def ok(self, name: str) -> bool:
        return self.data.get("steps", {}).get(name, {}).get("status") == "ok"


def _load(config: Config, rec: _Recorder) -> Any:
    import tender.load
    from tender.errors import InputError

    with rec.step("load", config.time_limit) as step:
        try:
            return tender.load.load_tender(Path(config.folder))
        except InputError as exc:
            if "too many rows" not in str(exc):
                raise
            # The loader refuses files over MAX_ROWS rows; the benchmark measures the rest
            # anyway, with the limit lifted in this process only, and says so.
            step["refused"] = str(exc).splitlines()[-1].strip()[:200]
            tender.load.MAX_ROWS = 10**9  # type: ignore[misc]
            return tender.load.load_tender(Path(config.folder))
    return None


def _award_record(award: Any, seconds: float, time_limit: float) -> dict[str, Any]:
    result = award.result
    levels = [level.model_dump(mode="json") for level in result.solver.levels]
    score_level = next((lv["value"] for lv in levels if lv["level"] == "score"), None)
    return {
        "status": result.status.value,
        "proven": award.proven,
        "gap": result.solver.gap,
        "score": result.objective.score,
        "vacancies": result.objective.vacancies,
        "shortfall": result.objective.group_shortfall,
        "score_level": score_level,
        "levels": levels,
        "over_limit": max(0.0, seconds - time_limit),
        "version": result.solver.version,
    }


def _awards(
    config: Config, rec: _Recorder, tender: Any, scores: Any, award_problem: Any, out: Path
) -> Any:
    """Each solver's award (the one ``auto`` picks first), then ``award.csv`` of the first."""
    from tender.award import make_award
    from tender.export.award import award_csv

    kept = None
    limit = config.time_limit
    solvers = list(config.solvers)
    # The solver ``--solver auto`` would pick runs first (where the optimiser has one).
    choose = getattr(importlib.import_module("optimiser.solve"), "choose_solver", None)
    if choose is not None:
        rec.data["auto_solver"] = choose(award_problem)
        solvers.sort(key=lambda s: s != rec.data["auto_solver"])
    for solver in solvers:
        name = f"award_{solver}"
        with rec.step(name, SOLVE_ALARM_FACTOR * limit + 60) as step:
            start = time.perf_counter()
            award = make_award(tender, solver=solver, time_limit=limit, scores=scores)
            step.update(_award_record(award, time.perf_counter() - start, limit))
            if kept is None:
                kept = award
        if kept is not None and "write" not in rec.data["steps"]:
            with rec.step("write", limit):
                (out / "award.csv").write_bytes(award_csv(kept))
            if not config.only_award:
                # Next to the first award, so that a run stopped later still has its gap.
                _greedy(config, rec, award_problem)
    # The pipeline's peak: this process (HiGHS runs in it) and any CBC process at once.
    steps = rec.data["steps"]
    sampled = [steps[n]["peak_mb"] for n in ("load", "score", "problem", "write") if n in steps]
    sampled += [steps[f"award_{s}"]["peak_mb"] for s in config.solvers]
    rec.data["peak_mb"] = max([*sampled, _rss_mb(resource.RUSAGE_SELF)])
    return kept


def _report(config: Config, rec: _Recorder, tender: Any) -> None:
    """``tender report``'s work after loading: award, explanations, report and letters."""
    from tender.publish import build_documents

    limit = config.time_limit
    with rec.step("report", SOLVE_ALARM_FACTOR * limit + 600) as step:
        files, proven = build_documents(
            tender, time_limit=limit, with_html=True, command="python -m bench.run"
        )
        step["pdfs"] = sum(1 for name in files if name.endswith(".pdf"))
        step["proven"] = proven
    if config.weasyprint and rec.ok("report"):
        pages = [data.decode("utf-8") for name, data in files.items() if name.endswith(".html")]
        with rec.step("weasyprint", 600) as step:
            step["documents"] = len(pages)
            _weasyprint(pages)


def _weasyprint(pages: list[str]) -> None:
    """Each page rendered by WeasyPrint directly, one after another (the floor)."""
    # The benchmark measures WeasyPrint itself, so it imports it outside tender/report.py.
    from weasyprint import HTML  # noqa: TID251

    from tender.report import PACKAGE_URL, PackageFetcher

    for html in pages:
        HTML(string=html, base_url=PACKAGE_URL, url_fetcher=PackageFetcher()).write_pdf(
            pdf_tags=True, custom_metadata=False
        )


def _greedy(config: Config, rec: _Recorder, problem: Any) -> None:
    """The spreadsheet-style award (:mod:`bench.greedy`), valued as the optimiser values it."""
    from bench.greedy import greedy_award

    with rec.step("greedy", config.time_limit) as step:
        greedy = greedy_award(problem)
        step.update(asdict(greedy))
        del step["awarded"]
        step["violations"] = list(greedy.violations)[:5]


def _floor(config: Config, rec: _Recorder, problem: Any, out: Path) -> None:
    from bench.raw import solve_raw_cbc, solve_raw_highs, write_score_mps
    from optimiser.model import AwardModel

    limit = config.time_limit
    model = None
    with rec.step("model", limit) as step:
        model = AwardModel.build(problem)
        step["variables"] = len(model.columns)
        step["rows"] = len(model.rows)
        step["nonzeros"] = sum(len(row.expression) for _, row in model.rows)
    if not rec.ok("model") or model is None:
        return
    mps = out / "score.mps"
    with rec.step("mps", limit):
        write_score_mps(model, mps)
    del model
    gc.collect()
    if not rec.ok("mps"):
        return
    solves: list[tuple[str, Callable[..., Any]]] = []
    if "highs" in config.solvers:
        solves.append(("raw_highs", solve_raw_highs))
    if "cbc" in config.solvers and config.raw_cbc:
        solves.append(("raw_cbc", solve_raw_cbc))
    for name, solve in solves:
        with rec.step(name, SOLVE_ALARM_FACTOR * limit + 60) as step:
            step.update(solve(mps, time_limit=limit).as_dict())


def measure(config: Config, result: Path) -> dict[str, Any]:
    """Run every step of ``config``, saving the results to ``result`` as they come.

    Args:
        config: The configuration.
        result: The JSON file to (re)write after each step.

    Returns:
        The results, as saved.
    """
    rec = _Recorder(result, {"config": asdict(config), "steps": {}, "running": None})
    rec.sampler.start()
    signal.signal(signal.SIGALRM, _alarm)
    start = time.perf_counter()
    with rec.step("import", config.time_limit):
        importlib.import_module("tender.award")
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        out = Path(scratch)
        tender = _load(config, rec)
        scores = problem = award = None
        if tender is not None:
            from optimiser import build_problem
            from tender.scoring import score_tender

            rec.data["counts"] = {
                "lots": len(tender.lots),
                "bidders": len(tender.bidders),
                "bids": len(tender.bids),
            }
            with rec.step("score", config.time_limit):
                scores = score_tender(tender)
        if scores is not None:
            with rec.step("problem", config.time_limit) as step:
                problem = build_problem(tender, scores)
                step["candidates"] = len(problem.candidates)
        if problem is not None:
            award = _awards(config, rec, tender, scores, problem, out)
            del award
            if config.report and not config.only_award:
                _report(config, rec, tender)
            if not config.only_award:
                _floor(config, rec, problem, out)
    rec.data["seconds"] = time.perf_counter() - start
    rec.data["maxrss_mb"] = _rss_mb(resource.RUSAGE_SELF)
    rec.data["done"] = True
    rec.save()
    return rec.data


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.measure CONFIG.json RESULT.json``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.split("\n")[0], file=sys.stderr)
        print("usage: python -m bench.measure CONFIG.json RESULT.json", file=sys.stderr)
        return 2
    raw = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    raw["solvers"] = tuple(raw["solvers"])
    # As ``tender`` does: the pipeline measured is the CLI's.
    from tender.runtime import tune_garbage_collector

    tune_garbage_collector()
    measure(Config(**raw), Path(args[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
