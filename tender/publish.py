"""The report service: award, explanations and charts in; the report and letters out as bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from optimiser.explain import explain_award
from tender.award import make_award
from tender.charts import award_charts
from tender.explain import explanation_lines, rule_cost_lines
from tender.models import Tender
from tender.report import letters_html, render_documents, report_html

__all__ = ["build_documents", "document_names"]


def document_names(
    tender: Tender, *, only: str | None = None, with_html: bool = False
) -> list[str]:
    """The files :func:`build_documents` makes, known before the slow part starts.

    Returns:
        Relative names: ``report.pdf`` and ``letters/<bidder_id>.pdf`` for each bidder with a
        bid, with the ``.html`` beside each when ``with_html``.
    """
    keys = [] if only == "letters" else ["report"]
    if only != "report":
        keys += [f"letters/{bidder_id}" for bidder_id in sorted({b.bidder_id for b in tender.bids})]
    suffixes = (".pdf", ".html") if with_html else (".pdf",)
    return [key + suffix for key in keys for suffix in suffixes]


def build_documents(
    tender: Tender,
    *,
    solver: str = "auto",
    time_limit: float = 60,
    notice_date: date | None = None,
    only: str | None = None,
    with_html: bool = False,
    command: str = "tender report",
    on_letter: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> tuple[dict[str, bytes], bool]:
    """Solve the award and render its documents (``workers``: see :func:`render_documents`).

    The letters need only the explanation of each lot, which takes no solve: they are made
    first and go to the rendering workers while the rule costs are solved for the report.

    Returns:
        The files by relative name (``report.pdf``, ``letters/<bidder_id>.pdf``, and the
        ``.html`` beside each with ``with_html``), and whether the award is proven optimal.
    """
    keys = [name.removesuffix(".pdf") for name in document_names(tender, only=only)]
    pages: dict[str, str] = {}
    proven: list[bool] = []

    def make_pages() -> Iterator[tuple[str, str]]:
        award = make_award(tender, solver=solver, time_limit=time_limit)
        proven.append(award.proven)
        if only != "report":
            lots_only = explain_award(award.problem, award.result, rule_costs=False)
            notice = notice_date or tender.info.award_decision_date
            letters = letters_html(award, lots_only, notice_date=notice)
            for bidder_id, html in letters.items():
                pages[f"letters/{bidder_id}"] = html
                yield f"letters/{bidder_id}", html
        if only != "letters":
            explanation = explain_award(award.problem, award.result, time_limit=time_limit)
            lines = {
                lot.lot_id: explanation_lines(award, explanation, lot_id=lot.lot_id)
                for lot in tender.lots
            }
            pages["report"] = report_html(
                award,
                explanation,
                explanation_lines=lines,
                rule_lines=rule_cost_lines(
                    explanation, tender.info.currency, tender.rules.objective
                ),
                charts=award_charts(award),
                command=command,
            )
            yield "report", pages["report"]

    def done(key: str) -> None:
        if on_letter is not None and key.startswith("letters/"):
            on_letter(key.removeprefix("letters/"))

    # One pool for the report and the letters, started before the award is solved.
    pdfs = render_documents(make_pages(), done, workers=workers, count=len(keys))
    files: dict[str, bytes] = {}
    for key in keys:
        files[f"{key}.pdf"] = pdfs[key]
        if with_html:
            files[f"{key}.html"] = pages[key].encode("utf-8")
    return files, proven[0]
