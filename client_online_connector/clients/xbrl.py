"""What a Dutch SBR/XBRL declaration says about itself: type, period and reporting entity.

Plain Python and lxml, no Odoo.  :func:`parse_declaration` reads an XBRL instance
(bytes) and returns a :class:`Declaration`:

* the type from the ``link:schemaRef`` entrypoint, whose file name follows the
  Dutch taxonomy's pattern ``http://www.nltaxonomie.nl/nt{NN}/{domain}/{date}/entrypoints/{name}.xsd``
  (``bd-rpt-ob-aangifte-2021``, ``kvk-rpt-jaarverantwoording-2016-nlgaap-klein-publicatiestukken``...);
* the period from the contexts: the reporting period facts of annual accounts
  when present, else the duration context without dimensions that ends last;
* the reporting entity from ``xbrli:entity/xbrli:identifier`` and its ``scheme``,
  which must be the same in every context.

The instance is parsed without network access, DTDs or entity expansion, and
refused above ``max_size`` bytes before anything is parsed; a DOCTYPE is refused
outright (an XBRL instance never needs one).  Every refusal is an
:class:`XbrlError` with a stable ``code`` and an English message naming what was
wrong.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

XBRLI = "http://www.xbrl.org/2003/instance"
LINK = "http://www.xbrl.org/2003/linkbase"
XLINK = "http://www.w3.org/1999/xlink"
DEFAULT_MAX_SIZE = 25 * 1024 * 1024

# Entrypoint names (without .xsd) and what they declare: (kind, identifier the portal checks).
# Belastingdienst: OB/ICP -> OB number, IB (ihz) -> BSN, VPB -> RSIN, LH -> loonheffingennummer;
# KvK annual accounts and bank credit reports (frc) -> KvK number.
ENTRYPOINTS = [
    (re.compile(r"bd-rpt-ob-aangifte-(?P<year>\d{4})"), "ob", "ob"),
    (re.compile(r"bd-rpt-ob-suppletie-(?P<year>\d{4})"), "ob_suppletie", "ob"),
    (re.compile(r"bd-rpt-icp-opgaaf-(?P<year>\d{4})"), "icp", "ob"),
    (re.compile(r"bd-rpt-ihz-aangifte-(?P<year>\d{4})(?P<variant>-[a-z0-9-]+)?"), "ihz", "bsn"),
    (re.compile(r"bd-rpt-ihz-via-(?P<year>\d{4})"), "ihz_via", "bsn"),
    (re.compile(r"bd-rpt-vpb-aangifte-(?P<year>\d{4})(?P<variant>-[a-z0-9-]+)?"), "vpb", "rsin"),
    (re.compile(r"bd-rpt-vpb-sba-(?P<year>\d{4})(?P<variant>-[a-z0-9-]+)?"), "vpb", "rsin"),
    (re.compile(r"bd-rpt-lh-[a-z-]*?(?P<year>\d{4})(?P<variant>-[a-z0-9-]+)?"), "lh", "lh"),
    (
        re.compile(
            r"kvk-rpt-jaarverantwoording-(?P<year>\d{4})-(?P<variant>[a-z0-9-]+?)(?P<publication>-publicatiestukken)?"
        ),
        "kvk",
        "kvk",
    ),
    (re.compile(r"frc-rpt-(?P<variant>[a-z0-9-]+)"), "frc", "kvk"),
]
ENTRYPOINT_NAME = re.compile(r"(?:^|/)(?P<name>[A-Za-z0-9._-]+)\.xsd$")
TAXONOMY = re.compile(r"/nt(?P<nt>\d+)/(?P<domain>[a-z]+)/(?P<date>\d{8})/")

# Identifier schemes of the reporting entity, and which kind of number each one carries.
# The scheme of IB (BSN) and VPB (RSIN) declarations is not stated in the sources this
# reading is built on; "www.belastingdienst.nl/identificatie" is the believed one and is
# accepted for both.  An unknown scheme is accepted and the number checked by the type.
SCHEMES = {
    "www.belastingdienst.nl/omzetbelastingnummer": ("ob",),
    "www.belastingdienst.nl/identificatie": ("bsn", "rsin"),
    "www.belastingdienst.nl/loonheffingennummer": ("lh",),
    "http://www.kvk.nl/kvk-id": ("kvk",),
    "www.kvk.nl/kvk-id": ("kvk",),
}
PERIOD_START_FACT = "FinancialReportingPeriodCurrentStartDate"
PERIOD_END_FACT = "FinancialReportingPeriodCurrentEndDate"
PROLOG_SCAN = 4096


class XbrlError(Exception):
    """An XBRL instance refused, with a stable ``code`` and a message naming what was wrong."""

    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass
class Declaration:
    entrypoint: str  # the schemaRef href
    name: str  # the entrypoint's file name without .xsd
    kind: str  # ob, ob_suppletie, icp, ihz, ihz_via, vpb, lh, kvk, frc
    identifier_kind: str  # ob, bsn, rsin, lh, kvk: the number the portal checks against the client
    identifier: str
    scheme: str
    year: int | None = None
    variant: str = ""
    publication: bool = False  # KvK publicatiestukken (the filed version of the accounts)
    taxonomy: str = ""  # e.g. "nt15"
    period_start: date | None = None
    period_end: date | None = None
    contexts: int = 0
    facts: int = 0
    warnings: list = field(default_factory=list)


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def _date(text, what):
    text = (text or "").strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise XbrlError("bad_period", f"The {what} '{text}' is not a date (YYYY-MM-DD).") from None


def parse_declaration(data, max_size=DEFAULT_MAX_SIZE):
    """The :class:`Declaration` of an XBRL instance given as bytes; raises :class:`XbrlError`."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("an XBRL instance is parsed from bytes")
    if len(data) > max_size:
        raise XbrlError(
            "too_large",
            f"The XBRL file is {len(data):,} bytes, more than the limit of {max_size:,} bytes; it is not read.",
        )
    if not data.strip():
        raise XbrlError("empty", "The XBRL file is empty.")
    if b"<!DOCTYPE" in data[:PROLOG_SCAN].upper() or b"<!ENTITY" in data[:PROLOG_SCAN].upper():
        raise XbrlError("doctype", "The XBRL file has a DOCTYPE or entity declarations; an XBRL instance has none.")
    try:
        root = etree.fromstring(bytes(data), parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XbrlError("malformed", f"The XBRL file is not well-formed XML (truncated or damaged): {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XbrlError("doctype", "The XBRL file has a DOCTYPE or entity declarations; an XBRL instance has none.")
    if root.tag != f"{{{XBRLI}}}xbrl":
        raise XbrlError("not_xbrl", f"The file is XML but not an XBRL instance (its root element is {root.tag}).")
    entrypoint = _entrypoint(root)
    declaration = _classify(entrypoint)
    _read_contexts(root, declaration)
    return declaration


def _entrypoint(root):
    refs = root.findall(f"{{{LINK}}}schemaRef")
    hrefs = [ref.get(f"{{{XLINK}}}href") for ref in refs if ref.get(f"{{{XLINK}}}href")]
    if not hrefs:
        raise XbrlError("no_entrypoint", "The XBRL instance has no schemaRef, so its declaration type is unknown.")
    if len(set(hrefs)) > 1:
        raise XbrlError("several_entrypoints", f"The XBRL instance refers to several entrypoints: {', '.join(hrefs)}.")
    return hrefs[0]


def _classify(entrypoint):
    match = ENTRYPOINT_NAME.search(entrypoint.strip())
    if not match:
        raise XbrlError("unknown_entrypoint", f"The entrypoint {entrypoint} is not an XSD of the Dutch taxonomy.")
    name = match["name"]
    for pattern, kind, identifier_kind in ENTRYPOINTS:
        found = pattern.fullmatch(name)
        if found:
            groups = found.groupdict()
            taxonomy = TAXONOMY.search(entrypoint)
            return Declaration(
                entrypoint=entrypoint,
                name=name,
                kind=kind,
                identifier_kind=identifier_kind,
                identifier="",
                scheme="",
                year=int(groups["year"]) if groups.get("year") else _year(name),
                variant=(groups.get("variant") or "").strip("-"),
                publication=bool(groups.get("publication")),
                taxonomy=f"nt{taxonomy['nt']}" if taxonomy else "",
            )
    raise XbrlError(
        "unknown_entrypoint",
        f"The entrypoint {name} is not a declaration the portal takes (OB, ICP, IB, VPB, LH, KvK annual accounts).",
    )


def _year(name):
    found = re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", name)
    return int(found.group()) if found else None


def _read_contexts(root, declaration):
    entities = set()
    durations, instants = [], []
    contexts = root.findall(f"{{{XBRLI}}}context")
    for context in contexts:
        identifier = context.find(f"{{{XBRLI}}}entity/{{{XBRLI}}}identifier")
        if identifier is None:
            raise XbrlError("no_identifier", f"Context {context.get('id')} has no entity identifier.")
        entities.add(((identifier.get("scheme") or "").strip(), (identifier.text or "").strip()))
        period = context.find(f"{{{XBRLI}}}period")
        if period is None:
            raise XbrlError("bad_period", f"Context {context.get('id')} has no period.")
        dimensional = context.find(f"{{{XBRLI}}}scenario") is not None or (
            context.find(f"{{{XBRLI}}}entity/{{{XBRLI}}}segment") is not None
        )
        start = period.find(f"{{{XBRLI}}}startDate")
        end = period.find(f"{{{XBRLI}}}endDate")
        instant = period.find(f"{{{XBRLI}}}instant")
        if start is not None and end is not None:
            begin, finish = _date(start.text, "start date"), _date(end.text, "end date")
            if finish < begin:
                raise XbrlError(
                    "bad_period", f"Context {context.get('id')} ends ({finish}) before it starts ({begin})."
                )
            durations.append((dimensional, begin, finish))
        elif instant is not None:
            instants.append((dimensional, _date(instant.text, "instant")))
        elif period.find(f"{{{XBRLI}}}forever") is None:
            raise XbrlError("bad_period", f"Context {context.get('id')} has a period without dates.")
    if not contexts:
        raise XbrlError("no_context", "The XBRL instance has no context, so its period and reporter are unknown.")
    if len(entities) > 1:
        names = ", ".join(sorted(value for _scheme, value in entities))
        raise XbrlError("several_entities", f"The XBRL instance reports for several entities ({names}).")
    declaration.scheme, declaration.identifier = entities.pop()
    if not declaration.identifier:
        raise XbrlError("no_identifier", "The XBRL instance's entity identifier is empty.")
    kinds = SCHEMES.get(declaration.scheme)
    if kinds is not None and declaration.identifier_kind not in kinds:
        raise XbrlError(
            "scheme_mismatch",
            f"A {declaration.name} declaration identifies its reporter with the scheme {declaration.scheme}, "
            f"which does not carry the number this declaration is checked on.",
        )
    if kinds is None:
        declaration.warnings.append(f"unknown identifier scheme {declaration.scheme}")
    declaration.contexts = len(contexts)
    declaration.facts = sum(1 for el in root.iter() if isinstance(el.tag, str) and el.get("contextRef") is not None)
    start_fact = _fact(root, PERIOD_START_FACT)
    end_fact = _fact(root, PERIOD_END_FACT)
    if start_fact and end_fact:
        declaration.period_start = _date(start_fact, "reporting period start")
        declaration.period_end = _date(end_fact, "reporting period end")
    elif durations:
        plain = [d for d in durations if not d[0]] or durations
        _dim, begin, finish = max(plain, key=lambda d: (d[2], -d[1].toordinal()))
        declaration.period_start, declaration.period_end = begin, finish
    elif instants:
        declaration.period_end = max(i[1] for i in instants)


def _fact(root, local_name):
    for element in root:
        if isinstance(element.tag, str) and etree.QName(element).localname == local_name:
            return (element.text or "").strip()
    return ""


# -- identifiers ------------------------------------------------------------------------------

IDENTIFIER_LABELS = {
    "ob": "OB number (omzetbelastingnummer)",
    "lh": "loonheffingennummer",
    "bsn": "BSN",
    "rsin": "RSIN",
    "kvk": "KvK number",
}


def normalise_identifier(kind, value):
    """``value`` as the portal compares it: no spaces or dots, upper case; an OB number without
    its ``NL`` prefix (a VAT number holds it), a BSN or RSIN with its leading zeros."""
    text = re.sub(r"[\s.\-]", "", value or "").upper()
    if kind == "ob" and text.startswith("NL"):
        text = text[2:]
    if kind in ("bsn", "rsin") and text.isdigit():
        text = text.zfill(9)
    if kind == "kvk" and text.isdigit():
        text = text.zfill(8)
    return text


def identifiers_match(kind, declared, known):
    """True when the number in the declaration is the client's number of that kind."""
    declared, known = normalise_identifier(kind, declared), normalise_identifier(kind, known)
    return bool(declared) and declared == known
