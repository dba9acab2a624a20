"""Target-group criteria (a profile), and which source of register facts can decide which criterion.

Plain Python, no Odoo.  A :class:`Criteria` holds what a sales manager chose: SBI codes
to include and exclude (on the main activity only, or on all activities), four-digit
postcode ranges, municipalities, legal forms, employee classes, explicit KvK numbers
and "main branches only".  A :class:`Candidate` holds what one source says about one
registration; :meth:`Criteria.decide` answers match, no match, or *undecided* when a
criterion needs a fact the source does not carry.  The sources and what they carry:

=====================  ==========================================================================
``kvk``                a signal in a page of signals: KvK number and vestigingsnummer only
``zoeken``             a hit of the free Zoeken API: number, type (main branch or not), place,
                       active; the postcode only when it was searched on, so not here
``signal``             a signal's detail (``heeftBetrekkingOp``): SBI activities, postcode digits,
                       legal form, employees, main branch, active; no place or municipality
``basisprofiel``       paid: everything but the municipality, which comes from the place
``vestigingsprofiel``  paid: like the Basisprofiel, without the legal form
``bulk``               a row of a KvK bulk file: everything the column mapping names
=====================  ==========================================================================

So the free Zoeken answer decides the explicit KvK numbers, the municipality (through
the place), "main branches only" and whether the registration is active; the SBI
codes, postcodes, legal forms and employee classes need the signal's detail or a
profile.  A municipality is compared with the place through a place -> municipality
table (``municipality_of``); without one a place counts as its own municipality, which
holds for the larger places only.

What KvK applies to a Mutatieservice subscription's population (KvK's FAQ: SBI on the
main activity or on all, postcode, municipality, legal form, and combinations) is
:data:`APPLIED_BY_KVK`; the rest is filtered locally.  Revenue groups are no KvK
criterion and are not offered.
"""

import re
from dataclasses import dataclass, field
from datetime import date

SOURCES = ("kvk", "zoeken", "signal", "basisprofiel", "vestigingsprofiel", "bulk")
FACTS = {
    "kvk": {"kvk_number"},
    "zoeken": {"kvk_number", "main_branch", "municipality", "active"},
    "signal": {"kvk_number", "main_branch", "sbi", "postcode", "legal_form", "employees", "active"},
    "basisprofiel": {
        "kvk_number",
        "main_branch",
        "sbi",
        "postcode",
        "municipality",
        "legal_form",
        "employees",
        "active",
    },
    "vestigingsprofiel": {"kvk_number", "main_branch", "sbi", "postcode", "municipality", "employees", "active"},
    "bulk": {"kvk_number", "main_branch", "sbi", "postcode", "municipality", "legal_form", "employees", "active"},
}
# criterion -> the fact it needs
NEEDS = {
    "kvk_numbers": "kvk_number",
    "sbi_include": "sbi",
    "sbi_exclude": "sbi",
    "postcode": "postcode",
    "municipality": "municipality",
    "legal_form": "legal_form",
    "employees": "employees",
    "main_branches_only": "main_branch",
    "active": "active",
}
CRITERIA = tuple(NEEDS)
APPLIED_BY_KVK = ("sbi_include", "postcode", "municipality", "legal_form")
FILTERED_LOCALLY = ("sbi_exclude", "employees", "kvk_numbers", "main_branches_only")

# Legal forms: key -> (label, normalised spellings KvK uses in its answers, signals and files).
LEGAL_FORMS = {
    "eenmanszaak": ("Eenmanszaak", ("eenmanszaak",)),
    "vof": ("Vennootschap onder firma", ("vennootschaponderfirma", "vof")),
    "cv": ("Commanditaire vennootschap", ("commanditairevennootschap", "cv")),
    "maatschap": ("Maatschap", ("maatschap",)),
    "bv": ("Besloten vennootschap", ("beslotenvennootschap", "bv")),
    "nv": ("Naamloze vennootschap", ("naamlozevennootschap", "nv")),
    "stichting": ("Stichting", ("stichting",)),
    "vereniging": ("Vereniging", ("vereniging",)),
    "vve": ("Vereniging van eigenaars", ("verenigingvaneigenaars", "vve")),
    "cooperatie": ("Coöperatie", ("coöperatie", "cooperatie")),
    "owm": ("Onderlinge waarborgmaatschappij", ("onderlingewaarborgmaatschappij", "owm")),
    "kerkgenootschap": ("Kerkgenootschap", ("kerkgenootschap",)),
    "buitenlandse_vennootschap": ("Buitenlandse vennootschap", ("buitenlandsevennootschap",)),
    "overig": ("Overige privaatrechtelijke rechtspersoon", ("overigeprivaatrechtelijkerechtspersoon",)),
}
# Employee classes (werkzame personen): key -> (lowest, highest or None).
EMPLOYEE_CLASSES = {
    "0": (0, 0),
    "1": (1, 1),
    "2-4": (2, 4),
    "5-9": (5, 9),
    "10-19": (10, 19),
    "20-49": (20, 49),
    "50-99": (50, 99),
    "100-249": (100, 249),
    "250-499": (250, 499),
    "500+": (500, None),
}
# "Test selection": seed products keep a target group between these counts.
SELECTION_BAND = (1_000, 20_000)

_SPELLINGS = sorted(
    ((spelling, key) for key, (_label, spellings) in LEGAL_FORMS.items() for spelling in spellings),
    key=lambda item: -len(item[0]),
)
_YES = {"j", "ja", "y", "yes", "1", "true"}


class CriteriaError(ValueError):
    """A criterion that cannot be used, naming the criterion (``field``) and the value."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def normalise(text):
    """Lower case, letters and digits only: "'s-Hertogenbosch" -> "shertogenbosch"."""
    return "".join(ch for ch in str(text or "").lower() if ch.isalnum())


def legal_form_key(text):
    """The :data:`LEGAL_FORMS` key of a legal form as KvK writes it ("Besloten Vennootschap",
    "BeslotenVennootschap", "Besloten vennootschap met gewone structuur"), or ""."""
    value = normalise(text)
    if not value:
        return ""
    for spelling, key in _SPELLINGS:
        if value == spelling or (len(spelling) > 3 and value.startswith(spelling)):
            return key
    return ""


def employee_class(count):
    """The :data:`EMPLOYEE_CLASSES` key of a number of employees, or "" for None."""
    if count is None:
        return ""
    for key, (low, high) in EMPLOYEE_CLASSES.items():
        if count >= low and (high is None or count <= high):
            return key
    return ""


def selection_band(count):
    """``below``, ``within`` or ``above`` :data:`SELECTION_BAND`."""
    low, high = SELECTION_BAND
    return "below" if count < low else "above" if count > high else "within"


@dataclass(frozen=True)
class Candidate:
    """What one source says about one registration (a branch, or a legal entity without one)."""

    source: str
    kvk_number: str
    branch_number: str = ""
    main_branch: bool = True
    sbi_main: str = ""
    sbi_other: tuple = ()
    postcode: str = ""
    municipality: str = ""
    city: str = ""
    legal_form: str = ""  # a LEGAL_FORMS key ("" when unknown)
    employees: int | None = None
    active: bool = True
    name: str = ""

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"unknown source of register facts: {self.source!r}")

    @property
    def facts(self):
        return FACTS[self.source]

    @classmethod
    def from_search_hit(cls, hit, municipality_of=None):
        """From a :class:`~.kvk_parser.SearchHit` of the free Zoeken API."""
        city = hit.address.city if hit.address else ""
        return cls(
            "zoeken",
            hit.kvk_number,
            hit.branch_number,
            main_branch=hit.kind != "nevenvestiging",
            city=city,
            municipality=_municipality(city, municipality_of),
            active=hit.active,
            name=hit.name,
        )

    @classmethod
    def from_profile(cls, profile, source="basisprofiel", municipality_of=None, today=None):
        """From a :class:`~.kvk_parser.Profile` of a Basisprofiel or a Vestigingsprofiel."""
        main = profile.main_activity
        others = tuple(a.code for a in profile.activities if a is not main)
        visiting = profile.visiting
        city = visiting.city if visiting else ""
        ended = profile.end_date is not None and profile.end_date <= (today or date.today())
        return cls(
            source,
            profile.kvk_number,
            profile.branch_number if source == "vestigingsprofiel" else "",
            main_branch=profile.main_branch or source == "basisprofiel",
            sbi_main=main.code if main else "",
            sbi_other=others,
            postcode=visiting.postcode if visiting and visiting.country == "NL" else "",
            city=city,
            municipality=_municipality(city, municipality_of),
            legal_form=legal_form_key(profile.legal_form_long or profile.legal_form),
            employees=profile.employees,
            active=not ended and not (profile.end_raw and profile.end_date is None and profile.end_raw != "00000000"),
            name=profile.name,
        )

    @classmethod
    def from_bulk(cls, values, municipality_of=None, today=None):
        """From a bulk-file row as a dict of the neutral field names (see ``kvk_bulk.FIELDS``)."""
        city = values.get("city") or ""
        municipality = values.get("municipality") or _municipality(city, municipality_of)
        end = values.get("end_date") or ""
        employees = values.get("employees")
        return cls(
            "bulk",
            values.get("kvk_number") or "",
            values.get("branch_number") or "",
            main_branch=_yes(values.get("main_branch")) or not values.get("branch_number"),
            sbi_main=values.get("sbi_main") or "",
            sbi_other=tuple((values.get("sbi_other") or "").split()),
            postcode=(values.get("postcode") or "").replace(" ", "").upper(),
            city=city,
            municipality=municipality,
            legal_form=legal_form_key(values.get("legal_form")),
            employees=int(employees) if employees not in (None, "") else None,
            active=not end or end > (today or date.today()).strftime("%Y%m%d"),
            name=values.get("name") or "",
        )


def _yes(value):
    return str(value or "").strip().lower() in _YES


def _municipality(city, municipality_of):
    return Municipalities.wrap(municipality_of).of(city) if city else ""


class Municipalities:
    """A place -> municipality table (names compared by :func:`normalise`); a place that is not
    in it counts as its own municipality."""

    def __init__(self, table=None):
        self._table = {normalise(place): municipality for place, municipality in dict(table or {}).items()}

    @classmethod
    def wrap(cls, value):
        return value if isinstance(value, cls) else cls(value)

    def of(self, place):
        return self._table.get(normalise(place)) or place

    def knows(self, place):
        return normalise(place) in self._table

    def places(self):
        """The (normalised) places in the table."""
        return set(self._table)


@dataclass(frozen=True)
class Decision:
    """``verdict``: True (match), False (no match) or None (undecided: a source that carries
    the facts of ``undecided`` is needed)."""

    verdict: bool | None
    failed: tuple = ()
    undecided: tuple = ()


def _parse_codes(name, text):
    codes = [code for code in re.split(r"[\s,;]+", str(text or "").strip()) if code]
    for code in codes:
        if not re.fullmatch(r"[0-9]{2,5}", code):
            raise CriteriaError(
                name, f"{code!r} is no SBI code: use 2 to 5 digits (a shorter code covers its subcodes)."
            )
    return tuple(dict.fromkeys(codes))


def _parse_ranges(text):
    ranges = []
    for part in re.split(r"[\s,;]+", str(text or "").strip()):
        if not part:
            continue
        match = re.fullmatch(r"([0-9]{4})(?:[-–]([0-9]{4}))?", part)
        if not match:
            raise CriteriaError("postcode", f"{part!r} is no postcode range: write 5200-5500 or 5211.")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if low < 1000 or high < low:
            raise CriteriaError("postcode", f"{part!r} is no postcode range: from 1000 to 9999, lowest first.")
        ranges.append((low, high))
    return tuple(ranges)


def _parse_kvk_numbers(text):
    numbers = [n for n in re.split(r"[\s,;]+", str(text or "").strip()) if n]
    for number in numbers:
        if not re.fullmatch(r"[0-9]{8}", number):
            raise CriteriaError("kvk_numbers", f"{number!r} is no KvK number (8 digits).")
    return tuple(dict.fromkeys(numbers))


@dataclass(frozen=True)
class Criteria:
    """A target group.  Explicit KvK numbers are always in it; the other criteria that are
    set must all hold; without any criterion every active registration matches."""

    sbi_include: tuple = ()
    sbi_exclude: tuple = ()
    sbi_main_only: bool = True
    postcode_ranges: tuple = ()
    municipalities: tuple = ()
    legal_forms: tuple = ()
    employee_classes: tuple = ()
    kvk_numbers: tuple = ()
    main_branches_only: bool = False
    _municipality_keys: frozenset = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_municipality_keys", frozenset(normalise(m) for m in self.municipalities))
        for key in self.legal_forms:
            if key not in LEGAL_FORMS:
                raise CriteriaError("legal_form", f"{key!r} is no legal form; known: {', '.join(LEGAL_FORMS)}.")
        for key in self.employee_classes:
            if key not in EMPLOYEE_CLASSES:
                raise CriteriaError("employees", f"{key!r} is no employee class; known: {', '.join(EMPLOYEE_CLASSES)}.")

    @classmethod
    def parse(cls, sbi_include="", sbi_exclude="", sbi_main_only=True, postcodes="", municipalities="",
              legal_forms=(), employee_classes=(), kvk_numbers="", main_branches_only=False):  # fmt: skip
        """Criteria from what a form holds (texts separated by commas, semicolons, spaces or lines;
        municipalities by commas, semicolons or lines); :class:`CriteriaError` names a wrong value."""
        names = [m.strip() for m in re.split(r"[,;\n]+", str(municipalities or "")) if m.strip()]
        return cls(
            sbi_include=_parse_codes("sbi_include", sbi_include),
            sbi_exclude=_parse_codes("sbi_exclude", sbi_exclude),
            sbi_main_only=bool(sbi_main_only),
            postcode_ranges=_parse_ranges(postcodes),
            municipalities=tuple(dict.fromkeys(names)),
            legal_forms=tuple(dict.fromkeys(legal_forms or ())),
            employee_classes=tuple(dict.fromkeys(employee_classes or ())),
            kvk_numbers=_parse_kvk_numbers(kvk_numbers),
            main_branches_only=bool(main_branches_only),
        )

    # -- what is set, and by whom it is applied ---------------------------------------------------

    def active_criteria(self):
        """The criteria that are set, in :data:`CRITERIA` order ("active" always is)."""
        values = {
            "kvk_numbers": self.kvk_numbers,
            "sbi_include": self.sbi_include,
            "sbi_exclude": self.sbi_exclude,
            "postcode": self.postcode_ranges,
            "municipality": self.municipalities,
            "legal_form": self.legal_forms,
            "employees": self.employee_classes,
            "main_branches_only": self.main_branches_only,
            "active": True,
        }
        return tuple(name for name in CRITERIA if values[name])

    def applied_by_kvk(self):
        """The criteria set here that KvK applies to a subscription's population."""
        return tuple(name for name in self.active_criteria() if name in APPLIED_BY_KVK)

    def filtered_locally(self):
        """The criteria set here that only the addon can apply."""
        return tuple(name for name in self.active_criteria() if name in FILTERED_LOCALLY)

    def decidable_from(self, source):
        """The criteria set here that ``source`` (see :data:`SOURCES`) carries the facts for."""
        facts = FACTS[source]
        return tuple(name for name in self.active_criteria() if NEEDS[name] in facts)

    def needs_more_than(self, source):
        """The criteria set here that ``source`` cannot decide."""
        facts = FACTS[source]
        return tuple(name for name in self.active_criteria() if NEEDS[name] not in facts)

    # -- deciding ----------------------------------------------------------------------------------

    def decide(self, candidate):
        if candidate.kvk_number in self.kvk_numbers:
            return Decision(True)
        facts = candidate.facts
        failed, undecided = [], []
        for name in self.active_criteria():
            if name == "kvk_numbers":
                continue
            if NEEDS[name] not in facts:
                undecided.append(name)
            elif not self._holds(name, candidate):
                failed.append(name)
        if self.kvk_numbers and len(self.active_criteria()) == 2:  # only explicit numbers (and "active")
            failed.append("kvk_numbers")
        if failed:
            return Decision(False, tuple(failed), tuple(undecided))
        if undecided:
            return Decision(None, (), tuple(undecided))
        return Decision(True)

    def _codes(self, candidate):
        if self.sbi_main_only:
            return (candidate.sbi_main,) if candidate.sbi_main else ()
        return tuple(code for code in (candidate.sbi_main, *candidate.sbi_other) if code)

    def _holds(self, name, candidate):
        if name == "sbi_include":
            return any(code.startswith(self.sbi_include) for code in self._codes(candidate))
        if name == "sbi_exclude":
            return not any(code.startswith(self.sbi_exclude) for code in self._codes(candidate))
        if name == "postcode":
            digits = candidate.postcode[:4]
            if not (len(digits) == 4 and digits.isdigit()):
                return False
            number = int(digits)
            return any(low <= number <= high for low, high in self.postcode_ranges)
        if name == "municipality":
            return normalise(candidate.municipality) in self._municipality_keys
        if name == "legal_form":
            return candidate.legal_form in self.legal_forms
        if name == "employees":
            return employee_class(candidate.employees) in self.employee_classes
        if name == "main_branches_only":
            return candidate.main_branch
        if name == "active":
            return candidate.active
        raise KeyError(name)
