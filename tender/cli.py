"""The ``tender`` command: parse options, call one service, print, map errors to exit codes.

Heavy modules (pulp, pandas, weasyprint, rich) are imported inside the commands that need
them, so ``tender --help`` and ``tender validate`` start fast.
"""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tender import __version__
from tender.errors import OutputExistsError, OutputPathError, TenderError
from tender.runtime import tune_garbage_collector

if TYPE_CHECKING:
    from tender.models import Tender

__all__ = ["INTERRUPTED_EXIT", "NOT_PROVEN_EXIT", "cli", "main"]

#: Exit code of an award that the time limit left feasible but not proven optimal.
NOT_PROVEN_EXIT = 4

#: Exit code of a run stopped by Ctrl-C (SIGINT): the shell convention, 128 + signal 2.
INTERRUPTED_EXIT = 130


class TenderGroup(click.Group):
    """The single place where errors become exit codes.

    A :class:`TenderError` prints ``error: ...`` and exits with its ``exit_code`` (2 for bad
    input, 3 for an award that cannot be made); Ctrl-C prints ``interrupted`` and exits 130
    (outputs are written atomically, so nothing half-written is left); anything else is a
    bug: exit 1, and the traceback only with ``--debug``.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand, turning errors into messages and exit codes."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except TenderError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1, the code of a bug.
            if ctx.params.get("debug"):
                raise
            click.echo("interrupted", err=True)
            ctx.exit(INTERRUPTED_EXIT)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in tender; run again with --debug for the traceback.",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=TenderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tender")
@click.option("--debug", is_flag=True, help="Show the traceback of any error.")
def cli(debug: bool) -> None:
    """Evaluate procurement tenders, optimise lot awards and explain them.

    A tender is a folder: tender.toml, lots.csv, bidders.csv, bids.csv, marks.csv and
    optionally moderation.csv. Start from an example with `tender init --example NAME DIR`.
    """


class _FiniteRange(click.FloatRange):
    """A float range that also refuses ``nan`` and ``inf``, which pass its comparisons."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse and range-check the value, then insist that it is a finite number."""
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def _solver_options(command: Any) -> Any:
    """``--solver`` and ``--time-limit``, shared by every command that solves an award."""
    command = click.option(
        "--time-limit",
        type=_FiniteRange(min=0, min_open=True),
        default=60.0,
        show_default=True,
        help="Seconds for each award solve (all objective levels together).",
    )(command)
    return click.option(
        "--solver",
        type=click.Choice(["auto", "highs", "cbc"]),
        default="auto",
        show_default=True,
        help="auto: HiGHS, the faster on every award measured; all give the same award.",
    )(command)


def _tender_dir() -> Any:
    return click.Path(path_type=Path, file_okay=True, dir_okay=True)


@cli.command()
@click.option("--example", metavar="NAME", help="Copy a shipped example tender (see --list).")
@click.option("--list", "list_examples", is_flag=True, help="List the shipped examples and exit.")
@click.option(
    "--xlsx",
    "workbook",
    type=click.Path(path_type=Path),
    help="Write one .xlsx workbook (headers, id lists, notes) instead of a folder.",
)
@click.option("--force", is_flag=True, help="Write into DIR even if it is not empty.")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
def init(
    example: str | None,
    list_examples: bool,
    workbook: Path | None,
    force: bool,
    directory: Path | None,
) -> None:
    """Create a tender folder or workbook: a shipped example, or a blank template.

    Example:
        tender init --example htlah-2016 my-tender
        tender init --xlsx my-tender.xlsx
    """
    from tender import resources

    if list_examples:
        for name in resources.example_names():
            click.echo(name)
        return
    if workbook is not None:
        if directory is not None:
            raise click.UsageError("give either DIRECTORY or --xlsx FILE, not both")
        from tender.output import write_outputs
        from tender.xlsx import blank_workbook_bytes, carried_scenarios, workbook_bytes

        if example:
            import tempfile

            from tender.load import load_tender

            with tempfile.TemporaryDirectory() as scratch:
                folder = Path(scratch) / "example"
                resources.copy_example(example, folder)
                data = workbook_bytes(load_tender(folder), scenarios=carried_scenarios(folder))
        else:
            data = blank_workbook_bytes()
        write_outputs(workbook.parent, {workbook.name: data}, force=force)
        what = f"example {example!r}" if example else "a blank tender workbook (see its notes)"
        click.echo(f"wrote {what} to {workbook}")
        return
    if directory is None:
        raise click.UsageError("DIRECTORY is required")
    from tender.output import check_folder

    if directory.exists() and not directory.is_dir():
        raise OutputPathError(
            f"{directory} is a file: tender init writes a tender folder "
            "(for a workbook: tender init --xlsx FILE)"
        )
    check_folder(directory)
    if directory.exists() and any(directory.iterdir()) and not force:
        raise OutputExistsError(f"{directory} is not empty; use --force to write into it")
    try:
        if example:
            resources.copy_example(example, directory)
        else:
            resources.write_blank_tender(directory)
    except OSError as exc:  # a folder where a file goes, no permission, a full disk
        raise OutputPathError(f"cannot write {directory}: {exc.strerror or exc}") from exc
    what = f"example {example!r}" if example else "a blank tender (fill in the CSV files)"
    click.echo(f"wrote {what} to {directory}")


@cli.command()
@click.argument("directory", type=_tender_dir())
def validate(directory: Path) -> None:
    """Check a tender folder and print a summary, or every problem found.

    A mark missing from one evaluator of the panel is a warning, not an error: the other
    evaluators' marks are combined without it.

    Example:
        tender validate fixtures/htlah-2016
    """
    from tender.load import load_tender
    from tender.models import find_missing_evaluators

    tender = load_tender(directory)
    scenarios = _check_scenarios(tender, directory)
    excluded = sum(1 for b in tender.bidders if b.status == "excluded")
    lines = [
        f"{tender.info.id}: {tender.info.title} ({tender.info.authority}, {tender.info.regime})",
        f"  lots:       {len(tender.lots)} in {len(tender.groups)} groups, "
        f"{tender.total_hours:,.0f} hours per week",
        f"  bidders:    {len(tender.bidders)}" + (f" ({excluded} excluded)" if excluded else ""),
        f"  bids:       {len(tender.bids)}",
        f"  criteria:   {len(tender.criteria)} "
        f"(quality {tender.evaluation.quality_weight:g} / price {tender.evaluation.price_weight:g},"
        f" {tender.evaluation.price_method})",
        f"  marks:      {len(tender.marks)} from "
        f"{len({m.evaluator for m in tender.marks})} evaluators",
        f"  moderation: {len(tender.moderation)} consensus marks",
    ]
    if scenarios:
        lines.append(f"  scenarios:  {len(scenarios)} ({', '.join(scenarios)})")
    lines.append("valid")
    click.echo("\n".join(lines))
    for gap in find_missing_evaluators(tender):
        click.echo(f"warning: {gap}", err=True)
    _warn(tender)


def _check_scenarios(tender: Tender, source: Path) -> list[str]:
    """The names of the tender's scenarios, each read and applied to it as compare would.

    Raises:
        InputError: every problem of every scenario (file or workbook cell, line and key).
    """
    from tender.cli_commission import _scenarios
    from tender.errors import InputError, Problem
    from tender.scenarios import apply_scenario

    problems: list[Problem] = []
    names: list[str] = []
    for scenario in _scenarios(source, (), (), problems=problems):
        try:
            apply_scenario(tender, scenario)
        except InputError as error:
            problems += error.problems
        else:
            names.append(scenario.name)
    if problems:
        # By file, as the tender's own problems are listed.
        raise InputError(problems=sorted(problems, key=lambda p: (p.file, p.row or 0)))
    return names


def _warn(tender: Tender) -> None:
    """Print the rules' warnings (see :func:`tender.explain.rule_warnings`) on stderr."""
    from tender.explain import rule_warnings

    for warning in rule_warnings(tender.rules):
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write scores.csv and scores.json here."
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON instead of tables.")
@click.option(
    "--moderation-sheet",
    type=click.Path(path_type=Path),
    help="Write a CSV of the amber and red marks for a moderation meeting.",
)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def score(
    directory: Path, out: Path | None, as_json: bool, moderation_sheet: Path | None, force: bool
) -> None:
    """Score every bid: moderated quality, price points, compliance and rank per lot.

    Example:
        tender score fixtures/htlah-2016 --out out/
    """
    from tender.export import scores as export
    from tender.load import load_tender
    from tender.output import write_outputs
    from tender.scoring import score_tender

    tender = load_tender(directory)
    scores = score_tender(tender)
    if moderation_sheet is not None:
        write_outputs(
            moderation_sheet.parent,
            {moderation_sheet.name: export.moderation_sheet_csv(tender, scores)},
            force=force,
        )
    if out is not None:
        write_outputs(
            out,
            {
                "scores.csv": export.scores_csv(tender, scores),
                "scores.json": export.scores_json(tender, scores),
            },
            force=force,
        )
    if as_json:
        click.echo(export.scores_json(tender, scores).decode("utf-8"), nl=False)
        return
    from tender.console import print_scores

    print_scores(tender, scores)
    if out is not None:
        click.echo(f"wrote {out / 'scores.csv'} and {out / 'scores.json'}")
    if moderation_sheet is not None:
        click.echo(f"wrote {moderation_sheet}")


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write award.csv, award.json, solver.json."
)
@_solver_options
@click.option(
    "--mip-gap",
    type=_FiniteRange(0, 1, max_open=True),
    default=0.0,
    show_default=True,
    help="Relative gap at which to stop (0: prove optimality).",
)
@click.option(
    "--alternatives/--no-alternatives",
    default=None,
    help="Search for lots that could change hands at no loss "
    "(default: only up to 200 candidate bids).",
)
@click.option("--json", "as_json", is_flag=True, help="Print award.json instead of tables.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def award(
    directory: Path,
    out: Path | None,
    solver: str,
    time_limit: float,
    mip_gap: float,
    alternatives: bool | None,
    as_json: bool,
    force: bool,
) -> None:
    """Award the lots: the best compliant bids under the lotting rules.

    Exit code 0 for a proven optimal award, 4 when the time limit stopped the solver
    with an award that is feasible but not proven optimal, 3 when no award can be made.

    Example:

        tender award fixtures/htlah-2016 --out out/
    """
    from tender.award import make_award
    from tender.export import award as export
    from tender.load import load_tender
    from tender.output import write_outputs

    tender = load_tender(directory)
    _warn(tender)
    result = make_award(
        tender, solver=solver, time_limit=time_limit, mip_gap=mip_gap, alternatives=alternatives
    )
    if out is not None:
        write_outputs(
            out,
            {
                "award.csv": export.award_csv(result),
                "award.json": export.award_json(result),
                "solver.json": export.solver_json(result),
            },
            force=force,
        )
    if as_json:
        click.echo(export.award_json(result).decode("utf-8"), nl=False)
    else:
        from tender.console import print_award

        print_award(result)
        if out is not None:
            click.echo(f"wrote award.csv, award.json and solver.json to {out}")
    if not result.proven:
        sys.exit(NOT_PROVEN_EXIT)


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option("--lot", "lot_id", metavar="ID", help="Explain one lot.")
@click.option("--bidder", "bidder_id", metavar="ID", help="Explain how one bidder fared.")
@_solver_options
def explain(
    directory: Path, lot_id: str | None, bidder_id: str | None, solver: str, time_limit: float
) -> None:
    """Explain the award: who won each lot, why a top-ranked bid lost, what rules cost.

    Exit code 4 when the time limit left the award feasible but not proven optimal: every
    reason is then read off an award that may not be the best.

    Example:

        tender explain fixtures/htlah-2016 --lot 12
    """
    from optimiser.explain import explain_award
    from tender.award import make_award
    from tender.explain import explanation_lines
    from tender.load import load_tender

    tender = load_tender(directory)
    if lot_id is not None and lot_id not in {lot.lot_id for lot in tender.lots}:
        raise click.BadParameter(f"no lot {lot_id!r} in lots.csv", param_hint="--lot")
    if bidder_id is not None and bidder_id not in {b.bidder_id for b in tender.bidders}:
        raise click.BadParameter(f"no bidder {bidder_id!r} in bidders.csv", param_hint="--bidder")
    _warn(tender)
    award = make_award(tender, solver=solver, time_limit=time_limit)
    explanation = explain_award(
        award.problem,
        award.result,
        rule_costs=lot_id is None and bidder_id is None,
        time_limit=time_limit,
    )
    lines = explanation_lines(award, explanation, lot_id=lot_id, bidder_id=bidder_id)
    if not award.proven:
        lines.insert(0, "NOT PROVEN OPTIMAL: the solver stopped before proving this award best.")
    click.echo("\n".join(lines))
    if not award.proven:
        sys.exit(NOT_PROVEN_EXIT)


@cli.command()
@click.argument("directory", type=_tender_dir())
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@_solver_options
@click.option(
    "--notice-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the award notice is sent or published (default: award_decision_date).",
)
@click.option(
    "--only", type=click.Choice(["report", "letters"]), help="Write only the report or the letters."
)
@click.option("--html", "with_html", is_flag=True, help="Also write the HTML beside each PDF.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="TENDER_WORKERS",
    help="Processes rendering PDFs (default: one per core, at most 4; 1: no pool).",
)
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def report(
    directory: Path,
    out: Path,
    solver: str,
    time_limit: float,
    notice_date: Any,
    only: str | None,
    with_html: bool,
    workers: int | None,
    force: bool,
) -> None:
    """Write the panel's PDF report and a letter per assessed bidder.

    OUT/report.pdf is the evaluation panel's report; OUT/letters/<bidder_id>.pdf is each
    bidder's assessment summary (pa2023) or award decision notice (pcr2015) with its
    standstill period.

    Example:

        tender report fixtures/htlah-2016 --out out/report
    """
    from tender.console import progress_bar
    from tender.load import load_tender
    from tender.output import check_outputs, write_outputs
    from tender.publish import build_documents, document_names

    tender = load_tender(directory)
    decided = tender.info.award_decision_date
    if notice_date and notice_date.date() < decided:
        click.echo(
            f"warning: --notice-date {notice_date.date().isoformat()} is before the award "
            f"decision date {decided.isoformat()} in tender.toml",
            err=True,
        )
    # Refuse now, not after minutes of rendering.
    check_outputs(out, document_names(tender, only=only, with_html=with_html), force=force)
    letters = 0 if only == "report" else len({b.bidder_id for b in tender.bids})
    with progress_bar("letters", letters) as advance:
        documents, proven = build_documents(
            tender,
            solver=solver,
            time_limit=time_limit,
            notice_date=notice_date.date() if notice_date else None,
            only=only,
            with_html=with_html,
            command=shlex.join(["tender", *sys.argv[1:]]),
            on_letter=advance,
            workers=workers,
        )
    written = write_outputs(out, documents, force=force)
    pdfs = [p for p in written if p.suffix == ".pdf"]
    click.echo(f"wrote {len(pdfs)} PDF files to {out}")
    if only != "letters":
        click.echo(f"report: {out / 'report.pdf'}")
    if not proven:
        click.echo("warning: the award is NOT PROVEN OPTIMAL (see the report)", err=True)
        sys.exit(NOT_PROVEN_EXIT)


# Commands kept in their own modules register themselves on ``cli`` when imported; they
# need the names above, so they are imported last.
from tender import cli_commission, cli_interchange  # noqa: E402, F401


def main() -> None:
    """Entry point of the ``tender`` console script."""
    tune_garbage_collector()
    cli(prog_name="tender")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
