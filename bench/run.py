"""The performance benchmark: ``make bench`` (``python -m bench.run``) prints one table.

One row per configuration: the shipped HTLAH and HCL examples (as shipped, and with the
share cap on the other basis), and seeded synthetic tenders of 200 x 100, 1000 x 500 and
2000 x 1000 lots x bidders (:mod:`bench.generate`, bid density 0.3) with a slack or a
binding share cap, on tendered or awarded hours. Each configuration runs in a fresh
process (:mod:`bench.measure`): load, score, the award with each solver, the report and
letters (examples only), a greedy award (:mod:`bench.greedy`) and the raw floor, the same
matrix solved straight by HiGHS and CBC (:mod:`bench.raw`). Below the table, each goal of
issue 10 is printed as MET or NOT MET with the measured number (:mod:`bench.summary`).

Nothing is asserted: timings are noisy and machine-bound. ``--out`` (default
``bench/results``) keeps the table as ``<UTC date>-<machine tag>.md`` and the raw numbers
with a machine description as ``.json``.

How long it takes, on the 2-core machine of ``bench/results/`` with the default 120 s per
solve: about 70 minutes for all sizes (most of it 1000 x 500 and 2000 x 1000, where solves
run to their limits), about 6 minutes with ``--quick``; ``--budget`` (default 90 minutes)
stops it sooner, reporting what was left as not run. A configuration that runs out of
time in a step records ``time limit`` and the run carries on; one that uses more than
``--memory-limit`` MB is stopped and records ``memory limit``.

Options: ``--sizes htlah,hcl,200x100,1000x500,2000x1000`` (default all), ``--quick``
(htlah, hcl, 200x100), ``--time-limit SECONDS`` (per solve), ``--solvers highs,cbc``,
``--out DIR``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.generate import TenderSpec, generate_tender, set_rules
from bench.machine import describe, machine_tag
from bench.measure import Config, group_rss_mb
from bench.summary import goals, markdown_table

__all__ = ["PEAK_DRIVER", "configurations", "main", "run_config"]

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("htlah", "hcl", "200x100", "1000x500", "2000x1000")
QUICK = ("htlah", "hcl", "200x100")

#: Shipped examples: (example name, share cap of the variants; the as-shipped run first).
EXAMPLES = {"htlah": ("htlah-2016", 0.15), "hcl": ("hcl-2021", 0.15)}

#: The solver limit for the awarded-basis goal (a gap within 60 s, everything included).
AWARDED_LIMIT = 57.0

#: The sweep goal: 100 quality weights under one price method, each an award solve.
SWEEP_ARGS = ("--weights", "100:1:1", "--method", "lowest_ratio")


def _example_configs(
    size: str, scratch: Path, solvers: tuple[str, ...], time_limit: float
) -> list[Config]:
    from tender.resources import copy_example

    name, share = EXAMPLES[size]
    shipped = scratch / size
    copy_example(name, shipped)
    text = (shipped / "tender.toml").read_text(encoding="utf-8")
    found = re.search(r"^max_share_of_hours\s*=\s*([0-9.]+)", text, re.MULTILINE)
    basis = re.search(r'^share_basis\s*=\s*"(\w+)"', text, re.MULTILINE)
    shipped_basis = (basis.group(1) if basis else "tendered") if found else None
    configs = [
        Config(
            name=size,
            size=size,
            folder=str(shipped),
            share_cap=f"shipped {found.group(1)}" if found else "shipped none",
            share_basis=shipped_basis or "-",
            solvers=solvers,
            time_limit=time_limit,
            report=True,
            weasyprint=size == "htlah",
        )
    ]
    for variant in ("tendered", "awarded"):
        if variant == shipped_basis:
            continue
        folder = scratch / f"{size}-{variant}"
        copy_example(name, folder)
        set_rules(folder, share=share, basis=variant)
        configs.append(
            Config(
                name=f"{size}-{variant}",
                size=size,
                folder=str(folder),
                share_cap=f"{share:g}",
                share_basis=variant,
                solvers=solvers,
                time_limit=time_limit,
            )
        )
    return configs


def _generated_configs(
    size: str, scratch: Path, solvers: tuple[str, ...], time_limit: float
) -> list[Config]:
    lots, bidders = (int(n) for n in size.split("x"))
    configs = []
    for cap in ("slack", "binding"):
        for basis in ("tendered", "awarded"):
            spec = TenderSpec(lots=lots, bidders=bidders, share_cap=cap, share_basis=basis)
            folder = generate_tender(scratch / spec.name, spec)
            configs.append(
                Config(
                    name=spec.name,
                    size=size,
                    folder=str(folder),
                    share_cap=cap,
                    share_basis=basis,
                    solvers=solvers,
                    time_limit=time_limit,
                )
            )
    return configs


def configurations(
    sizes: Sequence[str], scratch: Path, *, solvers: tuple[str, ...], time_limit: float
) -> list[Config]:
    """Write every tender the sizes need into ``scratch`` and describe each run.

    Args:
        sizes: ``htlah``, ``hcl`` and ``LOTSxBIDDERS`` sizes, in run order.
        scratch: A folder for the tenders (generated ones are seeded: the same every run).
        solvers: Solvers for each award and raw solve.
        time_limit: Seconds per solve.

    Returns:
        The configurations, in run order.
    """
    configs: list[Config] = []
    for size in sizes:
        if size in EXAMPLES:
            configs += _example_configs(size, scratch, solvers, time_limit)
        else:
            configs += _generated_configs(size, scratch, solvers, time_limit)
    return configs


# --- running one configuration ---------------------------------------------------------------


def _kill_group(group: int) -> None:
    # Only the group this runner started: the child and the solvers it ran.
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_config(
    config: Config, scratch: Path, *, memory_limit_mb: float, deadline: float | None = None
) -> dict[str, Any]:
    """Measure ``config`` in a fresh process, watching its memory.

    Args:
        config: The configuration.
        scratch: A folder for the child's files.
        memory_limit_mb: Stop the child (and its solver processes) above this much memory.
        deadline: ``time.monotonic()`` at which to stop the child (the run's budget).

    Returns:
        The child's results, with ``stopped`` set when the runner had to stop it.
    """
    config_file = scratch / f"{config.name}.config.json"
    result_file = scratch / f"{config.name}.result.json"
    log_file = scratch / f"{config.name}.log"
    config_file.write_text(json.dumps(asdict(config)), encoding="utf-8")
    # Every step has its own alarm; this bounds a child that ignores them.
    own = time.monotonic() + 16 * config.time_limit + 600
    budget = deadline is not None and deadline < own
    deadline = min(own, deadline) if deadline is not None else own
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    stopped = None
    peak = 0.0
    with log_file.open("wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.measure", str(config_file), str(result_file)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while child.poll() is None:
                rss = group_rss_mb(child.pid)
                peak = max(peak, rss)
                if rss > memory_limit_mb:
                    stopped = f"memory limit ({memory_limit_mb:,.0f} MB)"
                elif time.monotonic() > deadline:
                    stopped = "stopped (run budget)" if budget else "stopped (took too long)"
                if stopped:
                    _kill_group(child.pid)
                    child.wait()
                    break
                time.sleep(0.5)
        finally:
            _kill_group(child.pid)
    result: dict[str, Any] = {"config": asdict(config), "steps": {}}
    if result_file.exists():
        result = json.loads(result_file.read_text(encoding="utf-8"))
    result["group_peak_mb"] = peak
    result["exit"] = child.returncode
    if stopped:
        result["stopped"] = stopped
    elif not result.get("done"):
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-600:]
        result["stopped"] = f"crashed (exit {child.returncode})"
        result["log_tail"] = tail
    return result


# --- one-off measurements for the goals ------------------------------------------------------


def _timed(
    command: Sequence[str], *, cwd: Path = ROOT, timeout: float, stderr_kept: bool = False
) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            list(command),
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
        code = done.returncode
        stderr = done.stderr.decode("utf-8", "replace")
        error = stderr[-300:] if code not in (0, 4) else ""
    except subprocess.TimeoutExpired:
        code, error, stderr = -1, f"stopped after {timeout:g} s", ""
    found = {
        "seconds": time.perf_counter() - start,
        "exit": code,
        "command": " ".join(command),
        "error": error,
    }
    if stderr_kept:
        found["stderr"] = stderr[-1000:]
    return found


def _tender_bin() -> str:
    return str(Path(sys.executable).with_name("tender"))


def probe_help(timeout: float) -> dict[str, Any]:
    """``tender --help``: the best wall time of five runs."""
    runs = [_timed([_tender_bin(), "--help"], timeout=timeout) for _ in range(5)]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "all": [r["seconds"] for r in runs]}


def probe_demo(scratch: Path, timeout: float) -> dict[str, Any]:
    """``make demo`` into a scratch folder, wall time, without the install step.

    ``-o .venv/.installed`` keeps make from re-running the install when pyproject.toml is
    newer than its stamp: the goal is the demo's own time on a machine already set up.
    """
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "demo"]
    return _timed([*command, f"DEMO_OUT={scratch / 'demo'}"], timeout=timeout)


def probe_sweep(folder: Path, time_limit: float, timeout: float) -> dict[str, Any]:
    """``tender sensitivity`` over 100 quality weights on the HTLAH example."""
    command = [_tender_bin(), "sensitivity", str(folder), *SWEEP_ARGS]
    found = _timed([*command, "--time-limit", f"{time_limit:g}"], timeout=timeout)
    found["command"] = "tender sensitivity htlah-2016 " + " ".join(SWEEP_ARGS)
    return found


#: Runs the ``tender`` command line in a fresh interpreter and prints that process's peak
#: resident memory to stderr. VmHWM, not getrusage: Linux carries ru_maxrss across exec, so
#: a child of a big process would report the parent's peak (the tests use it too).
PEAK_DRIVER = """
import re, resource, sys
from pathlib import Path
from tender.cli import main
sys.argv = ["tender", *sys.argv[1:]]
try:
    main()
finally:
    status = Path("/proc/self/status")
    found = re.search(r"VmHWM:\\s+(\\d+) kB", status.read_text()) if status.exists() else None
    peak = int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"PEAK_KIB={peak}", file=sys.stderr)
"""


def probe_cli_award(folder: Path, out: Path, time_limit: float, timeout: float) -> dict[str, Any]:
    """``tender award DIR --out OUT`` as a user runs it (default solver): wall time, peak."""
    command = [sys.executable, "-c", PEAK_DRIVER, "award", str(folder), "--out", str(out)]
    found = _timed([*command, "--time-limit", f"{time_limit:g}"], timeout=timeout, stderr_kept=True)
    peak = re.search(r"PEAK_KIB=(\d+)", found.pop("stderr", ""))
    found["peak_mb"] = int(peak.group(1)) / 1024 if peak else None
    found["command"] = f"tender award {folder} --out {out} --time-limit {time_limit:g}"
    report = out / "solver.json"
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        found["solver"] = data.get("solver")
        found["status"] = data.get("status")
    return found


# --- the run ---------------------------------------------------------------------------------

#: Run order: what the goals need first, so that a run cut short by ``--budget`` still
#: answers them; the other configurations follow in table order.
FIRST = (
    "htlah",
    "hcl",
    "probe:help",
    "probe:demo",
    "probe:sweep",
    "200x100-slack-tendered",
    "200x100-binding-tendered",
    "200x100-binding-awarded",
    "probe:awarded_60",
    "1000x500-slack-tendered",
    "probe:cli_award",
    "2000x1000-slack-tendered",
    "probe:cli_big",
)

#: The configuration each probe needs.
PROBE_NEEDS = {
    "probe:help": "htlah",
    "probe:demo": "htlah",
    "probe:sweep": "htlah",
    "probe:awarded_60": "200x100-binding-awarded",
    "probe:cli_award": "1000x500-slack-tendered",
    "probe:cli_big": "2000x1000-slack-tendered",
}


def schedule(names: Sequence[str]) -> list[str]:
    """The order to run configurations (by name) and probes (``probe:...``) in.

    Args:
        names: The configurations, in table order.

    Returns:
        The goals' configurations and probes first, then the rest.
    """
    present = set(names)
    first = [n for n in FIRST if (PROBE_NEEDS[n] in present if n in PROBE_NEEDS else n in present)]
    return first + [n for n in names if n not in first]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n")[0] if __doc__ else None
    )
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated (default: all)")
    parser.add_argument("--quick", action="store_true", help="htlah, hcl and 200x100 only")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve")
    parser.add_argument("--solvers", default="highs,cbc", help="comma-separated")
    parser.add_argument(
        "--budget",
        type=float,
        default=90.0,
        help="minutes for the whole run; what is left then is reported as not run (0: none)",
    )
    parser.add_argument("--memory-limit", type=float, default=8192.0, help="MB per configuration")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    sizes = list(QUICK) if args.quick else [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if size not in EXAMPLES and not re.fullmatch(r"\d+x\d+", size):
            parser.error(f"unknown size {size!r}: use htlah, hcl or LOTSxBIDDERS")
    solvers = tuple(s.strip() for s in args.solvers.split(",") if s.strip())
    if not solvers or any(s not in ("highs", "cbc") for s in solvers):
        parser.error("--solvers takes highs, cbc or both")
    args.sizes = sizes
    args.solvers = tuple(sorted(set(solvers), key=("highs", "cbc").index))
    return args


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class _Run:
    """One benchmark run: its configurations, results and probes, within a budget."""

    args: argparse.Namespace
    scratch: Path
    configs: dict[str, Config]
    end: float | None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    probes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def left(self, wanted: float) -> float:
        """Seconds a task may take: ``wanted``, or less if the budget ends sooner."""
        if self.end is None:
            return wanted
        return max(0.0, min(wanted, self.end - time.monotonic()))

    def config(self, name: str) -> None:
        config = self.configs[name]
        start = time.perf_counter()
        result = run_config(
            config, self.scratch, memory_limit_mb=self.args.memory_limit, deadline=self.end
        )
        self.results[name] = result
        note = f" ({result['stopped']})" if result.get("stopped") else ""
        _say(f"    {time.perf_counter() - start:.0f} s{note}")

    def probe(self, name: str) -> None:
        limit = self.args.time_limit
        if name == "probe:help":
            self.probes["help"] = probe_help(self.left(60))
        elif name == "probe:demo":
            self.probes["demo"] = probe_demo(self.scratch, self.left(600))
        elif name == "probe:sweep":
            folder = Path(self.configs["htlah"].folder)
            self.probes["sweep"] = probe_sweep(folder, limit, self.left(1800))
        elif name == "probe:awarded_60":
            # The goal is a gap within 60 s: the award again, its solver limit leaving room
            # for load, score and the model (about a second here), as a user would set it.
            base = asdict(self.configs["200x100-binding-awarded"])
            base.update(name="200x100-binding-awarded-60s", time_limit=min(AWARDED_LIMIT, limit))
            config = Config(**{**base, "solvers": tuple(base["solvers"]), "only_award": True})
            self.probes["awarded_60"] = run_config(
                config, self.scratch, memory_limit_mb=self.args.memory_limit, deadline=self.end
            )
        elif name in ("probe:cli_award", "probe:cli_big"):
            folder = Path(self.configs[PROBE_NEEDS[name]].folder)
            key = name.removeprefix("probe:")
            self.probes[key] = probe_cli_award(
                folder, self.scratch / key, limit, self.left(16 * limit + 600)
            )

    def go(self) -> None:
        order = schedule(list(self.configs))
        for i, name in enumerate(order, start=1):
            if self.end is not None and time.monotonic() >= self.end:
                _say(f"[{i}/{len(order)}] {name}: not run (run budget spent)")
                continue
            _say(f"[{i}/{len(order)}] {name}")
            if name.startswith("probe:"):
                self.probe(name)
            else:
                self.config(name)
        for name, config in self.configs.items():
            self.results.setdefault(
                name, {"config": asdict(config), "steps": {}, "stopped": "not run (run budget)"}
            )


def _write(
    out: Path,
    stem: str,
    table: str,
    goal_lines: list[str],
    machine: dict[str, Any],
    payload: dict[str, Any],
) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    code = machine["code"]
    lines = [
        f"# Benchmark {stem}",
        "",
        f"`{' '.join(['python -m bench.run', payload['argv']]).strip()}`"
        + f": {payload['seconds'] / 60:.1f} minutes, {payload['time_limit']:g} s per solve, "
        f"solvers {', '.join(payload['solvers'])}, budget {payload['budget_minutes']:g} minutes.",
        "",
        f"Machine: {machine['cpu_model']}, {machine['cpu_count']} CPUs, "
        f"{machine['ram_gb']:.0f} GB RAM; {machine['os']}; Python {machine['python']}, "
        f"PuLP {machine['pulp']}, highspy {machine['highspy']}, CBC {machine['cbc']}, "
        f"WeasyPrint {machine['weasyprint']}. Code: {code['commit']}"
        + (" with uncommitted changes" if code["uncommitted_changes"] else "")
        + ".",
        "",
        table,
        "",
        f"Load average (1 min) at the end of each step: up to {payload['load_avg_max']:.1f} "
        f"on {machine['cpu_count']} CPUs; above about 1.5 other work was running beside the "
        "benchmark, and its times are slower than the machine can do.",
        "",
        "Goals (issue 10):",
        "",
        *(f"- {line}" for line in goal_lines),
        "",
    ]
    markdown = out / f"{stem}.md"
    markdown.write_text("\n".join(lines), encoding="utf-8")
    raw = out / f"{stem}.json"
    raw.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return markdown, raw


def _terminate(signum: int, frame: Any) -> None:
    # Unwind, so that the running child's process group is stopped and scratch removed.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the benchmark, print the table and goals, write the results."""
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    started = time.perf_counter()
    end = time.monotonic() + 60 * args.budget if args.budget > 0 else None
    machine = describe(ROOT)
    with tempfile.TemporaryDirectory(prefix="tender-bench-") as folder:
        scratch = Path(folder)
        _say(f"writing tenders for {', '.join(args.sizes)} into {scratch}")
        configs = configurations(
            args.sizes, scratch, solvers=args.solvers, time_limit=args.time_limit
        )
        run = _Run(args, scratch, {c.name: c for c in configs}, end)
        run.go()
    results = [run.results[c.name] for c in configs]
    table = markdown_table(results)
    loads = [
        step["load_avg"]
        for result in [*results, *(p for p in run.probes.values() if "steps" in p)]
        for step in result.get("steps", {}).values()
        if "load_avg" in step
    ]
    goal_lines = [goal.line() for goal in goals(results, run.probes)]
    seconds = time.perf_counter() - started
    print(table)
    print()
    print("Goals (issue 10):")
    for line in goal_lines:
        print(f"  {line}")
    print(f"\n{len(results)} configurations in {seconds / 60:.1f} minutes")
    print(f"load average up to {max(loads, default=0.0):.1f} (other work beside the benchmark?)")
    stem = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d") + "-" + machine_tag(machine)
    if list(args.sizes) != list(SIZES):
        stem += "-quick" if list(args.sizes) == list(QUICK) else "-partial"
    payload = {
        "load_avg_max": max(loads, default=0.0),
        "argv": " ".join(sys.argv[1:] if argv is None else argv),
        "sizes": args.sizes,
        "solvers": list(args.solvers),
        "time_limit": args.time_limit,
        "budget_minutes": args.budget,
        "memory_limit_mb": args.memory_limit,
        "seconds": seconds,
        "machine": machine,
        "results": results,
        "probes": run.probes,
        "goals": goal_lines,
        "table": table,
    }
    markdown, raw = _write(args.out, stem, table, goal_lines, machine, payload)
    print(f"wrote {markdown} and {raw}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
