"""Commissioners' commands: lotting scenarios, comparison, withdrawal and sensitivity."""

from __future__ import annotations

import functools
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tender.cli import NOT_PROVEN_EXIT, _solver_options, _tender_dir, cli

if TYPE_CHECKING:
    from tender.errors import Problem
    from tender.scenarios import Scenario


def _is_workbook(source: Path) -> bool:
    return source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm")


def _scenarios(
    source: Path,
    names: tuple[str, ...],
    assignments: tuple[str, ...],
    *,
    problems: list[Problem] | None = None,
) -> list[Scenario]:
    """The scenarios named, or with no names every shipped one; then the ``--set`` one.

    A name is a scenario in the tender's scenarios/ folder (or its workbook's scenarios
    sheet), or a path to a .toml file. With ``problems``, a scenario that does not read
    adds its problems there and is left out, instead of raising.
    """
    from tender.errors import InputError
    from tender.load import load_scenario, scenario_paths
    from tender.scenarios import scenario_from_assignments

    load: Callable[[str], Scenario]
    if _is_workbook(source):
        from tender.xlsx import scenario_texts

        texts = scenario_texts(source)
        load = functools.partial(_workbook_scenario, texts=texts)
        names = names or tuple(texts)
    else:
        load = functools.partial(load_scenario, folder=source)
        names = names or tuple(str(path) for path in scenario_paths(source))
    found = []
    for name in names:
        try:
            found.append(load(name))
        except InputError as error:
            if problems is None:
                raise
            problems += error.problems
    if assignments:
        found.append(scenario_from_assignments(assignments))
    return found


def _workbook_scenario(name: str, texts: dict[str, tuple[str, str]]) -> Scenario:
    from tender.errors import InputError
    from tender.load import load_scenario, scenario_from_toml
    from tender.xlsx import SCENARIOS_SHEET

    if Path(name).suffix:
        return load_scenario(name)
    if name not in texts:
        hint = f" (scenarios here: {', '.join(texts)})" if texts else " (the workbook has none)"
        raise InputError(f"no such scenario {name!r}{hint}", file=SCENARIOS_SHEET)
    where, text = texts[name]
    return scenario_from_toml(text, name=name, shown=where)


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.argument("scenario", nargs=-1)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="TABLE.KEY=VALUE",
    help="Add one scenario that overrides tender.toml keys (repeat to set several in it), "
    "e.g. rules.max_lots_per_bidder=2 or criteria.Q1=30; 'none' removes a rule.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write compare.csv, rule_costs.csv, compare.json and compare.pdf.",
)
@click.option("--json", "as_json", is_flag=True, help="Print compare.json instead of tables.")
@click.option("--no-rule-costs", is_flag=True, help="Skip pricing each rule (faster).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes for the solves (default: one per 8 solves, at most one per core).",
)
@_solver_options
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def compare(
    directory: Path,
    scenario: tuple[str, ...],
    assignments: tuple[str, ...],
    out: Path | None,
    as_json: bool,
    no_rule_costs: bool,
    workers: int | None,
    solver: str,
    time_limit: float,
    force: bool,
) -> None:
    """Solve the tender and each lotting scenario, and compare them side by side.

    SCENARIO is a name in DIRECTORY/scenarios/ (a workbook's scenarios sheet) or a path
    to a scenario .toml file; with none given, every shipped scenario is compared with the
    baseline. --set adds one more scenario beside them, named after what it sets.

    Example:

        tender compare fixtures/htlah-2016 --out out/compare

        tender compare fixtures/htlah-2016 no-share-cap --set rules.max_lots_per_bidder=2
    """
    from tender.compare import compare_scenarios
    from tender.console import progress_bar
    from tender.export import comparison as export
    from tender.load import load_tender
    from tender.output import write_outputs

    tender = load_tender(directory)
    scenarios = _scenarios(directory, scenario, assignments)
    with progress_bar("scenarios", len(scenarios) + 1) as advance:
        comparison = compare_scenarios(
            tender,
            scenarios,
            solver=solver,
            time_limit=time_limit,
            rule_costs=not no_rule_costs,
            workers=workers,
            progress=advance,
        )
    if out is not None:
        from tender.report import render_comparison

        write_outputs(
            out,
            {
                "compare.csv": export.compare_csv(comparison),
                "rule_costs.csv": export.rule_costs_csv(comparison),
                "compare.json": export.compare_json(comparison),
                "compare.pdf": render_comparison(
                    tender, comparison, command=shlex.join(["tender", *sys.argv[1:]])
                ),
            },
            force=force,
        )
    if as_json:
        click.echo(export.compare_json(comparison).decode("utf-8"), nl=False)
    else:
        from tender.console_scenarios import print_comparison

        print_comparison(comparison)
        if out is not None:
            click.echo(f"wrote compare.csv, rule_costs.csv, compare.json and compare.pdf to {out}")
    if not comparison.proven:
        click.echo("warning: some awards are NOT PROVEN OPTIMAL (see Solver status)", err=True)
        sys.exit(NOT_PROVEN_EXIT)


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option(
    "--bidder", "bidder_id", required=True, metavar="ID", help="The provider withdrawing."
)
@click.option(
    "--after",
    "award_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The award.json it withdraws from (default: the award solved afresh).",
)
@click.option(
    "--reoptimise",
    is_flag=True,
    help="Let every lot move, not only the withdrawn provider's (default: hold the others).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write withdrawal.csv and .json.")
@click.option("--json", "as_json", is_flag=True, help="Print withdrawal.json instead of a table.")
@_solver_options
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def withdraw(
    directory: Path,
    bidder_id: str,
    award_file: Path | None,
    reoptimise: bool,
    out: Path | None,
    as_json: bool,
    solver: str,
    time_limit: float,
    force: bool,
) -> None:
    """Re-award an appointed provider's lots after it withdraws.

    Every other appointment is held and each freed lot goes to the best eligible bidder
    left under the tender's rules, counting what each provider already holds.

    Example:

        tender withdraw fixtures/htlah-2016 --bidder B01
    """
    from tender.export.comparison import withdrawal_csv, withdrawal_json
    from tender.load import load_tender
    from tender.output import write_outputs
    from tender.withdraw import read_award_json
    from tender.withdraw import withdraw as run

    tender = load_tender(directory)
    before = read_award_json(award_file, tender) if award_file is not None else None
    result = run(
        tender,
        bidder_id,
        before=before,
        reoptimise=reoptimise,
        solver=solver,
        time_limit=time_limit,
    )
    if out is not None:
        write_outputs(
            out,
            {"withdrawal.csv": withdrawal_csv(result), "withdrawal.json": withdrawal_json(result)},
            force=force,
        )
    if as_json:
        click.echo(withdrawal_json(result).decode("utf-8"), nl=False)
    else:
        from tender.console_scenarios import print_withdrawal

        print_withdrawal(result, tender.info.currency)
        if out is not None:
            click.echo(f"wrote withdrawal.csv and withdrawal.json to {out}")
    if not result.proven:
        click.echo("warning: the new award is NOT PROVEN OPTIMAL", err=True)
        sys.exit(NOT_PROVEN_EXIT)


def _weights(text: str) -> tuple[float, ...]:
    from tender.errors import InputError
    from tender.sensitivity import weight_range

    try:
        start, stop, step = (float(part) for part in text.split(":"))
    except ValueError:
        raise InputError(
            f"expected START:STOP:STEP such as 100:50:10, not {text!r}", file="--weights"
        ) from None
    return weight_range(start, stop, step)


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option(
    "--weights",
    default="100:50:10",
    show_default=True,
    metavar="START:STOP:STEP",
    help="Quality weights to sweep (the tender's own is always included).",
)
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(["lowest_ratio", "linear", "fixed"]),
    help="Price methods to sweep (default: every one the tender's rates allow).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write sweep.csv, reversals.csv, methods.csv, margins.csv and sensitivity.json.",
)
@click.option("--json", "as_json", is_flag=True, help="Print sensitivity.json instead of tables.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes for the solves (default: one per 8 solves, at most one per core).",
)
@_solver_options
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def sensitivity(
    directory: Path,
    weights: str,
    methods: tuple[str, ...],
    out: Path | None,
    as_json: bool,
    workers: int | None,
    solver: str,
    time_limit: float,
    force: bool,
) -> None:
    """How the award depends on the weighting, the price method and each winner's score.

    Sweeps the quality/price weighting under each price method, reports the exact weight
    at which a lot's leading bid changes, where another price method would lead a lot with
    a different bid at the same weighting, the lots each weighting would award differently
    (from whom to whom), and each appointment's stability margin: how far its total could
    fall before the lot would go elsewhere.

    Example:

        tender sensitivity fixtures/htlah-2016 --weights 100:50:5
    """
    from tender.console import progress_bar
    from tender.export import comparison as export
    from tender.load import load_tender
    from tender.output import write_outputs
    from tender.sensitivity import sensitivity as run

    tender = load_tender(directory)
    swept = _weights(weights)
    with progress_bar("solves", None) as advance:
        result = run(
            tender,
            weights=swept,
            methods=methods or None,
            solver=solver,
            time_limit=time_limit,
            workers=workers,
            progress=advance,
            on_start=advance.total,
        )
    if out is not None:
        write_outputs(
            out,
            {
                "sweep.csv": export.sweep_csv(result),
                "reversals.csv": export.reversals_csv(result),
                "methods.csv": export.methods_csv(result),
                "margins.csv": export.margins_csv(result),
                "sensitivity.json": export.sensitivity_json(result),
            },
            force=force,
        )
    if as_json:
        click.echo(export.sensitivity_json(result).decode("utf-8"), nl=False)
    else:
        from tender.console_scenarios import print_sensitivity

        print_sensitivity(result, tender)
        if out is not None:
            click.echo(
                "wrote sweep.csv, reversals.csv, methods.csv, margins.csv and sensitivity.json "
                f"to {out}"
            )
    if not result.proven:
        click.echo("warning: some awards are NOT PROVEN OPTIMAL", err=True)
        sys.exit(NOT_PROVEN_EXIT)
