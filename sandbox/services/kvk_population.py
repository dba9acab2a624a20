"""The bulk population of the simulated KvK register: millions of companies, none of them stored.

Beside the companies listed in :mod:`kvk_data` (KvK's public test numbers and the
seeded synthetic ones that searches by name find), the register knows a large
population of plain companies that exist only as a function of the seed: company
``i`` (0 <= i < :data:`SIZE`) has the KvK number :func:`kvk_number` ``(i)``, one
main branch (vestigingsnummer ``000`` + KvK number + ``1``) and values drawn from
the seed in chunks of :data:`CHUNK` companies.  The KvK bulk files of
``sandbox/kvk_bulk.py`` list them row by row, and the Basisprofiel,
Vestigingsprofiel and Zoeken (by KvK number or vestigingsnummer) of the sandbox
answer for any of them, so a company imported from a generated bulk file can be
followed by change signals and profile calls.

KvK numbers are spread over two ranges, 2xxxxxxx and 4xxxxxxx (ten million each),
by a multiplication modulo 10**7 that maps indexes one-to-one onto numbers.
"""

import random
from functools import lru_cache

from .kvk_data import LEGAL_FORMS, SBI, STREETS, address, branch, company

CHUNK = 1024
SPAN = 10_000_000
RANGES = (20_000_000, 40_000_000)
SIZE = SPAN * len(RANGES)
_MULTIPLIER = 7_654_321  # coprime to 10**7: index -> number is one-to-one within a range
_INVERSE = pow(_MULTIPLIER, -1, SPAN)

# Places with their municipality and four-digit postcode range (inclusive), and a weight.
PLACES = (
    ("Amsterdam", "Amsterdam", 1011, 1109, 40),
    ("Haarlem", "Haarlem", 2011, 2037, 8),
    ("Leiden", "Leiden", 2311, 2334, 6),
    ("Den Haag", "'s-Gravenhage", 2491, 2597, 20),
    ("Rotterdam", "Rotterdam", 3011, 3089, 30),
    ("Dordrecht", "Dordrecht", 3311, 3329, 5),
    ("Utrecht", "Utrecht", 3511, 3585, 18),
    ("Amersfoort", "Amersfoort", 3811, 3829, 8),
    ("Middelburg", "Middelburg", 4331, 4339, 3),
    ("Breda", "Breda", 4811, 4839, 9),
    ("Tilburg", "Tilburg", 5011, 5049, 11),
    ("'s-Hertogenbosch", "'s-Hertogenbosch", 5211, 5237, 8),
    ("Rosmalen", "'s-Hertogenbosch", 5240, 5249, 3),
    ("Vught", "Vught", 5261, 5264, 2),
    ("Oss", "Oss", 5341, 5352, 4),
    ("Uden", "Maashorst", 5401, 5406, 3),
    ("Veghel", "Meierijstad", 5461, 5469, 3),
    ("Eindhoven", "Eindhoven", 5611, 5658, 14),
    ("Heeze", "Heeze-Leende", 5591, 5591, 1),
    ("Venlo", "Venlo", 5911, 5928, 5),
    ("Maastricht", "Maastricht", 6211, 6229, 7),
    ("Nijmegen", "Nijmegen", 6511, 6546, 10),
    ("Arnhem", "Arnhem", 6811, 6846, 9),
    ("Enschede", "Enschede", 7511, 7548, 8),
    ("Deventer", "Deventer", 7411, 7429, 5),
    ("Zwolle", "Zwolle", 8011, 8043, 7),
    ("Leeuwarden", "Leeuwarden", 8911, 8939, 6),
    ("Sneek", "Súdwest-Fryslân", 8601, 8608, 2),
    ("Groningen", "Groningen", 9711, 9747, 12),
    ("Assen", "Assen", 9401, 9409, 4),
)
# Municipality of each place the sandbox uses, where the two differ.
MUNICIPALITY_OF = {
    **{place: municipality for place, municipality, *_ in PLACES},
    "Lollum": "Súdwest-Fryslân",
    "Diepenveen": "Deventer",
    "Sterksel": "Heeze-Leende",
    "Rommeldam": "Rommeldam",
}

FORMS = (("Eenmanszaak", 45), ("BV", 30), ("VoF", 9), ("Stichting", 8), ("NV", 2), ("Cooperatie", 2), ("VvE", 4))
SUFFIX = {"BV": " B.V.", "NV": " N.V.", "VoF": " V.O.F.", "Cooperatie": " U.A.", "Eenmanszaak": "", "Stichting": ""}
PREFIX = {"Stichting": "Stichting ", "VvE": "VvE "}
NAME_PARTS = (
    "Noord", "Zuid", "Oost", "West", "Oranje", "Polder", "Delta", "Tulp", "Molen", "Dijk", "Haven", "Kaas",
    "Fiets", "Klomp", "Brabant", "Maas", "Rijn", "Duin", "Heide", "Kempen", "Linde", "Eik", "Beuk", "Zilver",
)  # fmt: skip
NAME_KINDS = (
    "Bouw", "Techniek", "Handel", "Advies", "Installaties", "Software", "Bakkerij", "Transport", "Zorg",
    "Schilders", "Kapsalon", "Media", "Fysiotherapie", "Hoveniers", "Autobedrijf", "Catering", "Logistiek",
)  # fmt: skip
MORE_STREETS = (*STREETS, "Hoofdstraat", "Schoolstraat", "Julianastraat", "Nieuwstraat", "Parallelweg", "Beatrixlaan")
# Employees: value ranges and weights (most registrations are one-person businesses).
EMPLOYEES = (((0, 0), 30), ((1, 1), 35), ((2, 4), 14), ((5, 9), 9), ((10, 19), 6), ((20, 49), 4), ((50, 250), 2))
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def kvk_number(index):
    """The KvK number of population company ``index``."""
    block, offset = divmod(index, SPAN)
    return str(RANGES[block] + (offset * _MULTIPLIER) % SPAN)


def index_of(kvk):
    """The population index of a KvK number, or None when it is no population company."""
    if not (isinstance(kvk, str) and len(kvk) == 8 and kvk.isdigit()):
        return None
    number = int(kvk)
    for block, start in enumerate(RANGES):
        if start <= number < start + SPAN:
            return block * SPAN + ((number - start) * _INVERSE) % SPAN
    return None


def branch_number(kvk):
    """The vestigingsnummer of a population company's only branch."""
    return f"000{kvk}1"


def kvk_of_branch(vnr):
    """The population KvK number a vestigingsnummer belongs to, or None."""
    if isinstance(vnr, str) and len(vnr) == 12 and vnr.startswith("000") and vnr.endswith("1"):
        kvk = vnr[3:11]
        return kvk if index_of(kvk) is not None else None
    return None


def _rsin(index):
    """A nine-digit RSIN passing the 11-check, derived from the index."""
    stem = (index * 48_271 + 10_000_019) % 90_000_000 + 10_000_000
    while True:
        digits = str(stem)
        check = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return digits + str(check)
        stem = stem + 1 if stem < 99_999_999 else 10_000_000


def _weighted(items):
    values = [item for item, _weight in items]
    weights = [weight for _item, weight in items]
    return values, weights


_PLACE_VALUES, _PLACE_WEIGHTS = _weighted([(place, place[4]) for place in PLACES])
_FORM_VALUES, _FORM_WEIGHTS = _weighted(FORMS)
_EMP_VALUES, _EMP_WEIGHTS = _weighted(EMPLOYEES)
_SBI_CODES = sorted(SBI)
_OTHER_A = _SBI_CODES + [""] * len(_SBI_CODES)  # half the companies have a second activity
_OTHER_B = _SBI_CODES + [""] * (3 * len(_SBI_CODES))  # a quarter a third
_HOUSE_NUMBERS = range(1, 301)
_HOUSE_LETTERS = ["", *LETTERS]
_HOUSE_LETTER_WEIGHTS = [19 * len(LETTERS), *([1] * len(LETTERS))]  # 5 % have a letter
_POSTCODE_LETTERS = [a + b for a in LETTERS for b in LETTERS]
_YEARS = range(1960, 2026)
_MONTH_DAYS = [f"{month:02d}{day:02d}" for month in range(1, 13) for day in range(1, 29)]
_RSIN_FORMS = {"BV", "NV", "Stichting", "Cooperatie", "VvE"}


class Population:
    """The bulk population of one seed; chunks are generated on use and a few are cached."""

    def __init__(self, seed):
        self.seed = seed
        self._chunk = lru_cache(maxsize=64)(self._build_chunk)

    def rows(self, chunk):
        """The companies of ``chunk`` as dicts of plain values (the bulk-file view), in index order."""
        return self._chunk(chunk)

    def values(self, index):
        if not 0 <= index < SIZE:
            raise IndexError(index)
        return self._chunk(index // CHUNK)[index % CHUNK]

    def _build_chunk(self, chunk):
        # Columns are drawn a chunk at a time (``choices(k=...)``): a million companies in seconds.
        rng = random.Random(f"{self.seed}:kvk:population:{chunk}")
        first = chunk * CHUNK
        count = min(CHUNK, SIZE - first)
        places = rng.choices(_PLACE_VALUES, _PLACE_WEIGHTS, k=count)
        forms = rng.choices(_FORM_VALUES, _FORM_WEIGHTS, k=count)
        staff = rng.choices(_EMP_VALUES, _EMP_WEIGHTS, k=count)
        parts = rng.choices(NAME_PARTS, k=count)
        kinds = rng.choices(NAME_KINDS, k=count)
        main_codes = rng.choices(_SBI_CODES, k=count)
        other_a = rng.choices(_OTHER_A, k=count)
        other_b = rng.choices(_OTHER_B, k=count)
        streets = rng.choices(MORE_STREETS, k=count)
        numbers = rng.choices(_HOUSE_NUMBERS, k=count)
        letters = rng.choices(_HOUSE_LETTERS, _HOUSE_LETTER_WEIGHTS, k=count)
        tails = rng.choices(_POSTCODE_LETTERS, k=count)
        years = rng.choices(_YEARS, k=count)
        days = rng.choices(_MONTH_DAYS, k=count)
        draw = rng.random
        out = []
        for offset in range(count):
            index = first + offset
            kvk = kvk_number(index)
            place, municipality, low, high, _weight = places[offset]
            form = forms[offset]
            base = f"{parts[offset]} {kinds[offset]}"
            main_sbi = "94997" if form == "VvE" else main_codes[offset]
            others = [code for code in dict.fromkeys((other_a[offset], other_b[offset])) if code and code != main_sbi]
            low_staff, high_staff = staff[offset]
            year = years[offset]
            ended = draw() < 0.05
            box = str(1 + int(draw() * 9999)) if draw() < 0.1 else ""
            out.append(
                {
                    "index": index,
                    "kvk": kvk,
                    "vestigingsnummer": "" if form == "VvE" else f"000{kvk}1",
                    "naam": PREFIX.get(form, "") + base + SUFFIX.get(form, ""),
                    "form": form,
                    "rsin": _rsin(index) if form in _RSIN_FORMS else "",
                    "sbi": main_sbi,
                    "sbi_other": others,
                    "straat": streets[offset],
                    "huisnummer": numbers[offset],
                    "huisletter": letters[offset],
                    "postcode": f"{low + int(draw() * (high - low + 1))}{tails[offset]}",
                    "plaats": place,
                    "gemeente": municipality,
                    "postbus": box,
                    "post_postcode": f"{low}AA" if box else "",
                    "werkzame_personen": low_staff + int(draw() * (high_staff - low_staff + 1)),
                    "start": f"{year}{days[offset]}",
                    "einde": f"{year + int(draw() * (2026 - year))}1231" if ended else "",
                    "website": f"www.{base.lower().replace(' ', '')}{index % 997}.nl" if draw() < 0.4 else "",
                }
            )
        return out

    def company(self, kvk):
        """Population company ``kvk`` in the register's shape (see :func:`kvk_data.company`), or None."""
        index = index_of(kvk)
        if index is None:
            return None
        row = self.values(index)
        full = row["werkzame_personen"] // 2
        visiting = address(
            "bezoekadres", row["straat"], row["huisnummer"], row["postcode"], row["plaats"], letter=row["huisletter"]
        )
        addresses = [visiting]
        if row["postbus"]:
            addresses.append(
                address("correspondentieadres", "", "", row["post_postcode"], row["plaats"], box=row["postbus"])
            )
        sbi = [(row["sbi"], True), *((code, False) for code in row["sbi_other"])]
        websites = [row["website"]] if row["website"] else []
        owner_addresses = []
        branches = []
        if row["form"] == "VvE":  # an association of owners has no branch: its address is the owner's
            owner_addresses = addresses
        else:
            branches = [
                branch(
                    row["vestigingsnummer"],
                    row["naam"],
                    True,
                    addresses,
                    full=full,
                    part=row["werkzame_personen"] - full,
                    sbi=sbi,
                    websites=websites,
                    start=row["start"],
                    end=row["einde"] or None,
                )
            ]
        return company(
            kvk,
            row["naam"],
            row["form"],
            rsin=row["rsin"] or None,
            statutory=row["naam"] if row["rsin"] else None,
            start=row["start"],
            end=row["einde"] or None,
            sbi=sbi,
            websites=websites,
            vestigingen=branches,
            eigenaar_adressen=owner_addresses,
        )


def legal_form_name(form):
    """The ``rechtsvorm`` text the register gives for a form key of :data:`kvk_data.LEGAL_FORMS`."""
    value = LEGAL_FORMS[form]
    return value[0] if isinstance(value, tuple) else value
