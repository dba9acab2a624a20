"""KvK bulk files (CSV) of any size, generated as a stream from the sandbox's register.

``python -m sandbox.kvk_bulk --rows 6000000 out.csv`` writes a file in the layout
below; the same seed gives the same bytes.  The first rows are the register's
listed companies (KvK's public test numbers and the seeded synthetic companies,
one row per branch, as the sandbox knew them before any change signal); then
follow the companies of the bulk population (``sandbox/services/kvk_population.py``),
one row each, which the sandbox's Basisprofiel, Vestigingsprofiel and Zoeken (by
number) also answer for.  Up to 20,001,6xx rows are possible.

Layout: UTF-8, ``;`` as separator, ``"`` as quote (only where a value needs it),
``\\n`` line ends, one header row with these column names, one row per
registration (a branch, or a legal entity without a branch):

=========================  ==================================================================
``kvk_nummer``             8 digits
``vestigingsnummer``       12 digits; empty for a legal entity without a branch
``hoofdvestiging``         ``J`` (main branch, or a legal entity without a branch) or ``N``
``naam``                   first trade name of the branch (name of the entity without branch)
``statutaire_naam``        statutory name (legal entities only)
``rechtsvorm``             legal form as the Basisprofiel writes it (``Besloten Vennootschap``)
``rsin``                   9 digits (legal entities only)
``sbi_hoofdactiviteit``    SBI code of the main activity (5 digits)
``sbi_nevenactiviteiten``  other SBI codes, separated by spaces
``straatnaam``             visiting address: street
``huisnummer``             house number
``huisletter``             house letter
``huisnummertoevoeging``   addition to the house number
``postcode``               ``1234AB``; empty when the address is shielded
``plaats``                 place (woonplaats)
``gemeente``               municipality
``postbusnummer``          postal address: PO box
``postadres_postcode``     postal address: postcode
``postadres_plaats``       postal address: place
``werkzame_personen``      number of people working there (a whole number)
``datum_aanvang``          ``YYYYMMDD``
``datum_einde``            ``YYYYMMDD``; empty while active
``website``                first website
=========================  ==================================================================

``bad_every=N`` replaces every N-th data row by a defective one (in turn: a row with
too few columns, a KvK number with letters, a wrong postcode, a word as the number
of employees, an 11-digit vestigingsnummer) and puts an empty line after it, for
tests of a reader's error reporting; :func:`write` returns the line numbers.
"""

import argparse
import sys
from dataclasses import dataclass, field

from .core import DEFAULT_SEED
from .services.kvk_population import CHUNK, MUNICIPALITY_OF, SIZE, Population, legal_form_name
from .services.kvk_register import Register

COLUMNS = (
    "kvk_nummer",
    "vestigingsnummer",
    "hoofdvestiging",
    "naam",
    "statutaire_naam",
    "rechtsvorm",
    "rsin",
    "sbi_hoofdactiviteit",
    "sbi_nevenactiviteiten",
    "straatnaam",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "postcode",
    "plaats",
    "gemeente",
    "postbusnummer",
    "postadres_postcode",
    "postadres_plaats",
    "werkzame_personen",
    "datum_aanvang",
    "datum_einde",
    "website",
)
SEPARATOR = ";"
DEFECTS = ("columns", "kvk_nummer", "postcode", "werkzame_personen", "vestigingsnummer")
_NEEDS_QUOTES = (SEPARATOR, '"', "\n", "\r")


def _cell(value):
    text = "" if value is None else str(value)
    if any(mark in text for mark in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def _listed_rows(register):
    for company in register.listed.values():
        form = company["rechtsvorm"]
        sbi_main = next((code for code, main in company["sbi"] if main), "")
        sbi_other = " ".join(code for code, main in company["sbi"] if not main)
        entity = [company["statutaireNaam"] or "", form, company["rsin"] or ""]
        branches = register.branches(company)
        if not branches:
            visiting = next(iter(company["eigenaar_adressen"]), None)
            staff = 0
            yield [company["kvkNummer"], "", "J", company["naam"], *entity, sbi_main, sbi_other,
                   *_address_cells(visiting, None), staff, company["aanvang"] or company["registratie"],
                   company["einde"] or "", next(iter(company["websites"]), "")]  # fmt: skip
            continue
        for item in branches:
            visiting = next((a for a in item["adressen"] if a["type"] == "bezoekadres"), None)
            postal = next((a for a in item["adressen"] if a["type"] != "bezoekadres"), None)
            main = next((code for code, flag in item["sbi"] if flag), sbi_main)
            other = " ".join(code for code, flag in item["sbi"] if not flag) if item["sbi"] else sbi_other
            yield [company["kvkNummer"], item["vestigingsnummer"], "J" if item["hoofd"] else "N",
                   item["eersteHandelsnaam"], *entity, main, other, *_address_cells(visiting, postal),
                   item["voltijd"] + item["deeltijd"], item["start"], item["einde"] or "",
                   next(iter(item["websites"]), "")]  # fmt: skip


def _address_cells(visiting, postal):
    if visiting is None or visiting["shielded"]:
        cells = ["", "", "", "", "", "", ""]
    else:
        place = visiting["plaats"]
        cells = [visiting["straatnaam"], visiting["huisnummer"], visiting["huisletter"], visiting["toevoeging"],
                 visiting["postcode"], place, MUNICIPALITY_OF.get(place, place)]  # fmt: skip
    if postal is None or postal["shielded"]:
        return [*cells, "", "", ""]
    return [*cells, postal["postbusnummer"], postal["postcode"], postal["plaats"]]


def _population_rows(population, first=0):
    chunk = first // CHUNK
    skip = first % CHUNK
    while chunk * CHUNK < SIZE:
        for row in population.rows(chunk)[skip:]:
            yield [row["kvk"], row["vestigingsnummer"], "J", row["naam"],
                   row["naam"] if row["rsin"] else "", legal_form_name(row["form"]), row["rsin"], row["sbi"],
                   " ".join(row["sbi_other"]), row["straat"], row["huisnummer"], row["huisletter"], "",
                   row["postcode"], row["plaats"], row["gemeente"], row["postbus"], row["post_postcode"],
                   row["plaats"] if row["postbus"] else "", row["werkzame_personen"], row["start"], row["einde"],
                   row["website"]]  # fmt: skip
        chunk += 1
        skip = 0


def rows(count, seed=DEFAULT_SEED):
    """The first ``count`` data rows (lists of values, in :data:`COLUMNS` order)."""
    register = Register(seed)
    produced = 0
    for row in _listed_rows(register):
        if produced >= count:
            return
        yield row
        produced += 1
    for row in _population_rows(Population(seed)):
        if produced >= count:
            return
        yield row
        produced += 1
    if produced < count:
        raise ValueError(f"a bulk file holds at most {produced} rows, not {count}")


def _defective(row, kind):
    row = list(row)
    if kind == "columns":
        return row[:7]
    if kind == "kvk_nummer":
        row[0] = row[0][:2] + "AB" + row[0][4:]
    elif kind == "postcode":
        row[13] = "AB12CD"
    elif kind == "werkzame_personen":
        row[19] = "veel"
    elif kind == "vestigingsnummer":
        row[1] = "12345678901"
    return row


@dataclass
class Written:
    rows: int = 0  # data rows, defective ones included
    bytes: int = 0
    bad_lines: dict = field(default_factory=dict)  # line number -> kind of defect
    empty_lines: list = field(default_factory=list)


def write(out, count, seed=DEFAULT_SEED, bad_every=0, chunk_rows=20_000):
    """Write a bulk file of ``count`` data rows to the binary file object ``out``, streaming.

    Line 1 is the header, data row ``k`` (from 1) is on line ``k + 1`` plus the empty
    lines that ``bad_every`` put before it."""
    written = Written()
    buffer = [SEPARATOR.join(COLUMNS)]
    line = 1
    defects = 0
    for number, row in enumerate(rows(count, seed), start=1):
        line += 1
        if bad_every and number % bad_every == 0:
            kind = DEFECTS[defects % len(DEFECTS)]
            defects += 1
            row = _defective(row, kind)
            written.bad_lines[line] = kind
            buffer.append(SEPARATOR.join(map(_cell, row)))
            line += 1
            written.empty_lines.append(line)
            buffer.append("")
        else:
            buffer.append(SEPARATOR.join(map(_cell, row)))
        written.rows += 1
        if len(buffer) >= chunk_rows:
            written.bytes += out.write(("\n".join(buffer) + "\n").encode())
            buffer = []
    if buffer:
        written.bytes += out.write(("\n".join(buffer) + "\n").encode())
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox.kvk_bulk", description=__doc__.splitlines()[0])
    parser.add_argument("output", help="file to write; - for standard output")
    parser.add_argument("--rows", type=int, required=True, help="number of data rows")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the sandbox whose register to list")
    parser.add_argument("--bad-every", type=int, default=0, help="make every N-th data row defective")
    args = parser.parse_args(argv)
    if args.rows < 0 or args.bad_every < 0:
        parser.error("--rows and --bad-every take numbers of 0 or more")
    if args.output == "-":
        written = write(sys.stdout.buffer, args.rows, args.seed, args.bad_every)
    else:
        with open(args.output, "wb") as out:
            written = write(out, args.rows, args.seed, args.bad_every)
    print(f"{written.rows} rows, {written.bytes} bytes, {len(written.bad_lines)} defective", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
