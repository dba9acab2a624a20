"""Reading a KvK bulk file (CSV) in one streaming pass: "test selection" and import batches.

Plain Python, no Odoo.  A customer's licensed KvK extract is a CSV file with one row
per registration (a branch, or a legal entity without a branch).  Its columns are
named through a :class:`ColumnMapping` (neutral field -> column header; the default is
the layout ``sandbox/kvk_bulk.py`` documents and writes).  Only ``kvk_number`` is
required; a criterion whose column is missing cannot hold.

* :func:`run_test_selection` counts the rows that match a :class:`~.kvk_criteria.Criteria`
  and keeps the first few as a sample;
* :func:`iter_matches` yields the matching rows in batches for an import, each batch
  with the line up to which the file has been read, so an import resumes after a
  crash from ``start_line`` without taking a row twice.

Both report every bad row (wrong number of columns, a KvK number, vestigingsnummer,
postcode, SBI code, number of employees, date or main-branch flag that is not one,
text that is not in the file's encoding) with its line number, and go on.

The file is read with pyarrow's streaming CSV reader in blocks of 1 MiB, one thread,
reading only the columns needed, and the criteria are applied to whole blocks with
pyarrow's compute functions: six million rows in a few seconds, in bounded memory
(measured in ``bench/bench_kvk_selection.py``).  Quotes are not interpreted by that
reader, so that a physical line is always one row and its number is known; a line
whose column count is off because a quoted value holds the separator is parsed again
with the csv module and kept when it then fits.  A quoted value that spans lines is
reported as bad rows.  :func:`csv_test_selection` does the same selection with the csv
module, row by row, through :meth:`Criteria.decide`: the baseline of the benchmark and
the reference of the tests.
"""

import csv
import io
import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from .kvk_criteria import EMPLOYEE_CLASSES, Candidate, Municipalities, legal_form_key, normalise, selection_band
from .kvk_parser import Activity, Address, Profile, dutch_postcode, kvk_date, sbi_version

# neutral field -> default column header (sandbox/kvk_bulk.py)
FIELDS = {
    "kvk_number": "kvk_nummer",
    "branch_number": "vestigingsnummer",
    "main_branch": "hoofdvestiging",
    "name": "naam",
    "statutory_name": "statutaire_naam",
    "legal_form": "rechtsvorm",
    "rsin": "rsin",
    "sbi_main": "sbi_hoofdactiviteit",
    "sbi_other": "sbi_nevenactiviteiten",
    "street": "straatnaam",
    "house_number": "huisnummer",
    "house_letter": "huisletter",
    "house_number_addition": "huisnummertoevoeging",
    "postcode": "postcode",
    "city": "plaats",
    "municipality": "gemeente",
    "po_box": "postbusnummer",
    "postal_postcode": "postadres_postcode",
    "postal_city": "postadres_plaats",
    "employees": "werkzame_personen",
    "start_date": "datum_aanvang",
    "end_date": "datum_einde",
    "website": "website",
}
REQUIRED = ("kvk_number",)
# The fields a test selection reads: the criteria's, the checks' and the sample's.
SELECTION_FIELDS = ("kvk_number", "branch_number", "main_branch", "name", "legal_form", "sbi_main", "sbi_other",
                    "postcode", "city", "municipality", "employees", "end_date")  # fmt: skip
# Checks of a row's values: field -> (kind, argument, what is wrong otherwise).  Each kind has a
# row-by-row form (check_row) and a pyarrow form (_vector_checks) that accept the same values.
CHECKS = {
    "kvk_number": ("digits", (8, 8), "the KvK number {!r} is not 8 digits"),
    "branch_number": ("digits", (12, 12), "the vestigingsnummer {!r} is not 12 digits"),
    "postcode": ("pattern", r"[0-9]{4} ?[A-Za-z]{2}", "the postcode {!r} is not a Dutch postcode (1234AB)"),
    "sbi_main": ("digits", (2, 6), "the SBI code {!r} is not 2 to 6 digits"),
    "sbi_other": ("codes", None, "the other SBI codes {!r} are not codes separated by spaces"),
    "employees": ("digits", (1, 7), "the number of employees {!r} is not a whole number"),
    "main_branch": ("flag", None, "the main-branch flag {!r} is not J or N"),
    "start_date": ("digits", (8, 8), "the start date {!r} is not YYYYMMDD"),
    "end_date": ("digits", (8, 8), "the end date {!r} is not YYYYMMDD"),
}
FLAGS = ("j", "ja", "n", "nee", "y", "yes", "no", "1", "0", "true", "false")
YES = ("j", "ja", "y", "yes", "1", "true")
BLOCK_SIZE = 1 << 19  # 512 KiB: the reader's memory grows with its block size
MAX_TEXT = 200


class BulkFileError(Exception):
    """The file as a whole cannot be read (no header, a missing column, not a CSV file)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds which field.  ``columns``: field -> header; a field mapped to ""
    or left out is not in the file."""

    columns: dict = field(default_factory=lambda: dict(FIELDS))
    delimiter: str = ";"
    encoding: str = "utf-8"

    def __post_init__(self):
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise BulkFileError("mapping", f"unknown fields in the column mapping: {', '.join(sorted(unknown))}")
        for name in REQUIRED:
            if not self.columns.get(name):
                raise BulkFileError("mapping", f"the column mapping must name the column of {name}")
        if len(self.delimiter) != 1 or self.delimiter in ('"', "\n", "\r"):
            raise BulkFileError("mapping", f"{self.delimiter!r} cannot separate columns")
        try:
            "".encode(self.encoding)
        except LookupError as exc:
            raise BulkFileError("mapping", f"unknown encoding {self.encoding!r}") from exc

    @classmethod
    def parse(cls, text, delimiter=";", encoding="utf-8"):
        """A mapping from lines ``field = column header`` (or ``field: header``); fields not named keep
        their default header unless mapped to nothing (``municipality =``)."""
        columns = dict(FIELDS)
        for number, line in enumerate(str(text or "").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            match = re.fullmatch(r"([a-z_]+)\s*[=:]\s*(.*)", line)
            if not match:
                raise BulkFileError("mapping", f"line {number} of the column mapping is not 'field = column': {line!r}")
            columns[match.group(1)] = match.group(2).strip()
        return cls(columns, delimiter, encoding)

    def mapped(self, fields=None):
        """field -> header for the given fields (all by default) that the mapping names."""
        return {f: self.columns[f] for f in (fields or FIELDS) if self.columns.get(f)}


@dataclass
class BulkRow:
    """A row of the file by field name (strings; ``employees`` an int or None)."""

    line: int
    values: dict

    def __getattr__(self, name):
        if name in FIELDS:
            return self.values.get(name, "")
        raise AttributeError(name)

    def candidate(self, municipality_of=None, today=None):
        return Candidate.from_bulk(self.values, municipality_of, today)

    def profile(self):
        """The row as a :class:`~.kvk_parser.Profile`, as a Basisprofiel (a main branch or a legal entity
        without one) or a Vestigingsprofiel (a side branch) would give it: what a contact is made of."""
        get = self.values.get
        branch = get("branch_number") or ""
        main = str(get("main_branch") or "").strip().lower() in YES or not branch
        number = " ".join(p for p in (get("house_number"), get("house_letter"), get("house_number_addition")) if p)
        street = f"{get('street') or ''} {number}".strip()
        visiting = None
        if street or get("postcode") or get("city"):
            visiting = Address(
                kind="bezoekadres",
                street=street,
                street_name=get("street") or "",
                house_number=number,
                postcode=dutch_postcode(get("postcode")),
                city=get("city") or "",
            )
        postal = None
        if get("po_box") or get("postal_postcode"):
            postal = Address(
                kind="correspondentieadres",
                street=f"Postbus {get('po_box')}" if get("po_box") else "",
                po_box=get("po_box") or "",
                postcode=dutch_postcode(get("postal_postcode")),
                city=get("postal_city") or "",
            )
        activities = [Activity(get("sbi_main"), "", True, sbi_version(get("sbi_main")))] if get("sbi_main") else []
        activities += [
            Activity(code, "", False, sbi_version(code)) for code in (get("sbi_other") or "").split() if code
        ]
        founding_raw, founding = kvk_date(get("start_date"))
        end_raw, end = kvk_date(get("end_date"))
        kind = "hoofdvestiging" if branch and main else "nevenvestiging" if branch else "rechtspersoon"
        website = get("website") or ""
        return Profile(
            kvk_number=get("kvk_number") or "",
            branch_number=branch,
            rsin=get("rsin") or "",
            name=get("name") or get("statutory_name") or "",
            statutory_name=get("statutory_name") or "",
            legal_form=get("legal_form") or "",
            founding_raw=founding_raw,
            founding_date=founding,
            end_raw=end_raw,
            end_date=end,
            websites=[website] if website else [],
            visiting=visiting,
            postal=postal,
            activities=activities,
            employees=get("employees") if isinstance(get("employees"), int) else None,
            main_branch=main,
            kind=kind,
        )


@dataclass
class BadRow:
    """A row that cannot be read: its line, what is wrong (``reason``, in English; ``code`` and ``args``
    say the same for a caller that words it in its user's language) and its text."""

    line: int
    reason: str
    text: str = ""
    code: str = ""  # "columns", "encoding", "missing" (the KvK number), "unreadable", or the field whose value is wrong
    args: dict = field(default_factory=dict)

    @classmethod
    def of(cls, line, problem, text=""):
        """A bad row from a ``(code, args)`` problem (see :func:`row_problem`)."""
        code, args = problem
        return cls(line, problem_text(code, args), text, code, dict(args))


@dataclass
class SelectionResult:
    rows: int = 0  # data rows read (bad ones included, empty lines not)
    matches: int = 0
    sample: list = field(default_factory=list)  # the first matching BulkRows
    bad_rows: list = field(default_factory=list)  # the first max_bad_rows BadRows
    bad_count: int = 0
    missing_columns: list = field(default_factory=list)  # mapped columns the file does not have

    @property
    def band(self):
        """``below``, ``within`` or ``above`` the usual size of a target group (1,000 to 20,000)."""
        return selection_band(self.matches)


@dataclass
class MatchBatch:
    rows: list  # matching BulkRows, in file order
    bad_rows: list
    last_line: int  # every line up to here has been read; resume with start_line=last_line
    rows_read: int  # data rows read so far in this pass


# -- helpers -------------------------------------------------------------------------------------


def _open(source):
    """A binary file object for a path or a file object, and whether to close it."""
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True  # noqa: SIM115 - closed by the caller
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), True
    return source, False


def _header(stream, mapping):
    start = stream.tell()
    first = stream.readline(1 << 16)
    stream.seek(start)
    if not first.strip():
        raise BulkFileError("empty", "the file is empty: it needs a header line with the column names")
    try:
        text = first.decode(_text_encoding(mapping))
    except UnicodeDecodeError as exc:
        raise BulkFileError("encoding", f"the header line is not {mapping.encoding} text") from exc
    names = [name.strip() for name in next(csv.reader([text.rstrip("\r\n")], delimiter=mapping.delimiter))]
    missing = [f"{header} ({name})" for name, header in mapping.mapped().items() if header not in names]
    required = [mapping.columns[name] for name in REQUIRED]
    if any(header not in names for header in required):
        raise BulkFileError(
            "missing_column",
            f"the file has no column {', '.join(required)} (the KvK number); its columns are: {', '.join(names)}",
        )
    return names, missing


def _check_regex(name):
    """The check of a field as one regular expression (RE2) over the whole value, "" allowed when optional."""
    kind, argument, _message = CHECKS[name]
    if kind == "digits":
        pattern = f"[0-9]{{{argument[0]},{argument[1]}}}"
    elif kind == "pattern":
        pattern = argument
    elif kind == "codes":
        pattern = "[0-9]+(?: [0-9]+)*"
    else:
        pattern = "(?i:" + "|".join(FLAGS) + ")"
    return f"^(?:{pattern})$" if name in REQUIRED else f"^(?:{pattern})?$"


def _accepts(kind, argument, value):
    if kind == "digits":
        low, high = argument
        return value.isascii() and value.isdecimal() and low <= len(value) <= high
    if kind == "pattern":
        return re.fullmatch(argument, value) is not None
    if kind == "codes":
        return re.fullmatch(r"[0-9]+( [0-9]+)*", value) is not None
    return value.lower() in FLAGS


def row_problem(values):
    """What is wrong with a row's values (dict by field) as ``(code, args)``, or None when nothing is:
    ``("missing", {"field": name})`` or ``(field, {"value": value})``."""
    for name, (kind, argument, _message) in CHECKS.items():
        value = values.get(name)
        if name in REQUIRED and not value:
            return "missing", {"field": name}
        if value not in (None, "") and not _accepts(kind, argument, str(value)):
            return name, {"value": str(value)}
    return None


def problem_text(code, args):
    """A problem of :func:`row_problem` (or of the file's layout) in English."""
    if code == "columns":
        text = f"{args['found']} columns instead of {args['expected']}"
        return text + " (a quoted value may span lines)" if args.get("quoted") else text
    if code == "encoding":
        return f"text that is not {args['encoding']}"
    if code == "missing":
        return "the KvK number is missing"
    if code == "unreadable":
        return "the row cannot be read"
    return CHECKS[code][2].format(args["value"])


def check_row(values):
    """What is wrong with a row's values (dict by field), or "" when nothing is."""
    problem = row_problem(values)
    return problem_text(*problem) if problem else ""


def _typed(values):
    """Strings as read -> the row's values (employees as int, postcode without space, upper case)."""
    out = {name: (value if value is not None else "") for name, value in values.items()}
    if out.get("employees", "") != "":
        out["employees"] = int(out["employees"])
    elif "employees" in out:
        out["employees"] = None
    if out.get("postcode"):
        out["postcode"] = out["postcode"].replace(" ", "").upper()
    return out


def _row_text(values, order):
    text = ";".join(str(values.get(name) or "") for name in order)
    return text[:MAX_TEXT]


# -- the pyarrow pass ------------------------------------------------------------------------------


class _Scan:
    """One streaming pass over a file: batches of rows with line numbers, bad rows, the mask of matches."""

    def __init__(self, source, criteria, mapping, fields, municipality_of, today, max_bad_rows):
        import pyarrow  # noqa: F401 - imported here: the rest of the clients package works without it

        self.criteria = criteria
        self.mapping = mapping or ColumnMapping()
        self.municipality_of = Municipalities.wrap(municipality_of)
        self.day = today or date.today()
        self.today = self.day.strftime("%Y%m%d")
        self.max_bad_rows = max_bad_rows
        self.stream, self._close = _open(source)
        try:
            self.names, self.missing = _header(self.stream, self.mapping)
        except Exception:
            self.close()
            raise
        self.fields = {name: header for name, header in self.mapping.mapped(fields).items() if header in self.names}
        self.invalid_lines = []  # lines pyarrow skipped (wrong column count), in order
        self.pending_bad = []  # BadRows found while pyarrow parsed, not yet handed out
        self.rescued = []  # (line, values) of quoted lines that fit once their quotes are read
        self.bad_count = 0
        self.rows = 0  # data rows read, bad ones included
        self.matches = 0
        self.memo = {}  # per criterion: value -> whether it holds (few distinct places and legal forms)

    def close(self):
        if self._close:
            self.stream.close()

    def _on_invalid(self, row):
        line = row.number
        self.invalid_lines.append(line)
        text = row.text.rstrip("\r\n")
        if '"' in text:
            cells = next(csv.reader([text], delimiter=self.mapping.delimiter), [])
            if len(cells) == len(self.names):
                by_header = dict(zip(self.names, cells, strict=True))
                self.rescued.append((line, {name: by_header[h] for name, h in self.fields.items()}))
                return "skip"
        if row.actual_columns == 1 and not text.strip():
            return "skip"  # an empty line
        self.rows += 1
        self.bad_count += 1
        problem = ("columns", {"found": row.actual_columns, "expected": row.expected_columns, "quoted": '"' in text})
        self.pending_bad.append(BadRow.of(line, problem, text[:MAX_TEXT]))
        return "skip"

    def line_of(self, index):
        """The line of data row ``index`` (0-based, counting only rows pyarrow returned)."""
        invalid = self.invalid_lines
        skipped = bisect_right(invalid, index + 2)
        while True:
            line = index + 2 + skipped
            now = bisect_right(invalid, line)
            if now == skipped:
                return line
            skipped = now

    def batches(self):
        """Yield (record batch, index of its first row, mask of matching rows, mask of bad rows)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        pool = pa.system_memory_pool()  # gives freed blocks back: bounded resident memory
        options = pcsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False, encoding=self.mapping.encoding)
        parse = pcsv.ParseOptions(
            delimiter=self.mapping.delimiter,
            quote_char=False,
            ignore_empty_lines=False,
            newlines_in_values=False,
            invalid_row_handler=self._on_invalid,
        )
        convert = pcsv.ConvertOptions(
            include_columns=list(dict.fromkeys(self.fields.values())),
            column_types={header: pa.string() for header in self.fields.values()},
            strings_can_be_null=False,
            check_utf8=False,
        )
        try:
            reader = pcsv.open_csv(
                self.stream, read_options=options, parse_options=parse, convert_options=convert, memory_pool=pool
            )
        except pa.ArrowInvalid as exc:
            raise BulkFileError("unreadable", f"the file cannot be read as CSV: {exc}") from exc
        first = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise BulkFileError("unreadable", f"the file cannot be read past row {first}: {exc}") from exc
            columns = {name: batch.column(header) for name, header in self.fields.items()}
            yield first, batch.num_rows, columns, pool
            first += batch.num_rows


def _vector_masks(scan, columns, pool):
    """(empty-line mask, bad-row mask, undecodable-row mask or None, match mask) of one batch."""
    import pyarrow.compute as pc

    def col(name):
        return columns.get(name)

    def check(name):
        regex = _check_regex(name)
        return pc.match_substring_regex(col(name), regex, memory_pool=pool)

    utf8_ok = _clean(columns, pool)
    kvk = col("kvk_number")
    empty = pc.equal(kvk, "", memory_pool=pool)
    for name in ("branch_number", "name", "postcode", "city"):
        if col(name) is not None:
            empty = pc.and_(empty, pc.equal(col(name), "", memory_pool=pool), memory_pool=pool)
    good = None
    for name in CHECKS:
        if col(name) is not None:
            good = check(name) if good is None else pc.and_(good, check(name), memory_pool=pool)
    if utf8_ok is not None:
        good = pc.and_(good, utf8_ok)
    bad = pc.and_(pc.invert(good), pc.invert(empty))
    undecodable = pc.invert(utf8_ok) if utf8_ok is not None else None
    return empty, bad, undecodable, pc.and_(good, _criteria_mask(scan, columns, pool), memory_pool=pool)


def _clean(columns, pool):
    """Unquote quoted values (the fast reader leaves quotes in); empty the values that are not valid
    text and return the mask of rows without such values (None when all are valid)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Values given in quotes (quotes are not read by the fast reader) lose them here.
    for name, array in list(columns.items()):
        data = array.buffers()[2]
        if data is not None and b'"' in data.to_pybytes():
            unquoted = pc.replace_substring_regex(array, r'^"(.*)"$', r"\1", memory_pool=pool)
            columns[name] = pc.replace_substring(unquoted, '""', '"', memory_pool=pool)
    # Text that is not valid in the file's encoding cannot be compared: those rows are bad.
    try:
        pa.RecordBatch.from_arrays(list(columns.values()), names=list(columns)).validate(full=True)
    except pa.ArrowInvalid:
        return _drop_undecodable(columns)
    return None


def _drop_undecodable(columns):
    """Empty the values that are not UTF-8; the mask of the rows that had none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    utf8_ok = None
    for name in list(columns):
        array = columns[name]
        try:
            array.validate(full=True)
        except pa.ArrowInvalid:
            binary = array.cast(pa.binary())
            valid = pa.array([_decodes(value) for value in binary.to_pylist()], pa.bool_())
            utf8_ok = valid if utf8_ok is None else pc.and_(utf8_ok, valid)
            columns[name] = pc.if_else(valid, binary, b"").cast(pa.string())
    return utf8_ok


def _decodes(value):
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _prefix_regex(codes, anywhere):
    """A regex of values (codes separated by spaces when ``anywhere``) with a code starting with one of ``codes``."""
    alternatives = "|".join(re.escape(code) for code in codes)
    return f"(?:^|\\s)(?:{alternatives})" if anywhere else f"^(?:{alternatives})"


def _criteria_mask(scan, columns, pool):
    """The rows that satisfy the criteria (value checks apart), as :meth:`Criteria.decide` would say."""
    import pyarrow as pa
    import pyarrow.compute as pc

    criteria = scan.criteria
    kvk = columns["kvk_number"]

    def const(flag):  # every row (the reader gives no nulls), or none
        return pc.is_valid(kvk) if flag else pc.is_null(kvk)

    parts = []
    if criteria.sbi_include or criteria.sbi_exclude:
        parts.append(_sbi_mask(criteria, columns, pool, const))
    if criteria.postcode_ranges:
        parts.append(_range_mask(columns.get("postcode"), criteria.postcode_ranges, 4, pool, const))
    if criteria.municipalities:
        parts.append(_municipality_mask(scan, columns, pool, const))
    if criteria.legal_forms:
        keys = set(criteria.legal_forms)
        array = columns.get("legal_form")
        if array is None:
            parts.append(const(False))
        else:
            memo = scan.memo.setdefault("legal_form", {})
            parts.append(_by_value(array, lambda text: legal_form_key(text) in keys, pool, memo))
    if criteria.employee_classes:
        ranges = [EMPLOYEE_CLASSES[key] for key in criteria.employee_classes]
        parts.append(_range_mask(columns.get("employees"), ranges, None, pool, const))
    if criteria.main_branches_only:
        parts.append(_main_branch_mask(columns, const))
    if columns.get("end_date") is not None:
        end = columns["end_date"]
        parts.append(pc.or_(pc.equal(end, ""), pc.greater(end, scan.today), memory_pool=pool))
    mask = const(True)
    for part in parts:
        mask = pc.and_(mask, part, memory_pool=pool)
    if criteria.kvk_numbers:
        if len(criteria.active_criteria()) == 2:  # only explicit numbers
            mask = const(False)
        listed = pc.is_in(columns["kvk_number"], value_set=pa.array(list(criteria.kvk_numbers), pa.string()))
        mask = pc.or_(mask, listed, memory_pool=pool)
    return mask


def _sbi_mask(criteria, columns, pool, const):
    import pyarrow.compute as pc

    codes = columns.get("sbi_main")
    if codes is None:  # no SBI column: no code, as Candidate.from_bulk has it
        codes = pc.if_else(const(True), "", "")
    anywhere = not criteria.sbi_main_only
    if anywhere and columns.get("sbi_other") is not None:
        codes = pc.binary_join_element_wise(codes, columns["sbi_other"], " ", memory_pool=pool)
    mask = const(True)
    if criteria.sbi_include:
        hit = pc.match_substring_regex(codes, _prefix_regex(criteria.sbi_include, anywhere), memory_pool=pool)
        mask = pc.and_(mask, hit)
    if criteria.sbi_exclude:
        hit = pc.match_substring_regex(codes, _prefix_regex(criteria.sbi_exclude, anywhere), memory_pool=pool)
        mask = pc.and_(mask, pc.invert(hit))
    return mask


def _range_mask(array, ranges, prefix, pool, const):
    """Rows whose number (the first ``prefix`` characters, or the whole value) lies in one of ``ranges``
    (``(low, high)``, high None = no limit)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if array is None:
        return const(False)
    if prefix:
        array = pc.utf8_slice_codeunits(array, 0, prefix, memory_pool=pool)
        valid = pc.and_(pc.ascii_is_decimal(array), pc.equal(pc.utf8_length(array), prefix))
    else:
        valid = pc.and_(pc.ascii_is_decimal(array), pc.less_equal(pc.utf8_length(array), 7))
    number = pc.cast(pc.if_else(valid, array, "0"), pa.int64(), memory_pool=pool)
    inside = const(False)
    for low, high in ranges:
        span = pc.greater_equal(number, low)
        if high is not None:
            span = pc.and_(span, pc.less_equal(number, high))
        inside = pc.or_(inside, span, memory_pool=pool)
    return pc.and_(valid, inside, memory_pool=pool)


def _main_branch_mask(columns, const):
    import pyarrow as pa
    import pyarrow.compute as pc

    main = const(True)
    if columns.get("main_branch") is not None:
        main = pc.is_in(pc.utf8_lower(columns["main_branch"]), value_set=pa.array(YES, pa.string()))
    if columns.get("branch_number") is not None:
        main = pc.or_(main, pc.equal(columns["branch_number"], ""))
    return main


def _by_value(array, test, pool, memo):
    """A mask from ``test`` applied once per distinct value (remembered in ``memo``): places and
    legal forms repeat a lot."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array, memory_pool=pool)
    hits = []
    for value in encoded.dictionary.to_pylist():
        hit = memo.get(value)
        if hit is None:
            hit = memo[value] = bool(test(value))
        hits.append(hit)
    return pc.take(pa.array(hits, pa.bool_()), encoded.indices, memory_pool=pool)


def _municipality_mask(scan, columns, pool, const):
    """As Candidate.from_bulk: the municipality column, or where it is empty the place through the table."""
    import pyarrow.compute as pc

    table = scan.municipality_of
    wanted = {normalise(m) for m in scan.criteria.municipalities}
    mask = None
    if columns.get("city") is not None:
        test = lambda place: place and normalise(table.of(place)) in wanted  # noqa: E731
        mask = _by_value(columns["city"], test, pool, scan.memo.setdefault("city", {}))
    if columns.get("municipality") is not None:
        memo = scan.memo.setdefault("municipality", {})
        named = _by_value(columns["municipality"], lambda name: normalise(name) in wanted, pool, memo)
        if mask is None:
            return named
        return pc.if_else(pc.equal(columns["municipality"], ""), mask, named)
    return mask if mask is not None else const(False)


# -- the passes ----------------------------------------------------------------------------------


def _rows_at(columns, indices):
    """The rows at ``indices`` of a batch, as dicts by field."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not indices:
        return []
    taken = {name: pc.take(array, pa.array(indices, pa.int64())).to_pylist() for name, array in columns.items()}
    return [{name: values[i] for name, values in taken.items()} for i in range(len(indices))]


def _batch_items(scan, first, count, columns, pool, start_line, want_rows):
    """The events of one batch in line order: (line, "row", values) and (line, "bad", BadRow)."""
    import pyarrow.compute as pc

    empty, bad, undecodable, match = _vector_masks(scan, columns, pool)
    scan.rows += count - (pc.sum(empty).as_py() or 0)
    items = []
    bad_indices = pc.indices_nonzero(bad).to_pylist()
    if bad_indices:
        scan.bad_count += len(bad_indices)
        broken = set(pc.indices_nonzero(undecodable).to_pylist()) if undecodable is not None else set()
        order = list(columns)
        for index, values in zip(bad_indices, _rows_at(columns, bad_indices), strict=True):
            line = scan.line_of(first + index)
            if line > start_line:
                if index in broken:
                    problem = ("encoding", {"encoding": scan.mapping.encoding})
                else:  # the vector checks and row_problem check alike; a row is never bad without a reason
                    problem = row_problem(values) or ("unreadable", {})
                items.append((line, "bad", BadRow.of(line, problem, _row_text(values, order))))
    matched = pc.indices_nonzero(match)
    scan.matches += len(matched)
    if want_rows:
        indices = matched.to_pylist() if want_rows is True else matched.slice(0, want_rows).to_pylist()
        lines = [scan.line_of(first + index) for index in indices]
        keep = [(line, index) for line, index in zip(lines, indices, strict=True) if line > start_line]
        for (line, _index), values in zip(keep, _rows_at(columns, [index for _line, index in keep]), strict=True):
            items.append((line, "row", values))
    last = scan.line_of(first + count - 1) if count else 0
    items += _pending(scan, last, start_line)
    items.sort(key=lambda item: item[0])
    return items, last


def _pending(scan, up_to, start_line):
    """The bad and rescued lines the parser reported up to line ``up_to`` (all of them for None)."""
    items = []
    keep_bad = []
    for bad in scan.pending_bad:
        if up_to is None or bad.line <= up_to:
            if bad.line > start_line:
                items.append((bad.line, "bad", bad))
        else:
            keep_bad.append(bad)
    scan.pending_bad = keep_bad
    keep_rescued = []
    for line, values in scan.rescued:
        if up_to is None or line <= up_to:
            scan.rows += 1
            problem = row_problem(values)
            if problem:
                scan.bad_count += 1
                if line > start_line:
                    items.append((line, "bad", BadRow.of(line, problem, _row_text(values, list(values)))))
            elif scan.criteria.decide(Candidate.from_bulk(_typed(values), scan.municipality_of, scan.day)).verdict:
                scan.matches += 1
                if line > start_line:
                    items.append((line, "row", values))
        else:
            keep_rescued.append((line, values))
    scan.rescued = keep_rescued
    return items


def run_test_selection(
    source, criteria, mapping=None, sample_size=20, max_bad_rows=100, municipality_of=None, today=None
):
    """Count the rows of a bulk file that match ``criteria``; keep the first ``sample_size`` and the
    first ``max_bad_rows`` bad rows.  ``source``: a path or a binary file object (seekable)."""
    scan = _Scan(source, criteria, mapping, SELECTION_FIELDS, municipality_of, today, max_bad_rows)
    result = SelectionResult()
    try:
        for first, count, columns, pool in scan.batches():
            want = sample_size - len(result.sample)
            items, _last = _batch_items(scan, first, count, columns, pool, 1, want if want > 0 else 0)
            _collect(result, items, sample_size, max_bad_rows)
        _collect(result, sorted(_pending(scan, None, 1), key=lambda item: item[0]), sample_size, max_bad_rows)
    finally:
        scan.close()
    result.sample = sorted(result.sample, key=lambda row: row.line)[:sample_size]
    result.rows, result.matches, result.bad_count = scan.rows, scan.matches, scan.bad_count
    result.missing_columns = scan.missing
    return result


def _collect(result, items, sample_size, max_bad_rows):
    for line, kind, payload in items:
        if kind == "row" and len(result.sample) < sample_size:
            result.sample.append(BulkRow(line, _typed(payload)))
        elif kind == "bad" and len(result.bad_rows) < max_bad_rows:
            result.bad_rows.append(payload)


def iter_matches(source, criteria, mapping=None, batch_size=1000, start_line=1, municipality_of=None, today=None):
    """Yield :class:`MatchBatch` es of up to ``batch_size`` matching rows (all mapped columns), with every
    bad row after ``start_line``.  Rows on lines up to ``start_line`` were taken before (1: the header).
    The last batch may hold no row: its ``last_line`` is the file's last line."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    scan = _Scan(source, criteria, mapping, None, municipality_of, today, None)
    rows, bad_rows = [], []
    last = start_line
    try:
        for first, count, columns, pool in scan.batches():
            items, batch_last = _batch_items(scan, first, count, columns, pool, start_line, True)
            for line, kind, payload in items:
                if kind == "row":
                    rows.append(BulkRow(line, _typed(payload)))
                else:
                    bad_rows.append(payload)
                if len(rows) == batch_size:
                    yield MatchBatch(rows, bad_rows, line, scan.rows)
                    rows, bad_rows = [], []
            last = max(last, batch_last)
        for line, kind, payload in sorted(_pending(scan, None, start_line), key=lambda item: item[0]):
            if kind == "row":
                rows.append(BulkRow(line, _typed(payload)))
            else:
                bad_rows.append(payload)
            last = max(last, line)
        if scan.invalid_lines:
            last = max(last, scan.invalid_lines[-1])
        yield MatchBatch(rows, bad_rows, last, scan.rows)
    finally:
        scan.close()


def csv_test_selection(
    source, criteria, mapping=None, sample_size=20, max_bad_rows=100, municipality_of=None, today=None
):
    """:func:`run_test_selection` with the csv module, one row at a time through :meth:`Criteria.decide`."""
    mapping = mapping or ColumnMapping()
    stream, close = _open(source)
    result = SelectionResult()
    try:
        names, _missing = _header(stream, mapping)
        fields = {name: names.index(h) for name, h in mapping.mapped(SELECTION_FIELDS).items() if h in names}
        text = io.TextIOWrapper(stream, encoding=_text_encoding(mapping), errors="replace", newline="")
        reader = csv.reader(text, delimiter=mapping.delimiter)
        next(reader)
        line = 1
        for row in reader:
            first_line, line = line + 1, reader.line_num
            if not any(row):
                continue
            result.rows += 1
            values = {}
            if len(row) != len(names):
                problem = ("columns", {"found": len(row), "expected": len(names)})
            else:
                values = {name: row[index] for name, index in fields.items()}
                if any("\ufffd" in value for value in values.values()):
                    problem = ("encoding", {"encoding": mapping.encoding})
                else:
                    problem = row_problem(values)
            if problem:
                result.bad_count += 1
                if len(result.bad_rows) < max_bad_rows:
                    result.bad_rows.append(BadRow.of(first_line, problem, mapping.delimiter.join(row)[:MAX_TEXT]))
                continue
            typed = _typed(values)
            if criteria.decide(Candidate.from_bulk(typed, municipality_of, today)).verdict:
                result.matches += 1
                if len(result.sample) < sample_size:
                    result.sample.append(BulkRow(first_line, typed))
        text.detach()
    finally:
        if close:
            stream.close()
    return result


def _text_encoding(mapping):
    return "utf-8-sig" if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else mapping.encoding
