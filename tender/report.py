"""The panel's PDF report and the bidders' letters: Jinja2 templates rendered by WeasyPrint.

The only importer of jinja2 and weasyprint. Templates, CSS and fonts are package data; every
piece of user text is escaped (autoescape on, undefined names are errors), and WeasyPrint's
fetcher serves package files only, so a hostile ``<img src="http://...">`` in a bidder name is
printed as text and nothing is ever fetched from the network.

WeasyPrint (about a second to import) is imported where a PDF is rendered and the rest of
tender where HTML is made, so a rendering worker loads WeasyPrint alone and a process that
only hands pages to the workers never loads it.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import multiprocessing
import os
import platform
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2

from tender import __version__
from tender.formatting import long_date, money
from tender.resources import template_text

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

    from optimiser.explain import Explanation
    from tender.award import Award
    from tender.charts import Chart
    from tender.models import ScoredBid

__all__ = [
    "PACKAGE_URL",
    "Document",
    "letters_html",
    "render_documents",
    "render_letters",
    "render_report",
    "report_html",
]

#: The only URLs the renderer will load: files shipped in ``tender.templates``.
PACKAGE_URL = "tender-package:"

_FONT_TYPES = {".ttf": "font/ttf", ".css": "text/css", ".svg": "image/svg+xml"}


@functools.cache
def _package_fetcher() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackageFetcher(URLFetcher):
        """Serves ``tender-package:`` URLs from the package and refuses everything else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=())
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            """Return a shipped file, or refuse: nothing is fetched from outside the package."""
            if not url.startswith(PACKAGE_URL):
                self.refused.append(url)
                raise ValueError(f"refused to fetch {url!r}: reports use package files only")
            name = url.removeprefix(PACKAGE_URL)
            entry = resources.files("tender.templates").joinpath(name)
            if ".." in name or not entry.is_file():
                self.refused.append(url)
                raise ValueError(f"no package file {name!r}")
            suffix = name[name.rfind(".") :]
            return URLFetcherResponse(
                url,
                body=entry.read_bytes(),
                headers={"Content-Type": _FONT_TYPES.get(suffix, "application/octet-stream")},
            )

    PackageFetcher.__module__ = __name__
    return PackageFetcher


def __getattr__(name: str) -> Any:
    """``PackageFetcher``, the WeasyPrint URL fetcher, made (and WeasyPrint imported) on use."""
    if name == "PackageFetcher":
        return _package_fetcher()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Document:
    """A rendered document: its HTML (for checks and ``--html``) and its PDF."""

    html: str
    pdf: bytes


# --- formatting filters --------------------------------------------------------------------


def _money(currency: str) -> Callable[..., str]:
    return lambda value, places=2: "" if value is None else money(value, currency, places)


def _environment(currency: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(template_text),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money(currency)
    env.filters["num"] = lambda v, d=2: "" if v is None else f"{v:,.{d}f}"
    env.filters["pct"] = lambda v, d=1: "" if v is None else f"{100 * v:.{d}f}%"
    # A rule's percentage as set (0.7%, 15%): rounding a 0.7% cap to "1%" misstates it.
    env.filters["rule_pct"] = lambda v: "" if v is None else f"{100 * v:g}%"
    env.filters["long_date"] = long_date
    env.filters["and_join"] = _and_join
    return env


@contextmanager
def _interrupts_kept() -> Iterator[None]:
    """Re-raise a Ctrl-C that WeasyPrint swallowed, once the document is done.

    WeasyPrint catches ``BaseException`` around each SVG image it draws (and logs "Failed
    to render SVG image"): a Ctrl-C landing there would leave a report without its chart
    and the run would carry on as if nothing had been pressed.
    """
    previous = signal.getsignal(signal.SIGINT)
    if (
        threading.current_thread() is not threading.main_thread()
        or previous is None
        or previous is signal.SIG_IGN
    ):
        # Only the main thread may set a handler; None is not one Python can restore; and
        # a SIGINT ignored (a background job, a rendering worker) must stay ignored.
        yield
        return
    pressed: list[int] = []

    def note(signum: int, frame: Any) -> None:
        pressed.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


#: The date written into the fonts a PDF embeds (as SOURCE_DATE_EPOCH, seconds since 1970):
#: the shipped DejaVuSans.ttf's own, 17 May 2015. fontTools stamps each font subset it makes
#: with the clock time otherwise, so the same document would not be the same bytes twice.
FONT_DATE_EPOCH = "1431854692"


@contextmanager
def _fixed_font_date() -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH for fontTools while a PDF is made, unless the caller set one."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_DATE_EPOCH
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher = _package_fetcher()()
    with _interrupts_kept(), _fixed_font_date():
        pdf = HTML(string=html, base_url=PACKAGE_URL, url_fetcher=fetcher).write_pdf(
            pdf_tags=True, custom_metadata=False
        )
    assert pdf is not None
    return pdf


# --- the report ----------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lot_rows(award: Award) -> list[dict[str, Any]]:
    """Per lot: its bids in rank order with marks by criterion, the outcome and reasons."""
    tender = award.tender
    names = {b.bidder_id: b.name for b in tender.bidders}
    rows = []
    for lot, outcome in zip(tender.lots, award.lots, strict=True):
        bids = award.scores.for_lot(lot.lot_id)
        rows.append(
            {
                "lot": lot,
                "outcome": outcome,
                "places": len(outcome.appointments) + outcome.vacant_places,
                "bids": [_bid_row(bid, names, outcome) for bid in bids],
            }
        )
    return rows


def _short_lots(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Awarded lots with places left unfilled: vacant in part, which "lots vacant" misses."""
    return [r for r in rows if r["outcome"].appointments and r["outcome"].vacant_places]


def _bid_row(bid: ScoredBid, names: dict[str, str], outcome: Any) -> dict[str, Any]:
    winners = {a.bidder_id for a in outcome.appointments}
    flags = {m.flag for m in bid.marks}
    worst = "red" if "red" in flags else "amber" if "amber" in flags else "green"
    return {
        "bid": bid,
        "name": names[bid.bidder_id],
        "marks": {m.criterion_id: m for m in bid.marks},
        "won": bid.bidder_id in winners,
        "flag": worst,
    }


def _recommendation(award: Award, short_lots: list[dict[str, Any]]) -> str:
    totals = award.totals
    currency = award.tender.info.currency
    amount = _money(currency)
    text = (
        f"The panel is recommended to appoint {totals.providers} provider"
        f"{'s' if totals.providers != 1 else ''} to {totals.lots_covered} of the "
        f"{totals.lots} lots, at an estimated annual cost of {amount(totals.annual_cost, 0)}"
    )
    if totals.budget_per_year is not None:
        text += f" against a budget of {amount(totals.budget_per_year, 0)}"
    text += "."
    if totals.lots_vacant:
        text += (
            f" {totals.lots_vacant} lot{'s remain' if totals.lots_vacant > 1 else ' remains'} "
            "without a compliant bid or an eligible provider and cannot be awarded."
        )
    if short_lots:
        parts = [
            f"{r['lot'].lot_id} {r['lot'].name} ({len(r['outcome'].appointments)} of "
            f"{r['places']} places filled"
            + (f": {r['outcome'].reason})" if r["outcome"].reason else ")")
            for r in short_lots
        ]
        text += (
            f" Not every place can be filled in {_plural(len(short_lots), 'lot')}: "
            f"{_and_join(parts)}."
        )
    if not award.proven:
        text += " The award is not proven optimal: the solver stopped at its time limit."
    return text


def render_report(
    award: Award,
    explanation: Explanation,
    *,
    explanation_lines: dict[str, list[str]],
    rule_lines: list[str],
    charts: dict[str, Chart],
    command: str,
    inputs: Iterable[tuple[str, bytes]] = (),
) -> Document:
    """The evaluation panel's report as HTML and PDF (arguments as :func:`report_html`)."""
    html = report_html(
        award,
        explanation,
        explanation_lines=explanation_lines,
        rule_lines=rule_lines,
        charts=charts,
        command=command,
        inputs=inputs,
    )
    return Document(html=html, pdf=_render_pdf(html))


def report_html(
    award: Award,
    explanation: Explanation,
    *,
    explanation_lines: dict[str, list[str]],
    rule_lines: list[str],
    charts: dict[str, Chart],
    command: str,
    inputs: Iterable[tuple[str, bytes]] = (),
) -> str:
    """The evaluation panel's report as HTML, for :func:`render_documents`.

    Args:
        award: The solved award.
        explanation: The optimiser's explanation of it (per lot, rule costs).
        explanation_lines: Plain sentences per lot id (as ``tender explain`` prints them).
        rule_lines: Plain sentences on what each rule costs.
        charts: The charts by name (``scores``, ``shares``, ``cost``).
        command: The exact command line, for the audit appendix.
        inputs: Extra input files to hash beyond the tender's own (name, bytes).
    """
    tender = award.tender
    solver = award.result.solver
    lots = _lot_rows(award)
    short_lots = _short_lots(lots)
    context = {
        "tender": tender,
        "award": award,
        "totals": award.totals,
        "result": award.result,
        "solver": solver,
        "explanation": explanation,
        "lines": explanation_lines,
        "rule_lines": rule_lines,
        "recommendation": _recommendation(award, short_lots),
        "lots": lots,
        "short_lots": short_lots,
        "criteria": tender.criteria,
        "names": {b.bidder_id: b.name for b in tender.bidders},
        "divergences": [
            d for d in award.scores.divergences if d.flag != "green" or d.consensus is not None
        ],
        "charts": charts,
        "audit": {
            "version": __version__,
            "python": platform.python_version(),
            "command": command,
            "sources": [(s.name, s.sha256) for s in tender.sources]
            + [(name, _sha256(data)) for name, data in inputs],
        },
        "regime": _REGIMES[tender.info.regime],
    }
    return _environment(tender.info.currency).get_template("report.html").render(**context)


_REGIMES = {
    "pa2023": {
        "name": "Procurement Act 2023",
        "letter": "Assessment summary",
        "notice": "contract award notice",
    },
    "pcr2015": {
        "name": "Public Contracts Regulations 2015",
        "letter": "Award decision notice",
        "notice": "award decision notice",
    },
}


# --- the letters ---------------------------------------------------------------------------


#: Appointed providers listed side by side in a letter's table of a lot's appointments.
APPOINTED_ACROSS = 3


def _letter_lots(award: Award, bidder_id: str, explanation: Explanation) -> list[dict[str, Any]]:
    """Per lot the bidder bid on: its bid, the outcome, the reasons and the bid compared with.

    The comparison is one named bid, so the table stays four figures wide in a framework
    lot of many winners: the successful bid where one provider is appointed, else the
    lowest-ranked appointed bid, which is the score that was needed to be appointed. Every
    appointed provider is listed separately with its rank and total.
    """
    from tender.explain import lost_reason

    names = {b.bidder_id: b.name for b in award.tender.bidders}
    out = []
    for lot, outcome in zip(award.tender.lots, award.lots, strict=True):
        bids = {b.bidder_id: b for b in award.scores.for_lot(lot.lot_id)}
        own = bids.get(bidder_id)
        if own is None:
            continue
        appointed = sorted(
            (bids[a.bidder_id] for a in outcome.appointments),
            key=lambda b: (b.rank if b.rank is not None else len(bids), b.bidder_id),
        )
        won = bidder_id in {b.bidder_id for b in appointed}
        several = len(appointed) > 1
        reference = appointed[-1] if appointed else None
        if reference is not None and reference.bidder_id == bidder_id:
            reference = None  # a sole winner, or the lowest appointed: nothing to compare
        reasons = list(own.reasons)
        if not won and own.compliant:
            lost = lost_reason(explanation, lot.lot_id, bidder_id)
            if lost is None:
                lost = (
                    f"the {len(appointed)} appointed bids scored higher"
                    if several
                    else "the appointed bid scored higher"
                )
            reasons.append(_to_bidder(lost, bidder_id))
        out.append(
            {
                "lot": lot,
                "own": own,
                "own_marks": {m.criterion_id: m for m in own.marks},
                "appointed": [
                    {"bid": b, "name": names[b.bidder_id], "you": b.bidder_id == bidder_id}
                    for b in appointed
                ],
                "several": several,
                "across": min(len(appointed), APPOINTED_ACROSS),
                "reference": None
                if reference is None
                else {
                    "bid": reference,
                    "name": names[reference.bidder_id],
                    "marks": {m.criterion_id: m for m in reference.marks},
                },
                "benchmark": appointed[-1] if appointed else None,
                "won": won,
                "reasons": reasons,
                "vacant": not outcome.appointments,
                "vacant_places": outcome.vacant_places,
                "places": len(appointed) + outcome.vacant_places,
                "vacancy_reason": outcome.reason,
            }
        )
    return out


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _and_join(names: Iterable[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    items = list(names)
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


def _to_bidder(reason: str, bidder_id: str) -> str:
    """The optimiser's reason (said of a bidder) as a letter says it to that bidder."""
    return (
        reason.replace("at its ", "you had reached your ")
        .replace("more than its capacity", "more than your capacity")
        .replace("(it holds ", "(you are appointed to lots ")
        .replace(
            f"with {bidder_id} elsewhere or out", "with your tender placed elsewhere or not at all"
        )
    )


def render_letters(
    award: Award,
    explanation: Explanation,
    *,
    notice_date: date,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Document]:
    """One letter per assessed bidder (every bidder with a bid), by bidder id.

    The letter shows the bidder's own marks beside the winning bid's in each lot it bid on,
    the outcome with its reasons, and the standstill period under the tender's regime.
    """
    pages = letters_html(award, explanation, notice_date=notice_date)
    pdfs = render_documents(pages, progress)
    return {
        bidder_id: Document(html=html, pdf=pdfs[bidder_id]) for bidder_id, html in pages.items()
    }


def letters_html(award: Award, explanation: Explanation, *, notice_date: date) -> dict[str, str]:
    """Each assessed bidder's letter as HTML, by bidder id (see :func:`render_letters`)."""
    from tender.standstill import standstill

    tender = award.tender
    period = standstill(tender.info.regime, notice_date)
    # pcr2015: the letter is the notice, sent on the notice date. pa2023: the assessment
    # summaries go out with the award decision, before the contract award notice (s.50).
    pcr = tender.info.regime == "pcr2015"
    letter_date = notice_date if pcr else tender.info.award_decision_date
    env = _environment(tender.info.currency)
    template = env.get_template("letter.html")
    bidders = sorted({b.bidder_id for b in tender.bids})
    pages = {
        bidder_id: template.render(
            tender=tender,
            bidder=tender.bidder(bidder_id),
            lots=_letter_lots(award, bidder_id, explanation),
            criteria=tender.criteria,
            standstill=period,
            letter_date=letter_date,
            regime=_REGIMES[tender.info.regime],
        )
        for bidder_id in bidders
    }
    return pages


#: Below this many documents a process pool costs more (starting WeasyPrint) than it saves;
#: an explicit ``workers`` (``tender report --workers``) overrides it.
PARALLEL_FROM = 6

#: Rendering processes by default: one per core, at most this many.
MAX_WORKERS = 4


def render_documents(
    pages: Mapping[str, str] | Iterable[tuple[str, str]],
    progress: Callable[[str], None] | None = None,
    *,
    workers: int | None = None,
    count: int | None = None,
) -> dict[str, bytes]:
    """Render many HTML documents to PDF, in parallel processes where there are cores to spare.

    ``pages`` may be a generator of ``(key, html)`` that makes each page as it goes: the
    workers are started before the first is asked for, so they load WeasyPrint while the
    first pages are made, and each page is rendered as soon as it is handed over. Of the
    pages waiting, the longest HTML is rendered first, so a long report never starts last
    and leaves one worker rendering alone. Each PDF depends only on its HTML, so the bytes
    are the same in any order or process. ``progress`` gets each key when done.

    Args:
        pages: HTML by key, or ``(key, html)`` pairs as they are made.
        progress: Called with each key as its PDF is done.
        workers: Rendering processes; ``None`` is one per core (at most
            :data:`MAX_WORKERS`) from :data:`PARALLEL_FROM` documents on, ``1`` renders in
            this process.
        count: How many pages a generator will give (to choose the workers); a mapping's
            own length is used.

    Raises:
        KeyboardInterrupt: at once on Ctrl-C: queued documents are dropped and the workers
            ended, rather than every letter rendered first.
    """
    if isinstance(pages, Mapping):
        count, pairs = len(pages), iter(pages.items())
    else:
        pairs = iter(pages)
    if workers is None:
        many = count is None or count >= PARALLEL_FROM
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if many else 1
    if count is not None:
        workers = min(workers, count)
    done: dict[str, bytes] = {}
    if workers < 2:
        for key, html in pairs:
            done[key] = _render_pdf(html)
            if progress is not None:
                progress(key)
        return done
    renderer = _Renderer(workers)
    try:
        renderer.start()
        for key, html in pairs:
            renderer.add(key, html)
        for key, pdf in renderer.results():
            done[key] = pdf
            if progress is not None:
                progress(key)
    except BaseException:
        renderer.stop()
        raise
    renderer.close()
    return done


class _Renderer:
    """A pool of rendering workers and the pages waiting for them, longest first.

    Each worker is handed one page at a time, so a page made later (the report, after the
    rule costs are solved) can still go before the letters waiting. The next page is handed
    over from the pool's own thread as a PDF comes back: the caller's thread may be busy
    making pages meanwhile.
    """

    def __init__(self, workers: int) -> None:
        # spawn, not fork: Pango and fontconfig state must not be shared with a forked child.
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )
        self.workers = workers
        self.lock = threading.Lock()
        self.waiting: list[tuple[int, str, str]] = []  # a heap: (-len(html), key, html)
        self.running = 0
        self.given = 0
        self.finished: queue.SimpleQueue[tuple[str, Future[bytes]]] = queue.SimpleQueue()
        self.stopped = False

    def start(self) -> None:
        """Start every worker now, before the first page is ready.

        The pool starts a process per task it cannot place. SIGINT is blocked meanwhile (and
        the workers inherit the mask), so a Ctrl-C while a worker is still starting up is
        this process's alone, once unblocked, not a half-started worker's, which would print
        a traceback; a worker's initializer then ignores SIGINT for good.
        """
        with _sigint_blocked():
            for _ in range(self.workers):
                self.pool.submit(_ready)

    def add(self, key: str, html: str) -> None:
        """Queue a page; it is handed to a worker as soon as one is free."""
        with self.lock:
            heapq.heappush(self.waiting, (-len(html), key, html))
            self.given += 1
        self._hand_over()

    def _hand_over(self) -> None:
        while True:
            with self.lock:
                if self.stopped or not self.waiting or self.running >= self.workers:
                    return
                _, key, html = heapq.heappop(self.waiting)
                self.running += 1
            try:
                future = self.pool.submit(_render_pdf, html)
            except RuntimeError as exc:  # a broken or shut-down pool: that page fails
                future = Future()
                future.set_exception(exc)
            # Called at once if the future is done already (hence not under the lock).
            future.add_done_callback(functools.partial(self._returned, key))

    def _returned(self, key: str, future: Future[bytes]) -> None:
        with self.lock:
            self.running -= 1
        self.finished.put((key, future))
        self._hand_over()

    def results(self) -> Iterator[tuple[str, bytes]]:
        """Each page's PDF as it comes back, until every page added is done."""
        for _ in range(self.given):
            key, future = self.finished.get()
            yield key, future.result()

    def close(self) -> None:
        self.pool.shutdown()

    def stop(self) -> None:
        """Drop the waiting pages and end the workers now, not after their current page."""
        with self.lock:
            self.stopped = True
            self.waiting.clear()
        _stop(self.pool)


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Hold back SIGINT (a child process started meanwhile inherits the mask)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _start_worker() -> None:
    """A rendering worker: leave Ctrl-C to the parent, and load WeasyPrint before any page.

    A terminal's Ctrl-C reaches every process of the group; the parent handles it by ending
    the workers, and without this each worker would print its own traceback. The first
    document a process renders also sets up Pango and fontconfig: done here, it overlaps
    the parent making the pages.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _render_pdf("<p></p>")


def _ready() -> None:
    """A task that does nothing: submitting it starts a worker."""


def _stop(pool: ProcessPoolExecutor) -> None:
    """Drop the queued documents and end the workers now, not after their current page."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    # Before 3.14 the executor has no public way to end its workers: they are its _processes.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


# --- the scenario comparison ---------------------------------------------------------------


def render_comparison(tender: Any, comparison: Any, *, command: str = "") -> bytes:
    """The commissioners' comparison of lotting options as a PDF: table, rule costs, charts.

    Args:
        tender: The baseline tender (a :class:`~tender.models.Tender`).
        comparison: The :class:`~tender.compare.Comparison` of its scenarios.
        command: The exact command line, for the audit note.
    """
    from tender.charts import comparison_charts

    context = {
        "tender": tender,
        "comparison": comparison,
        "results": comparison.results,
        "rule_rows": _rule_cost_rows(comparison),
        "charts": comparison_charts(comparison),
        "audit": {"version": __version__, "command": command},
    }
    html = _environment(tender.info.currency).get_template("compare.html").render(**context)
    return _render_pdf(html)


def _rule_cost_rows(comparison: Any) -> list[tuple[str, list[list[str]]]]:
    """Per rule, one cell per scenario with rule costs: lines of text, as the table shows."""
    from optimiser.explain import rule_name, rule_order

    shown = [r for r in comparison.results if r.rule_costs]
    rows = []
    for rule in rule_order({c.rule for r in shown for c in r.rule_costs}):
        cells = []
        for r in shown:
            cost = next((c for c in r.rule_costs if c.rule == rule), None)
            if cost is None:
                cells.append(["not set"])
            elif not cost.binding:
                cells.append(["not binding"])
            else:
                sign = "+" if cost.cost_change >= 0 else ""
                points = r.points(cost, comparison.objective)
                unit = (
                    "points per hour"
                    if comparison.objective == "hours_weighted"
                    else ("points per lot")
                )
                lines = [f"{points:+.2f} {unit}"] if points is not None else []
                lines += [
                    f"({cost.score_gain:+,.1f} score)",
                    f"{sign}{money(cost.cost_change, comparison.currency, 0)} a year",
                ]
                if cost.vacancies_filled:
                    lines.append(f"{cost.vacancies_filled} more places filled")
                cells.append(lines)
        rows.append((rule_name(rule), cells))
    return rows
