"""Make tests/corpus/bad/: broken copies of tests/corpus/good/mini, one per kind of input error.

Each case folder holds the broken tender and an EXPECTED file: a comment saying what is wrong,
then the fragments the error message must contain (file, row, column and wording).
Run `python tests/corpus/make_bad.py` after changing a case; the output is committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).parent
GOOD = HERE / "good" / "mini"
BAD = HERE / "bad"

#: The end of the good tender.toml, from the [price] table's first key.
_TOML_TAIL = (
    "lower_rate = 14.50\nupper_rate = 17.50\n\n[rules]\n"
    "providers_per_lot = { min = 1, max = 1 }\nmax_lots_per_bidder = 2\n"
)
_WHOLE = "\x00whole"

# name: (what is wrong, {file: (old, new) or None to delete it}, [expected fragments]);
# a second edit of the same file is keyed with a trailing '+'.
CASES: dict[str, tuple[str, dict[str, tuple[str, str] | None], list[str]]] = {
    "missing-column": (
        "bids.csv has no rate column",
        {"bids.csv": ("bidder_id,lot_id,rate", "bidder_id,lot_id,price")},
        ["bids.csv:1: rate: missing column", "bids.csv:1: price: unknown column"],
    ),
    "unknown-column": (
        "a typo in a lots.csv header",
        {"lots.csv": ("hours_per_week", "hours_per_wek")},
        ["lots.csv:1: hours_per_wek: unknown column (did you mean 'hours_per_week'?)"],
    ),
    "duplicate-column": (
        "bidders.csv names a column twice",
        {"bidders.csv": ("bidder_id,name,sme", "bidder_id,name,name")},
        ["bidders.csv:1: name: duplicate column"],
    ),
    "wrong-type": (
        "text where a number belongs",
        {"lots.csv": ("L2,South,Area A,2500", "L2,South,Area A,abc")},
        ["lots.csv:3: hours_per_week: not a number: 'abc'"],
    ),
    "not-finite": (
        "NaN as a rate",
        {"bids.csv": ("B2,L1,16.00", "B2,L1,nan")},
        ["bids.csv:4: rate: not a finite number"],
    ),
    "negative-hours": (
        "negative hours per week",
        {"lots.csv": ("L1,North,Area A,2000", "L1,North,Area A,-2000")},
        ["lots.csv:2: hours_per_week: must be above 0"],
    ),
    "zero-hours": (
        "a lot with no hours",
        {"lots.csv": ("L3,East,Area B,3000", "L3,East,Area B,0")},
        ["lots.csv:4: hours_per_week: must be above 0"],
    ),
    "negative-rate": (
        "a negative hourly rate",
        {"bids.csv": ("B2,L3,15.50", "B2,L3,-15.50")},
        ["bids.csv:5: rate: must be above 0"],
    ),
    "wrong-cell-count": (
        "a row with an extra cell",
        {"bids.csv": ("B3,L2,14.90", "B3,L2,14.90,extra")},
        ["bids.csv:6: 4 cells but the header has 3 columns"],
    ),
    "bad-id": (
        "an id with a space in it",
        {"bidders.csv": ("B3,Gamma Support,true", "B 3,Gamma Support,true")},
        ["bidders.csv:4: bidder_id: not a valid id: 'B 3'"],
    ),
    "duplicate-lot": (
        "two lots with the same id",
        {"lots.csv": ("L3,East,Area B,3000", "L1,East,Area B,3000")},
        ["lots.csv:4: lot_id: duplicate lot_id 'L1' (first given in row 2)"],
    ),
    "duplicate-bidder": (
        "two bidders with the same id",
        {"bidders.csv": ("B3,Gamma Support,true", "B2,Gamma Support,true")},
        ["bidders.csv:4: bidder_id: duplicate bidder_id 'B2'"],
    ),
    "duplicate-bid": (
        "the same bidder bids twice on a lot",
        {"bids.csv": ("B3,L3,16.10", "B3,L2,16.10")},
        ["bids.csv:7: lot_id: duplicate bid for bidder, lot 'B3, L2'"],
    ),
    "bid-unknown-lot": (
        "a bid on a lot that is not in lots.csv",
        {"bids.csv": ("B1,L2,15.20", "B1,L9,15.20")},
        ["bids.csv:3: lot_id: unknown lot 'L9'"],
    ),
    "bid-unknown-bidder": (
        "a bid from a bidder that is not in bidders.csv",
        {"bids.csv": ("B3,L3,16.10", "B4,L3,16.10")},
        ["bids.csv:7: bidder_id: unknown bidder 'B4'"],
    ),
    "mark-unknown-criterion": (
        "a mark for a criterion that tender.toml does not define",
        {"marks.csv": ("B2,Q2,E2,4", "B2,Q3,E2,4")},
        ["marks.csv:9: criterion_id: unknown criterion 'Q3'"],
    ),
    "mark-unknown-bidder": (
        "a mark for a bidder that is not in bidders.csv",
        {"marks.csv": ("B3,Q2,E2,3", "B9,Q2,E2,3")},
        ["marks.csv:13: bidder_id: unknown bidder 'B9'"],
    ),
    "mark-unknown-lot": (
        "a lot-specific mark naming an unknown lot",
        {
            "marks.csv": ("score\n", "score,lot_id\n"),
            "marks.csv+": ("B3,Q2,E2,3,\n", "B3,Q2,E2,3,L7\n"),
        },
        ["marks.csv:13: lot_id: unknown lot 'L7'"],
    ),
    "score-above-max": (
        "a mark above the criterion's max_score",
        {"marks.csv": ("B1,Q1,E2,4", "B1,Q1,E2,7")},
        ["marks.csv:3: score: score 7 is above the max_score 5 of Q1"],
    ),
    "score-below-zero": (
        "a negative mark",
        {"marks.csv": ("B1,Q2,E1,3", "B1,Q2,E1,-1")},
        ["marks.csv:4: score: must be at least 0"],
    ),
    "missing-marks": (
        "a bidder with no marks for a criterion",
        {"marks.csv": ("B3,Q2,E1,3\nB3,Q2,E2,3\n", "")},
        ["bids.csv:6: bidder_id: bidder 'B3' has no marks for Q2"],
    ),
    "weights-not-summing": (
        "criteria weights that do not add up to quality_weight",
        {"tender.toml": ('name = "Workforce"\nweight = 30', 'name = "Workforce"\nweight = 25')},
        ["tender.toml:19: criteria.weight: criteria weights add up to 55 (30 + 25)"],
    ),
    "weights-not-100": (
        "quality_weight + price_weight is not 100",
        {"tender.toml": ("price_weight = 40", "price_weight = 50")},
        ["tender.toml:9: evaluation: quality_weight + price_weight must be 100, not 110"],
    ),
    "upper-below-lower": (
        "upper_rate below lower_rate",
        {"tender.toml": ("upper_rate = 17.50", "upper_rate = 13.50")},
        ["tender.toml:29: price: upper_rate 13.5 is below lower_rate 14.5"],
    ),
    "providers-min-above-max": (
        "providers_per_lot min above max",
        {"tender.toml": ("{ min = 1, max = 1 }", "{ min = 2, max = 1 }")},
        ["tender.toml:34: rules.providers_per_lot: min 2 is above max 1"],
    ),
    "lot-max-below-rules-min": (
        "a lot's own max_providers below the rules' min, which it keeps: at least 2 and at most 1",
        {
            "tender.toml": ("{ min = 1, max = 1 }", "{ min = 2 }"),
            "lots.csv": (
                _WHOLE,
                "lot_id,name,group,hours_per_week,max_providers\nL1,North,Area A,2000,\n"
                "L2,South,Area A,2500,1\nL3,East,Area B,3000,\n",
            ),
        },
        [
            "lots.csv:3: max_providers: max_providers 1 is below [rules] "
            "providers_per_lot.min 2, which applies while min_providers is empty"
        ],
    ),
    "lot-min-above-rules-max": (
        "a lot's own min_providers above the rules' max, which it keeps: at least 2 and at most 1",
        {
            "lots.csv": (
                _WHOLE,
                "lot_id,name,group,hours_per_week,min_providers\nL1,North,Area A,2000,\n"
                "L2,South,Area A,2500,\nL3,East,Area B,3000,2\n",
            ),
        },
        [
            "lots.csv:4: min_providers: min_providers 2 is above [rules] "
            "providers_per_lot.max 1, which applies while max_providers is empty"
        ],
    ),
    "unknown-toml-key": (
        "a typo in a tender.toml key",
        {"tender.toml": ("quality_pass_mark = 50", "quality_pas_mark = 50")},
        [
            "tender.toml:14: evaluation.quality_pas_mark: unknown key "
            "(did you mean 'quality_pass_mark'?)"
        ],
    ),
    "bad-regime": (
        "a regime tender does not know",
        {"tender.toml": ('regime = "pa2023"', 'regime = "pa2024"')},
        ["tender.toml:6: tender.regime: 'pa2024' is not allowed: expected 'pcr2015' or 'pa2023'"],
    ),
    "empty-lots": (
        "lots.csv with a header and no rows",
        {"lots.csv": ("L1,North,Area A,2000\nL2,South,Area A,2500\nL3,East,Area B,3000\n", "")},
        ["lots.csv: no lots"],
    ),
    "missing-file": (
        "no bids.csv",
        {"bids.csv": None},
        ["bids.csv: missing: a tender folder needs bids.csv"],
    ),
    "misspelt-file": (
        "moderation.csv saved as moderations.csv",
        {"moderation.csv": None, "moderations.csv": ("", "")},
        ["moderations.csv: unexpected file (did you mean moderation.csv?)"],
    ),
    "several-problems": (
        "three problems in two files, all reported in one run",
        {
            "lots.csv": ("L2,South,Area A,2500", "L2,South,Area A,lots"),
            "bids.csv": ("B2,L3,15.50", "B2,L3,cheap"),
            "bidders.csv": ("B1,Alpha Care,true", "B1,Alpha Care,maybe"),
        },
        [
            "3 problems found",
            "lots.csv:3: hours_per_week: not a number: 'lots'",
            "bids.csv:5: rate: not a number: 'cheap'",
            "bidders.csv:2: sme: not true or false: 'maybe'",
        ],
    ),
    "huge-number": (
        "1e308 hours: a typing slip, not a lot",
        {"lots.csv": ("L1,North,Area A,2000", "L1,North,Area A,1e308")},
        ["lots.csv:2: hours_per_week: must be at most 1e+09"],
    ),
    "infinite-rate": (
        "inf as a rate",
        {"bids.csv": ("B1,L2,15.20", "B1,L2,inf")},
        ["bids.csv:3: rate: not a finite number"],
    ),
    "formula-in-number": (
        "a spreadsheet formula where a number belongs",
        {"bids.csv": ("B3,L2,14.90", "B3,L2,=14.90+1")},
        ["bids.csv:6: rate: not a number: '=14.90+1'"],
    ),
    "lookalike-id": (
        "a bidder id with a Cyrillic letter that looks like a Latin B",
        {"bids.csv": ("B3,L3,16.10", "\u04123,L3,16.10")},
        ["bids.csv:7: bidder_id: not a valid id: '\u04123'"],
    ),
    "truncated-quote": (
        "a file cut off inside a quoted cell",
        {
            "moderation.csv": (
                "Panel agreed evidence of training matrix was partial.",
                '"Panel agreed',
            )
        },
        ["moderation.csv:2: not a readable CSV"],
    ),
    "empty-file": (
        "an empty bids.csv (0 bytes)",
        {
            "bids.csv": (
                "bidder_id,lot_id,rate\nB1,L1,15.00\nB1,L2,15.20\nB2,L1,16.00\n"
                "B2,L3,15.50\nB3,L2,14.90\nB3,L3,16.10\n",
                "",
            )
        },
        ["bids.csv: empty file"],
    ),
    "empty-toml": (
        "a tender.toml with nothing in it but a comment",
        {"tender.toml": ("[tender]", "# [tender]")},
        [
            "tender.toml: tender: missing: tender.toml needs a [tender] table",
            "tender.toml:3: id: a key outside any table: is a [table] header missing?",
        ],
    ),
    "unknown-table": (
        "a misspelt table in tender.toml",
        {"tender.toml": ("[rules]", "[rule]")},
        ["tender.toml:33: rule: unknown table (did you mean 'rules'?)"],
    ),
    "bad-date": (
        "an award decision date that is not a date",
        {"tender.toml": ("award_decision_date = 2026-12-01", 'award_decision_date = "next week"')},
        ["tender.toml:7: tender.award_decision_date: not a date: 'next week' (write dates as"],
    ),
    "excluded-without-reason": (
        "an excluded bidder with no reason given",
        {
            "bidders.csv": (
                "bidder_id,name,sme\nB1,Alpha Care,true",
                "bidder_id,name,sme,status\nB1,Alpha Care,true,excluded",
            )
        },
        [
            "bidders.csv:2: status_reason: an excluded bidder needs its reason",
            "bidders.csv:3: 3 cells",
        ],
    ),
    "truncated-row": (
        "bids.csv cut off in the middle of its last row (no final newline)",
        {"bids.csv": ("B3,L3,16.10\n", "B3,L")},
        ["bids.csv:7: 2 cells but the header has 3 columns"],
    ),
    "truncated-marks": (
        "marks.csv cut off in the middle of its last row",
        {"marks.csv": ("B3,Q2,E2,3\n", "B3,Q")},
        ["marks.csv:13: 2 cells but the header has 4 columns"],
    ),
    "truncated-toml": (
        "tender.toml cut off in the middle of a key",
        {"tender.toml": (_TOML_TAIL, "lower_rat")},
        ["tender.toml:30: not valid TOML", "(at end of document)"],
    ),
    "empty-toml-file": (
        "tender.toml of 0 bytes",
        {"tender.toml": (_WHOLE, "")},
        ["tender.toml: empty file"],
    ),
    "toml-nan": (
        "nan (valid TOML) as a rate in tender.toml",
        {"tender.toml": ("upper_rate = 17.50", "upper_rate = nan")},
        ["tender.toml:31: price.upper_rate: not a finite number: nan"],
    ),
    "toml-inf": (
        "inf (valid TOML) as the budget",
        {
            "tender.toml": (
                "max_lots_per_bidder = 2",
                "max_lots_per_bidder = 2\nbudget_per_year = inf",
            )
        },
        ["tender.toml:36: rules.budget_per_year: not a finite number: inf"],
    ),
    "toml-huge-number": (
        "1e308 as the budget",
        {
            "tender.toml": (
                "max_lots_per_bidder = 2",
                "max_lots_per_bidder = 2\nbudget_per_year = 1e308",
            )
        },
        ["tender.toml:36: rules.budget_per_year: must be at most 1e+09, not 1e+308"],
    ),
    "toml-deep-nesting": (
        "a value nested 3000 arrays deep: the parser recursed until Python gave up",
        {"tender.toml": ("[price]", "junk = " + "[" * 3000 + "]" * 3000 + "\n\n[price]")},
        ["tender.toml: not valid TOML: values nested too deeply"],
    ),
    "unknown-rules-key": (
        "a typo in a [rules] key",
        {"tender.toml": ("max_lots_per_bidder = 2", "max_lot_per_bidder = 2")},
        [
            "tender.toml:35: rules.max_lot_per_bidder: unknown key "
            "(did you mean 'max_lots_per_bidder'?)"
        ],
    ),
    "unknown-criteria-key": (
        "a typo in a [[criteria]] key, so the real key is missing too",
        {
            "tender.toml": (
                "weight = 30\nmax_score = 5\nmin_score = 2",
                "weight = 30\nmaxscore = 5\nmin_score = 2",
            )
        },
        [
            "tender.toml:20: criteria.maxscore: unknown key (did you mean 'max_score'?)",
            "criteria.max_score: required but empty",
        ],
    ),
    "huge-rate": (
        "1e308 as an hourly rate",
        {"bids.csv": ("B1,L2,15.20", "B1,L2,1e308")},
        ["bids.csv:3: rate: must be at most 1e+09, not 1e308"],
    ),
    "negative-infinite-hours": (
        "-inf hours per week",
        {"lots.csv": ("L2,South,Area A,2500", "L2,South,Area A,-inf")},
        ["lots.csv:3: hours_per_week: not a finite number"],
    ),
    "negative-zero-hours": (
        "-0 hours per week: zero with a sign is still zero",
        {"lots.csv": ("L2,South,Area A,2500", "L2,South,Area A,-0")},
        ["lots.csv:3: hours_per_week: must be above 0"],
    ),
    "nan-score": (
        "NaN as an evaluator's mark",
        {"marks.csv": ("B2,Q1,E1,3", "B2,Q1,E1,NaN")},
        ["marks.csv:6: score: not a finite number"],
    ),
    "zero-width-id": (
        "a zero-width space inside a bidder id: invisible, and a different bidder",
        {"bids.csv": ("B3,L3,16.10", "B\u200b3,L3,16.10")},
        ["bids.csv:7: bidder_id: not a valid id: 'B\\u200b3'"],
    ),
    "fullwidth-id": (
        "a full-width digit in a bidder id (looks like B3)",
        {"bids.csv": ("B3,L3,16.10", "B\uff13,L3,16.10")},
        ["bids.csv:7: bidder_id: not a valid id: 'B\uff13'"],
    ),
    "lookalike-lot-id": (
        "a lot id starting with the Roman numeral \u216c, not the letter L",
        {"lots.csv": ("L3,East,Area B,3000", "\u216c3,East,Area B,3000")},
        ["lots.csv:4: lot_id: not a valid id: '\u216c3'"],
    ),
    "id-with-space": (
        "a lot id with a space inside",
        {"lots.csv": ("L3,East,Area B,3000", "L 3,East,Area B,3000")},
        ["lots.csv:4: lot_id: not a valid id: 'L 3'"],
    ),
    "formula-in-id": (
        "a spreadsheet formula (DDE injection) as a bidder id",
        {"bidders.csv": ("B3,Gamma Support,true", "=cmd|' /C calc'!A0,Gamma Support,true")},
        ["bidders.csv:4: bidder_id: not a valid id"],
    ),
    "html-in-id": (
        "HTML as a lot id: ids become file names and must stay plain",
        {"lots.csv": ("L1,North,Area A,2000", "<script>,North,Area A,2000")},
        ["lots.csv:2: lot_id: not a valid id: '<script>'"],
    ),
    "jinja-in-id": (
        "Jinja syntax as a bidder id in bids.csv",
        {"bids.csv": ("B2,L3,15.50", "{{7*7}},L3,15.50")},
        ["bids.csv:5: bidder_id: not a valid id: '{{7*7}}'"],
    ),
    "duplicate-header-bids": (
        "bids.csv names the rate column twice",
        {"bids.csv": ("bidder_id,lot_id,rate\n", "bidder_id,lot_id,rate,rate\n")},
        ["bids.csv:1: rate: duplicate column"],
    ),
    "type-lot-and-weights": (
        "a rate that is not a number, a bid on an unknown lot and criteria weights adding to 55:"
        " one run reports all three, by file then row",
        {
            "bids.csv": ("B1,L2,15.20", "B1,L9,15.20"),
            "bids.csv+": ("B2,L3,15.50", "B2,L3,abc"),
            "tender.toml": ('name = "Workforce"\nweight = 30', 'name = "Workforce"\nweight = 25'),
        },
        [
            "3 problems found:",
            "tender.toml:19: criteria.weight: criteria weights add up to 55 (30 + 25), "
            "but quality_weight is 60",
            "bids.csv:3: lot_id: unknown lot 'L9' (not in lots.csv)",
            "bids.csv:5: rate: not a number: 'abc'",
        ],
    ),
    "bad-row-no-echo": (
        "a lot row that fails its own checks: bids and marks on that lot are not also unknown",
        {
            "lots.csv": ("L3,East,Area B,3000", "L3,East,Area B,lots"),
            "bids.csv": ("B3,L2,14.90", "B3,L7,14.90"),
        },
        [
            "2 problems found:",
            "lots.csv:4: hours_per_week: not a number: 'lots'",
            "bids.csv:6: lot_id: unknown lot 'L7' (not in lots.csv)",
        ],
    ),
    "band-typo": (
        "a lot's band naming no [price.bands] table: it would silently price at the tender's rates",
        {
            "lots.csv": ("hours_per_week\n", "hours_per_week,band\n"),
            "lots.csv+": ("L2,South,Area A,2500,", "L2,South,Area A,2500,urbn"),
            "lots.csv++": ("L3,East,Area B,3000,", "L3,East,Area B,3000,rural"),
            "tender.toml": (
                "upper_rate = 17.50\n",
                "upper_rate = 17.50\n\n[price.bands.urban]\nupper_rate = 18.00\n\n"
                "[price.bands.rural]\nupper_rate = 19.00\n",
            ),
        },
        ["lots.csv:3: band: unknown band 'urbn' (did you mean 'urban'?)"],
    ),
    "mark-lot-not-bid": (
        "a lot-specific mark for a lot its bidder did not bid on: it would never count",
        {
            "marks.csv": ("score\n", "score,lot_id\n"),
            "marks.csv+": ("B1,Q2,E2,4,\n", "B1,Q2,E2,4,L3\n"),
        },
        ["marks.csv:5: lot_id: bidder 'B1' did not bid on lot 'L3' (no such row in bids.csv)"],
    ),
    "currency-sign": (
        "a rate saved from Excel with its currency sign",
        {"bids.csv": ("B1,L1,15.00", "B1,L1,\u00a315.00")},
        ["bids.csv:2: rate: not a number: '\u00a315.00' (write 15.00: no currency sign)"],
    ),
    "thousands-separator": (
        "hours saved from Excel with a thousands separator",
        {"lots.csv": ("L1,North,Area A,2000", 'L1,North,Area A,"2,000"')},
        ["lots.csv:2: hours_per_week: not a number: '2,000' (write 2000: no thousands separator)"],
    ),
    "value-in-unnamed-column": (
        "Excel's trailing blank column is fine while empty; this one holds a value",
        {
            "bids.csv": ("rate\n", "rate,\n"),
            "bids.csv+": ("B2,L1,16.00,\n", "B2,L1,16.00,16.50\n"),
        },
        ["bids.csv:4: '16.50' in column 4, which has no name in row 1"],
    ),
    "semicolon-delimiter": (
        "bids.csv saved with semicolons (a European Excel default)",
        {"bids.csv": ("bidder_id,lot_id,rate", "bidder_id;lot_id;rate")},
        ["bids.csv:1: bidder_id;lot_id;rate: unknown column", "bids.csv:1: rate: missing column"],
    ),
}


def make_case(name: str) -> None:
    """Write one broken copy of the good tender."""
    what, edits, expected = CASES[name]
    folder = BAD / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(GOOD, folder)
    for file, edit in edits.items():
        path = folder / file.rstrip("+")
        if edit is None:
            path.unlink()
            continue
        old, new = edit
        if file == "moderations.csv":
            shutil.copyfile(GOOD / "moderation.csv", path)
            continue
        text = path.read_text(encoding="utf-8")
        if old == _WHOLE:
            old = text
        assert old in text, (name, file, old)
        text = text.replace(old, new, 1)
        if new in ("score,lot_id\n", "hours_per_week,band\n", "rate,\n"):
            # every row needs the new (empty) cell
            head, _, rows = text.partition("\n")
            text = head + "\n" + "".join(f"{row}," + "\n" for row in rows.splitlines())
        path.write_text(text, encoding="utf-8")
    lines = [f"# {what}", *expected]
    (folder / "EXPECTED").write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_latin1() -> None:
    """A lots.csv saved as Latin-1, as Excel's plain 'CSV' does on Windows."""
    folder = BAD / "not-utf8"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(GOOD, folder)
    text = (folder / "lots.csv").read_text(encoding="utf-8").replace("South", "Sud-Est é")
    (folder / "lots.csv").write_bytes(text.encode("latin-1"))
    (folder / "EXPECTED").write_text(
        "# lots.csv saved as Latin-1\nlots.csv:3: not UTF-8 text (byte 0xe9 at line 3)\n",
        encoding="utf-8",
    )


#: Cases whose broken file is bytes, not an edit of text: (what, file, bytes, expected).
BYTE_CASES: dict[str, tuple[str, str, bytes, list[str]]] = {
    "binary-file": (
        "a PNG image saved as bids.csv",
        "bids.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        ["bids.csv:3: binary data (a NUL byte): expected UTF-8 text"],
    ),
    "binary-after-header": (
        "bids.csv whose rows were overwritten with binary data",
        "bids.csv",
        b"bidder_id,lot_id,rate\nB1,L1,15.00\n\x00\x01\x02\xff\xfe",
        ["bids.csv:3: binary data (a NUL byte)"],
    ),
    "utf16-file": (
        "bids.csv saved as UTF-16 ('Unicode Text' in Excel)",
        "bids.csv",
        (GOOD / "bids.csv").read_text(encoding="utf-8").encode("utf-16"),
        ["bids.csv:1: UTF-16 text: save the file as UTF-8"],
    ),
    "latin1-toml": (
        "tender.toml saved as Latin-1",
        "tender.toml",
        (GOOD / "tender.toml")
        .read_text(encoding="utf-8")
        .replace("Mini tender", "Mini tender \u00e9t\u00e9")
        .encode("latin-1"),
        ["tender.toml:4: not UTF-8 text (byte 0xe9 at line 4)"],
    ),
    "crlf-bom-with-error": (
        "a BOM and Windows line endings (both fine) and a bad rate: rows still count right",
        "bids.csv",
        b"\xef\xbb\xbf"
        + (GOOD / "bids.csv")
        .read_text(encoding="utf-8")
        .replace("B2,L3,15.50", "B2,L3,cheap")
        .replace("\n", "\r\n")
        .encode("utf-8"),
        ["bids.csv:5: rate: not a number: 'cheap'"],
    ),
}


def make_byte_case(name: str) -> None:
    """Write one broken copy whose broken file is given as bytes."""
    what, file, data, expected = BYTE_CASES[name]
    folder = BAD / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(GOOD, folder)
    (folder / file).write_bytes(data)
    (folder / "EXPECTED").write_text("\n".join([f"# {what}", *expected]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for case in CASES:
        make_case(case)
    make_latin1()
    for case in BYTE_CASES:
        make_byte_case(case)
    print(f"wrote {len(CASES) + len(BYTE_CASES) + 1} cases to {BAD}")
