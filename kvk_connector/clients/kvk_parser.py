"""Turn KvK JSON answers into neutral values (dataclasses); no network, no Odoo."""

import re
from dataclasses import dataclass, field
from datetime import date

import phonenumbers

TYPES = ("hoofdvestiging", "nevenvestiging", "rechtspersoon")


@dataclass
class Address:
    kind: str = ""  # bezoekadres | correspondentieadres | postadres
    shielded: bool = False
    street: str = ""  # street and number as one line, or "Postbus 200"
    street_name: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    po_box: str = ""

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
    # Only a public-sector connection fills this: {"bsn": ..., "private_addresses": ...}.
    confidential: dict = field(default_factory=dict)

    @property
    def main_activity(self):
        return next((a for a in self.activities if a.main), self.activities[0] if self.activities else None)


def yes(value):
    return str(value or "").strip().lower() == "ja"


def kvk_date(raw):
    """KvK's ``YYYYMMDD`` string as (raw, date or None); unknown parts are zero-filled."""
    raw = str(raw or "").strip()
    if not re.fullmatch(r"[0-9]{8}", raw):
        return ("", None)
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


def parse_address(data):
    if not isinstance(data, dict):
        return None
    if "binnenlandsAdres" in data or "buitenlandsAdres" in data:
        inland = data.get("binnenlandsAdres")
        if inland:
            data = {**inland}
        else:
            foreign = data["buitenlandsAdres"] or {}
            return Address(
                kind="bezoekadres",
                street=str(foreign.get("straatHuisnummer") or ""),
                city=str(foreign.get("postcodeWoonplaats") or ""),
                country=str(foreign.get("land") or ""),
            )
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
    country = str(data.get("land") or "Nederland")
    return Address(
        kind=str(data.get("type") or ""),
        shielded=shielded,
        street=street,
        street_name=street_name,
        house_number=number,
        postcode=str(data.get("postcode") or "").replace(" ", "").upper(),
        city=str(data.get("plaats") or data.get("postcodeWoonplaats") or ""),
        country="NL" if country.lower() in ("nederland", "nl", "the netherlands") else country,
        po_box=po_box,
    )


def parse_search(data):
    hits = []
    for item in data.get("resultaten") or []:
        if not isinstance(item, dict):
            continue
        hits.append(
            SearchHit(
                kvk_number=str(item.get("kvkNummer") or ""),
                branch_number=str(item.get("vestigingsnummer") or ""),
                name=str(item.get("naam") or ""),
                kind=str(item.get("type") or ""),
                active=yes(item.get("actief", "Ja")),
                address=parse_address(item.get("adres")),
                rsin=str(item.get("rsin") or ""),
                former_name=str(item.get("vervallenNaam") or ""),
            )
        )
    return SearchPage(
        page=int(data.get("pagina") or 1),
        per_page=int(data.get("resultatenPerPagina") or 10),
        total=int(data.get("totaal") or 0),
        hits=hits,
    )


def _trade_names(items):
    ordered = sorted((i for i in items or [] if isinstance(i, dict)), key=lambda i: i.get("volgorde", 0))
    return [str(i.get("naam")) for i in ordered if i.get("naam")]


def _activities(items):
    return [
        Activity(str(i.get("sbiCode") or ""), str(i.get("sbiOmschrijving") or ""), yes(i.get("indHoofdactiviteit")))
        for i in items or []
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
    for item in (data.get("communicatiegegevens") or {}).get("communicatienummers", []) or []:
        if isinstance(item, dict) and str(item.get("soort", "")).lower().startswith("telefoon"):
            numbers.append(item.get("nummer"))
    for number in numbers:
        number = number.get("nummer") if isinstance(number, dict) else number
        if normalised := normalise_phone(number):
            return normalised
    return ""


def _apply_addresses(profile, addresses):
    for address in filter(None, (parse_address(a) for a in addresses or [])):
        if address.shielded:
            profile.shielded.append(address.kind or "address")
            continue
        if address.is_postal and profile.postal is None:
            profile.postal = address
        elif not address.is_postal and profile.visiting is None:
            profile.visiting = address


def _apply_branch(profile, branch):
    profile.branch_number = str(branch.get("vestigingsnummer") or "")
    profile.main_branch = yes(branch.get("indHoofdvestiging"))
    _apply_addresses(profile, branch.get("adressen"))
    profile.websites = [str(w) for w in branch.get("websites") or []] or profile.websites
    profile.employees = _int(branch.get("totaalWerkzamePersonen"))
    profile.employees_full = _int(branch.get("voltijdWerkzamePersonen"))
    profile.employees_part = _int(branch.get("deeltijdWerkzamePersonen"))
    if branch.get("sbiActiviteiten"):
        profile.activities = _activities(branch.get("sbiActiviteiten"))
    profile.phone = _phones(branch) or profile.phone


def parse_basisprofiel(data):
    embedded = data.get("_embedded") or {}
    owner = embedded.get("eigenaar") or {}
    start = (data.get("materieleRegistratie") or {}).get("datumAanvang") or data.get("formeleRegistratiedatum")
    end = (data.get("materieleRegistratie") or {}).get("datumEinde")
    profile = Profile(
        kvk_number=str(data.get("kvkNummer") or ""),
        rsin=str(owner.get("rsin") or data.get("rsin") or ""),
        name=str(data.get("naam") or ""),
        statutory_name=str(data.get("statutaireNaam") or ""),
        trade_names=_trade_names(data.get("handelsnamen")),
        legal_form=str(owner.get("rechtsvorm") or ""),
        legal_form_long=str(owner.get("uitgebreideRechtsvorm") or ""),
        websites=[str(w) for w in owner.get("websites") or []],
        activities=_activities(data.get("sbiActiviteiten")),
        employees=_int(data.get("totaalWerkzamePersonen")),
        phone=_phones(data),
    )
    profile.founding_raw, profile.founding_date = kvk_date(start)
    profile.end_raw, profile.end_date = kvk_date(end)
    main = embedded.get("hoofdvestiging")
    if isinstance(main, dict):
        total = profile.employees
        activities = profile.activities
        _apply_branch(profile, main)
        profile.activities = activities or profile.activities
        profile.employees = total if total is not None else profile.employees
    _apply_addresses(profile, owner.get("adressen"))
    return profile


def parse_vestigingsprofiel(data):
    start = (data.get("materieleRegistratie") or {}).get("datumAanvang") or data.get("formeleRegistratiedatum")
    end = (data.get("materieleRegistratie") or {}).get("datumEinde")
    profile = Profile(
        kvk_number=str(data.get("kvkNummer") or ""),
        rsin=str(data.get("rsin") or ""),
        name=str(data.get("eersteHandelsnaam") or ""),
        statutory_name=str(data.get("statutaireNaam") or ""),
        trade_names=_trade_names(data.get("handelsnamen")),
    )
    profile.founding_raw, profile.founding_date = kvk_date(start)
    profile.end_raw, profile.end_date = kvk_date(end)
    _apply_branch(profile, data)
    return profile


def parse_error(data):
    """(code, description) of a KvK ``fout`` list, or ("", "")."""
    if isinstance(data, dict) and isinstance(data.get("fout"), list) and data["fout"]:
        first = data["fout"][0]
        if isinstance(first, dict):
            return str(first.get("code") or ""), str(first.get("omschrijving") or "")
    return "", ""
