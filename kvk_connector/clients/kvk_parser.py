"""Turn KvK JSON answers into neutral values (dataclasses); no network, no Odoo.

Answers come in two shapes: the full shape of KvK's OpenAPI files and the
smaller shape KvK's test environment gives, where optional fields are simply
absent.  Whatever is absent stays empty (``None`` or ``""``), never zero.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from babel import Locale
from stdnum.exceptions import ValidationError
from stdnum.nl import postcode as nl_postcode

TYPES = ("hoofdvestiging", "nevenvestiging", "rechtspersoon")
# KvK converted the register's activities from SBI 2008 to SBI 2025 on 5-7 September 2025;
# answers from then on carry SBI 2025 codes (all five digits).
SBI_2025_SINCE = date(2025, 9, 5)
RAW_DATE_LENGTH = 32
# Country names KvK writes that are not the usual Dutch or English name of the country.
COUNTRY_ALIASES = {
    "verenigde staten van amerika": "US",
    "groot brittannie": "GB",
    "engeland": "GB",
    "bondsrepubliek duitsland": "DE",
    "duitse bondsrepubliek": "DE",
    "the netherlands": "NL",
    "nederlandse antillen": "CW",
}


def _plain(text):
    """Lower case, without accents, separators as single spaces ("België" -> "belgie")."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[\s\-.,']+", letters)).strip()


@functools.cache
def _country_names():
    """Country names in Dutch and English (CLDR, through Babel, which Odoo itself requires) -> ISO code.

    Read on first use, and only the names of two languages: every language's names would add
    a hundred MB to each Odoo process.
    """
    names = {}
    for lang in ("nl", "en"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_plain(name), code)
    names.update(COUNTRY_ALIASES)
    return names


def country_code(name):
    """The ISO 3166 code of a country as KvK names it in Dutch ("België" -> "BE"), or ""."""
    name = str(name or "").strip()
    if re.fullmatch(r"[A-Za-z]{2}", name):
        return name.upper()
    return _country_names().get(_plain(name), "")


def dutch_postcode(text):
    """A Dutch postcode as it is written: ``1234 AB`` (python-stdnum); anything else as it came."""
    text = str(text or "").strip()
    try:
        return nl_postcode.validate(text) if text else ""
    except ValidationError:
        return text


def split_postcode_place(text):
    """A foreign ``postcodeWoonplaats`` ("X-13501 Parijs", "1000 Bruxelles") as (postcode, place).

    The postcode is the leading (or else trailing) part that holds digits; without one,
    everything is the place.
    """
    tokens = str(text or "").split()
    if not tokens:
        return "", ""

    def coded(token):
        return any(c.isdigit() for c in token)

    lead = 0
    while lead < min(2, len(tokens) - 1) and coded(tokens[lead]):
        lead += 1
    if lead == 1 and len(tokens) > 2 and re.fullmatch(r"[0-9]{4}", tokens[0]) and re.fullmatch(r"[A-Z]{2}", tokens[1]):
        lead = 2  # 1234 AB Plaats
    if lead:
        return " ".join(tokens[:lead]), " ".join(tokens[lead:])
    trail = 0
    while trail < min(2, len(tokens) - 1) and coded(tokens[-1 - trail]):
        trail += 1
    if trail:
        return " ".join(tokens[-trail:]), " ".join(tokens[:-trail])
    return "", " ".join(tokens)


def sbi_version(code, as_of=None):
    """``"2025"`` or ``"2008"``: which SBI edition a code of an answer received on ``as_of`` is in."""
    as_of = as_of or date.today()
    if not re.fullmatch(r"[0-9]{5}", code or "") or as_of < SBI_2025_SINCE:
        return "2008"
    return "2025"


@dataclass
class Address:
    kind: str = ""  # bezoekadres | correspondentieadres | postadres
    shielded: bool = False
    street: str = ""  # street and number as one line, or "Postbus 200"
    street_name: str = ""
    house_number: str = ""
    postcode: str = ""  # Dutch ones as "1234 AB"
    city: str = ""
    country: str = "NL"  # ISO code when the country is known, else "" (see country_name)
    po_box: str = ""
    country_name: str = ""  # as the register names it ("België")

    @property
    def is_postal(self):
        return self.kind in ("correspondentieadres", "postadres")


@dataclass
class SearchHit:
    kvk_number: str
    branch_number: str
    name: str
    kind: str
    active: bool
    address: Address | None = None
    rsin: str = ""
    former_name: str = ""
    shielded: bool = False  # the register shields the address of this registration

    @property
    def key(self):
        return f"{self.kvk_number}:{self.branch_number or ''}:{self.kind}"


@dataclass
class SearchPage:
    page: int
    per_page: int
    total: int
    hits: list

    @property
    def reachable(self):
        """KvK serves at most 1,000 results of any search."""
        return min(self.total, 1000)

    @property
    def page_count(self):
        return max(1, -(-self.reachable // self.per_page))


@dataclass
class Activity:
    code: str
    description: str
    main: bool
    version: str = "2025"  # SBI edition: "2008" or "2025"


@dataclass
class Profile:
    kvk_number: str
    branch_number: str = ""
    rsin: str = ""
    name: str = ""
    statutory_name: str = ""
    trade_names: list = field(default_factory=list)
    legal_form: str = ""
    legal_form_long: str = ""
    founding_raw: str = ""
    founding_date: date | None = None
    end_raw: str = ""
    end_date: date | None = None
    websites: list = field(default_factory=list)
    phone: str = ""
    visiting: Address | None = None
    postal: Address | None = None
    shielded: list = field(default_factory=list)  # kinds of address the register shields
    activities: list = field(default_factory=list)
    employees: int | None = None
    employees_full: int | None = None
    employees_part: int | None = None
    main_branch: bool = False
    kind: str = ""  # hoofdvestiging | nevenvestiging | rechtspersoon, as far as the answer tells
    # Only a public-sector connection fills this: {"bsn": ..., "private_addresses": ...}.
    confidential: dict = field(default_factory=dict)

    @property
    def main_activity(self):
        return next((a for a in self.activities if a.main), self.activities[0] if self.activities else None)


def yes(value):
    return str(value or "").strip().lower() == "ja"


def kvk_date(raw):
    """KvK's ``YYYYMMDD`` string as (raw, date or None); unknown parts are zero-filled.

    Any other text is kept as it came (up to 32 characters), without a date.
    """
    raw = str(raw or "").strip()[:RAW_DATE_LENGTH]
    if not re.fullmatch(r"[0-9]{8}", raw):
        return (raw, None)
    year, month, day = int(raw[:4]), int(raw[4:6]), int(raw[6:])
    if not (year and month and day):
        return (raw, None)
    try:
        return (raw, date(year, month, day))
    except ValueError:
        return (raw, None)


def normalise_phone(number, region="NL"):
    """A phone number in international format, or "" when it is no phone number."""
    try:
        parsed = phonenumbers.parse(str(number), region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _foreign(data, kind):
    """A foreign address: street and number on one line, postcode and place apart where possible."""
    postcode, city = split_postcode_place(data.get("postcodeWoonplaats"))
    name = str(data.get("land") or "")
    return Address(
        kind=str(data.get("type") or kind),
        shielded=yes(data.get("indAfgeschermd")),
        street=str(data.get("straatHuisnummer") or ""),
        postcode=postcode,
        city=city,
        country=country_code(name),
        country_name=name,
    )


def parse_address(data):
    if not isinstance(data, dict):
        return None
    if "binnenlandsAdres" in data or "buitenlandsAdres" in data:  # Zoeken
        inland = data.get("binnenlandsAdres")
        if isinstance(inland, dict) and inland:
            data = {**inland}
        elif isinstance(data.get("buitenlandsAdres"), dict):
            return _foreign(data["buitenlandsAdres"], "bezoekadres")
        else:
            return None
    name = str(data.get("land") or "")
    if name and country_code(name) != "NL" or (not data.get("straatnaam") and data.get("straatHuisnummer")):
        if not data.get("postbusnummer"):
            return _foreign(data, "")
    shielded = yes(data.get("indAfgeschermd"))
    number = " ".join(
        str(part)
        for part in (data.get("huisnummer"), data.get("huisletter"), data.get("huisnummerToevoeging"))
        if part not in (None, "")
    )
    po_box = str(data.get("postbusnummer") or "")
    street_name = str(data.get("straatnaam") or "")
    if po_box:
        street = f"Postbus {po_box}"
    elif street_name:
        street = f"{street_name} {number}".strip()
    else:
        street = str(data.get("straatHuisnummer") or "")
    if data.get("toevoegingAdres"):
        street = f"{street} {data['toevoegingAdres']}".strip()
    return Address(
        kind=str(data.get("type") or ""),
        shielded=shielded,
        street=street,
        street_name=street_name,
        house_number=number,
        postcode=dutch_postcode(data.get("postcode")),
        city=str(data.get("plaats") or ""),
        country="NL",
        po_box=po_box,
        country_name=name or "Nederland",
    )


def parse_search(data):
    hits = []
    for item in _list(data.get("resultaten")):
        if not isinstance(item, dict):
            continue
        address = parse_address(item.get("adres"))
        hits.append(
            SearchHit(
                kvk_number=str(item.get("kvkNummer") or ""),
                branch_number=str(item.get("vestigingsnummer") or ""),
                name=str(item.get("naam") or ""),
                kind=str(item.get("type") or ""),
                active=yes(item.get("actief", "Ja")),
                address=address,
                rsin=str(item.get("rsin") or ""),
                former_name=str(item.get("vervallenNaam") or ""),
                shielded=yes(item.get("indAfgeschermd"))
                or yes(item.get("indAdresAfgeschermd"))
                or bool(address and address.shielded),
            )
        )
    return SearchPage(
        page=_int(data.get("pagina")) or 1,
        per_page=_int(data.get("resultatenPerPagina")) or 10,
        total=_int(data.get("totaal")) or 0,
        hits=hits,
    )


def _list(value):
    return value if isinstance(value, list) else []


def _trade_names(items):
    """Names in the register's order (``volgorde``); a missing or odd order keeps the answer's order, last."""
    named = [i for i in _list(items) if isinstance(i, dict) and i.get("naam")]

    def order(pair):
        index, item = pair
        try:
            return (0, int(item.get("volgorde")), index)
        except (TypeError, ValueError):
            return (1, 0, index)

    return [str(item["naam"]) for _index, item in sorted(enumerate(named), key=order)]


def _activities(items, as_of=None):
    return [
        Activity(
            str(i.get("sbiCode")),
            str(i.get("sbiOmschrijving") or ""),
            yes(i.get("indHoofdactiviteit")),
            sbi_version(str(i.get("sbiCode")), as_of),
        )
        for i in _list(items)
        if isinstance(i, dict) and i.get("sbiCode")
    ]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _phones(data):
    """Phone numbers where an answer carries them (public-sector answers do; the classic APIs do not)."""
    numbers = []
    for key in ("telefoonnummer", "telefoonnummers"):
        value = data.get(key)
        numbers += value if isinstance(value, list) else [value] if value else []
    for item in _list(_dict(data.get("communicatiegegevens")).get("communicatienummers")):
        if isinstance(item, dict) and str(item.get("soort", "")).lower().startswith("telefoon"):
            numbers.append(item.get("nummer"))
    for number in numbers:
        number = number.get("nummer") if isinstance(number, dict) else number
        if normalised := normalise_phone(number):
            return normalised
    return ""


def _apply_addresses(profile, addresses):
    for address in filter(None, (parse_address(a) for a in _list(addresses))):
        if address.shielded:
            profile.shielded.append(address.kind or "address")
            continue
        if address.is_postal and profile.postal is None:
            profile.postal = address
        elif not address.is_postal and profile.visiting is None:
            profile.visiting = address


def _apply_branch(profile, branch, as_of=None):
    profile.branch_number = str(branch.get("vestigingsnummer") or "")
    profile.main_branch = yes(branch.get("indHoofdvestiging"))
    profile.kind = "hoofdvestiging" if profile.main_branch else "nevenvestiging"
    _apply_addresses(profile, branch.get("adressen"))
    profile.websites = [str(w) for w in _list(branch.get("websites"))] or profile.websites
    profile.employees = _int(branch.get("totaalWerkzamePersonen"))
    profile.employees_full = _int(branch.get("voltijdWerkzamePersonen"))
    profile.employees_part = _int(branch.get("deeltijdWerkzamePersonen"))
    if _list(branch.get("sbiActiviteiten")):
        profile.activities = _activities(branch.get("sbiActiviteiten"), as_of)
    profile.phone = _phones(branch) or profile.phone


def _dict(value):
    return value if isinstance(value, dict) else {}


def parse_basisprofiel(data, as_of=None):
    """A Basisprofiel answer; ``as_of`` is the date it was received (it decides the SBI edition)."""
    embedded = _dict(data.get("_embedded"))
    owner = _dict(embedded.get("eigenaar"))
    registration = _dict(data.get("materieleRegistratie"))
    start = registration.get("datumAanvang") or data.get("formeleRegistratiedatum")
    end = registration.get("datumEinde")
    profile = Profile(
        kvk_number=str(data.get("kvkNummer") or ""),
        rsin=str(owner.get("rsin") or data.get("rsin") or ""),
        name=str(data.get("naam") or ""),
        statutory_name=str(data.get("statutaireNaam") or ""),
        trade_names=_trade_names(data.get("handelsnamen")),
        legal_form=str(owner.get("rechtsvorm") or ""),
        legal_form_long=str(owner.get("uitgebreideRechtsvorm") or ""),
        websites=[str(w) for w in _list(owner.get("websites"))],
        activities=_activities(data.get("sbiActiviteiten"), as_of),
        employees=_int(data.get("totaalWerkzamePersonen")),
        phone=_phones(data),
        kind="rechtspersoon",
    )
    profile.founding_raw, profile.founding_date = kvk_date(start)
    profile.end_raw, profile.end_date = kvk_date(end)
    main = embedded.get("hoofdvestiging")
    if isinstance(main, dict):
        total = profile.employees
        activities = profile.activities
        _apply_branch(profile, main, as_of)
        profile.activities = activities or profile.activities
        profile.employees = total if total is not None else profile.employees
    _apply_addresses(profile, owner.get("adressen"))
    return profile


def parse_vestigingsprofiel(data, as_of=None):
    """A Vestigingsprofiel answer; ``as_of`` as for :func:`parse_basisprofiel`."""
    registration = _dict(data.get("materieleRegistratie"))
    start = registration.get("datumAanvang") or data.get("formeleRegistratiedatum")
    end = registration.get("datumEinde")
    profile = Profile(
        kvk_number=str(data.get("kvkNummer") or ""),
        rsin=str(data.get("rsin") or ""),
        name=str(data.get("eersteHandelsnaam") or ""),
        statutory_name=str(data.get("statutaireNaam") or ""),
        trade_names=_trade_names(data.get("handelsnamen")),
    )
    profile.founding_raw, profile.founding_date = kvk_date(start)
    profile.end_raw, profile.end_date = kvk_date(end)
    _apply_branch(profile, data, as_of)
    return profile


def parse_error(data):
    """(code, description) of a KvK ``fout`` list, or ("", "")."""
    if isinstance(data, dict) and isinstance(data.get("fout"), list) and data["fout"]:
        first = data["fout"][0]
        if isinstance(first, dict):
            return str(first.get("code") or ""), str(first.get("omschrijving") or "")
    return "", ""
