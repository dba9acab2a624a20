"""The simulated portal's clients, and XBRL instances shaped like the public SBR samples.

Clients: a few fixed ones that the demo, the tests and the README name, plus
seeded synthetic ones.  Every number passes the checks its kind has (the 11-check
of BSN and RSIN, 8 digits not starting with 00 for a KvK number).

XBRL: :func:`ob_declaration` and :func:`annual_accounts` build instances with the
structure of the public samples the project's notes name (Logius' OB sample
VB-01 of NT15: one context "Msg", the omzetbelastingnummer scheme, about thirty
``bd-i`` facts with ``decimals="INF"``; the SBR-NL NT11 small-company
publication: duration and instant contexts with dimensions and typed members,
the ``kvk-id`` scheme, the reporting-period facts).  Those samples are not
copied here, as their licences are not stated; these are made from scratch in
their shape.  :func:`declaration` builds the other Belastingdienst types.
"""

import random
from datetime import date, timedelta
from xml.sax.saxutils import escape

# The entrypoint date folder per taxonomy generation, as nltaxonomie.nl names them.
NT_RELEASES = {"nt15": "20201209", "nt11": "20161214", "nt18": "20231213", "nt20": "20251210"}
BD = "http://www.nltaxonomie.nl/{nt}/bd/{release}"
KVK = "http://www.nltaxonomie.nl/{nt}/kvk/{release}"
SCHEME_OB = "www.belastingdienst.nl/omzetbelastingnummer"
SCHEME_BD = "www.belastingdienst.nl/identificatie"
SCHEME_LH = "www.belastingdienst.nl/loonheffingennummer"
SCHEME_KVK = "http://www.kvk.nl/kvk-id"


def eleven_check(first8):
    """The nine-digit number (BSN, RSIN) that completes ``first8`` with the 11-check, or None."""
    digits = [int(c) for c in first8]
    total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
    last = total % 11
    return None if last == 10 else first8 + str(last)


def nine_digits(rng, first=None):
    while True:
        head = (first or str(rng.randint(1, 9))) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        number = eleven_check(head[:8])
        if number:
            return number


FIXED_CLIENTS = [
    {
        "hidden_id": "100001",
        "name": "Bakkerij De Korenschoof B.V.",
        "kvk": "61234567",
        "rsin": "852147971",
        "ob": "852147971B01",
        "lh": "852147971L01",
        "bsn": "",
    },
    {
        "hidden_id": "100002",
        "name": "Jansen Installatietechniek",
        "kvk": "71234568",
        "rsin": "",
        "ob": "862341206B01",
        "lh": "",
        "bsn": "111222333",
    },
    {
        "hidden_id": "100003",
        "name": "Stichting Buurthuis De Linde",
        "kvk": "41234569",
        "rsin": "815948475",
        "ob": "",
        "lh": "815948475L01",
        "bsn": "",
    },
    {
        # The numbers of the public test messages (Logius OB sample, SBR-NL annual accounts sample).
        "hidden_id": "100004",
        "name": "Testbedrijf SBR B.V.",
        "kvk": "30267975",
        "rsin": "001000044",
        "ob": "001000044B37",
        "lh": "001000044L01",
        "bsn": "",
    },
    {
        # Known to the portal by its hidden ID only (no KvK number on its card).
        "hidden_id": "100005",
        "name": "Fam. De Vries (particulier)",
        "kvk": "",
        "rsin": "",
        "ob": "",
        "lh": "",
        "bsn": "123456782",
    },
]
SYNTHETIC = 200
NAMES = ["Bouwbedrijf", "Kapsalon", "Tandartspraktijk", "Transport", "Webwinkel", "Adviesbureau", "Garage", "Café"]
PLACES = ["Zwolle", "Utrecht", "Groningen", "Breda", "Leiden", "Delft", "Hoorn", "Venlo"]


def clients(seed):
    """Every client of an office in the simulated portal: {hidden_id: client dict}."""
    out = {client["hidden_id"]: dict(client) for client in FIXED_CLIENTS}
    rng = random.Random(f"{seed}:clientonline:clients")
    for index in range(SYNTHETIC):
        rsin = nine_digits(rng, first="8")
        hidden = str(200000 + index)
        out[hidden] = {
            "hidden_id": hidden,
            "name": f"{rng.choice(NAMES)} {rng.choice(PLACES)} {index + 1} B.V.",
            "kvk": f"{rng.randint(10, 99)}{rng.randint(0, 999999):06d}",
            "rsin": rsin,
            "ob": f"{rsin}B01",
            "lh": f"{rsin}L01",
            "bsn": "",
        }
    return out


# -- XBRL instances -----------------------------------------------------------------------------------------


def _context(context_id, scheme, identifier, start=None, end=None, instant=None, scenario=""):
    period = (
        f"<xbrli:instant>{instant.isoformat()}</xbrli:instant>"
        if instant
        else f"<xbrli:startDate>{start.isoformat()}</xbrli:startDate><xbrli:endDate>{end.isoformat()}</xbrli:endDate>"
    )
    scenario = f"\n    <xbrli:scenario>{scenario}</xbrli:scenario>" if scenario else ""
    return (
        f'  <xbrli:context id="{context_id}">\n'
        "    <xbrli:entity>\n"
        f'      <xbrli:identifier scheme="{escape(scheme)}">{escape(identifier)}</xbrli:identifier>\n'
        f"    </xbrli:entity>\n    <xbrli:period>\n      {period}\n    </xbrli:period>{scenario}\n  </xbrli:context>\n"
    )


def ob_declaration(ob_number, start, end, year=None, nt="nt15", extra_facts=0, kind="ob-aangifte"):
    """An OB (VAT) declaration like Logius' VB-01 sample: bytes."""
    year = year or end.year
    return declaration(
        f"bd-rpt-{kind}-{year}", SCHEME_OB, ob_number, start, end, nt=nt, extra_facts=extra_facts, amounts=True
    )


def declaration(entrypoint, scheme, identifier, start, end, nt="nt15", extra_facts=0, amounts=False):
    """A Belastingdienst declaration with one context "Msg" (OB, ICP, IB, VPB, LH): bytes."""
    release = NT_RELEASES[nt]
    base = BD.format(nt=nt, release=release)
    facts = [
        ("ContactType", "INT"),
        ("ContactInitials", "J."),
        ("ContactSurname", "Boekhouder"),
        ("ContactTelephoneNumber", "0301234567"),
        ("TaxConsultantNumber", "234564"),
        ("DateTimeCreation", "202511151254"),
        ("MessageReferenceSupplierVAT", "OB-KTG00-AG"),
        ("SoftwarePackageName", "Odoo"),
        ("SoftwarePackageVersion", "18.0"),
        ("SoftwareVendorAccountNumber", "SWO12345"),
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!--XBRL instance based on taxonomy report namespace {base}/entrypoints/{entrypoint}.xsd -->",
        "<!--Made for tests in the shape of the public Logius example messages-->",
        f'<xbrli:xbrl xml:lang="nl" xmlns:bd-i="{base}/dictionary/bd-data" '
        'xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:xbrli="http://www.xbrl.org/2003/instance">',
        f'  <link:schemaRef xlink:type="simple" xlink:href="{base}/entrypoints/{entrypoint}.xsd"/>',
        _context("Msg", scheme, identifier, start, end).rstrip("\n"),
        '  <xbrli:unit id="EUR">\n    <xbrli:measure>iso4217:EUR</xbrli:measure>\n  </xbrli:unit>',
    ]
    lines += [f'  <bd-i:{name} contextRef="Msg">{escape(value)}</bd-i:{name}>' for name, value in facts]
    if amounts:
        for name, value in [
            ("InstallationDistanceSalesWithinTheEC", 100),
            ("SuppliesToCountriesOutsideTheEC", 4000),
            ("SuppliesToCountriesWithinTheEC", 100),
            ("TaxedTurnoverSuppliesServicesGeneralTariff", 15000),
            ("TaxedTurnoverSuppliesServicesReducedTariff", 1500),
            ("ValueAddedTaxOnInput", 0),
            ("ValueAddedTaxOwed", 3240),
            ("ValueAddedTaxOwedToBePaidBack", 3240),
            ("ValueAddedTaxSuppliesServicesGeneralTariff", 3150),
            ("ValueAddedTaxSuppliesServicesReducedTariff", 90),
        ]:
            lines.append(f'  <bd-i:{name} decimals="INF" contextRef="Msg" unitRef="EUR">{value}</bd-i:{name}>')
    for index in range(extra_facts):
        lines.append(
            f'  <bd-i:AdditionalInformation{index % 7} contextRef="Msg">Regel {index} van de toelichting.'
            f"</bd-i:AdditionalInformation{index % 7}>"
        )
    lines.append("</xbrli:xbrl>\n")
    return "\n".join(lines).encode()


def annual_accounts(kvk_number, year, size="klein", publication=True, nt="nt11", extra_facts=0):
    """KvK annual accounts (jaarverantwoording) like the SBR-NL NT11 sample: bytes."""
    release = NT_RELEASES[nt]
    base = KVK.format(nt=nt, release=release)
    suffix = "-publicatiestukken" if publication else ""
    entrypoint = f"kvk-rpt-jaarverantwoording-{year}-nlgaap-{size}{suffix}"
    dims = (
        '<xbrldi:explicitMember dimension="venj-bw2-dim:BasisOfPreparationAxis">venj-bw2-dm:CommercialMember'
        "</xbrldi:explicitMember>"
        '<xbrldi:explicitMember dimension="venj-bw2-dim:FinancialStatementsTypeAxis">venj-bw2-dm:SeparateMember'
        "</xbrldi:explicitMember>"
    )
    start, end = date(year, 1, 1), date(year, 12, 31)
    before_start, before_end = date(year - 1, 1, 1), date(year - 1, 12, 31)
    contexts = [
        _context(f"FY{year % 100}d", SCHEME_KVK, kvk_number, start, end),
        _context(f"FY{(year - 1) % 100}d", SCHEME_KVK, kvk_number, before_start, before_end),
        _context(f"FY{year % 100}d_Commercial_Separate", SCHEME_KVK, kvk_number, start, end, scenario=dims),
        _context(f"FY{year % 100}i_Commercial_Separate", SCHEME_KVK, kvk_number, instant=end, scenario=dims),
        _context(
            f"FY{(year - 1) % 100}i_Commercial_Separate", SCHEME_KVK, kvk_number, instant=before_end, scenario=dims
        ),
        _context(
            f"FY{year % 100}d_Director_1",
            SCHEME_KVK,
            kvk_number,
            start,
            end,
            scenario='<xbrldi:typedMember dimension="venj-bw2-dim:ManagingOrSupervisoryDirectorNamesAxis">'
            "<venj-bw2-dm:ManagingOrSupervisoryDirectorTypedMember>A. Bestuurder"
            "</venj-bw2-dm:ManagingOrSupervisoryDirectorTypedMember></xbrldi:typedMember>",
        ),
    ]
    fy, cs, ps = (
        f"FY{year % 100}d",
        f"FY{year % 100}i_Commercial_Separate",
        f"FY{(year - 1) % 100}i_Commercial_Separate",
    )
    facts = [
        f'<venj-bw2-i:FinancialReportingPeriodCurrentStartDate contextRef="{fy}">{start.isoformat()}'
        "</venj-bw2-i:FinancialReportingPeriodCurrentStartDate>",
        f'<venj-bw2-i:FinancialReportingPeriodCurrentEndDate contextRef="{fy}">{end.isoformat()}'
        "</venj-bw2-i:FinancialReportingPeriodCurrentEndDate>",
        f'<venj-bw2-i:FinancialReportingPeriodPreviousStartDate contextRef="FY{(year - 1) % 100}d">'
        f"{before_start.isoformat()}</venj-bw2-i:FinancialReportingPeriodPreviousStartDate>",
        f'<venj-bw2-i:ChamberOfCommerceRegistrationNumber contextRef="{fy}">{escape(kvk_number)}'
        "</venj-bw2-i:ChamberOfCommerceRegistrationNumber>",
        f'<venj-bw2-i:LegalEntityName contextRef="{fy}">Voorbeeld B.V.</venj-bw2-i:LegalEntityName>',
        f'<venj-bw2-i:LegalEntityRegisteredOffice contextRef="{fy}">Den Haag</venj-bw2-i:LegalEntityRegisteredOffice>',
        f'<kvk-i:LegalSizeCriteriaClassification contextRef="{fy}">{size.capitalize()}'
        "</kvk-i:LegalSizeCriteriaClassification>",
        f'<venj-bw2-i:DocumentAdoptionStatus contextRef="{fy}">Nee</venj-bw2-i:DocumentAdoptionStatus>',
        f'<venj-bw2-i:IntangibleAssets contextRef="{cs}" unitRef="EUR" decimals="INF">600000'
        "</venj-bw2-i:IntangibleAssets>",
        f'<venj-bw2-i:PropertyPlantEquipment contextRef="{cs}" unitRef="EUR" decimals="INF">1000000'
        "</venj-bw2-i:PropertyPlantEquipment>",
        f'<venj-bw2-i:PropertyPlantEquipment contextRef="{ps}" unitRef="EUR" decimals="INF">950000'
        "</venj-bw2-i:PropertyPlantEquipment>",
        '<kvk-t:ContactForDocumentPresentation><kvk-i:ContactType contextRef="'
        + fy
        + '">Intermediair</kvk-i:ContactType></kvk-t:ContactForDocumentPresentation>',
    ]
    for index in range(extra_facts):
        facts.append(
            f'<venj-bw2-i:Explanation{index % 5} contextRef="{fy}">Toelichting {index}.'
            f"</venj-bw2-i:Explanation{index % 5}>"
        )
    namespaces = " ".join(
        [
            'xmlns:xbrli="http://www.xbrl.org/2003/instance"',
            f'xmlns:kvk-i="{base}/dictionary/kvk-data"',
            f'xmlns:kvk-t="{base}/dictionary/kvk-tuples"',
            f'xmlns:venj-bw2-i="http://www.nltaxonomie.nl/{nt}/venj/{release}/dictionary/venj-bw2-data"',
            f'xmlns:venj-bw2-dm="http://www.nltaxonomie.nl/{nt}/venj/{release}/dictionary/venj-bw2-domains"',
            f'xmlns:venj-bw2-dim="http://www.nltaxonomie.nl/{nt}/venj/{release}/dictionary/venj-bw2-axes"',
            'xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink"',
            'xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:iso4217="http://www.xbrl.org/2003/iso4217"',
        ]
    )
    body = "".join(contexts)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<!-- Made for tests in the shape of the SBR-NL sample annual accounts -->\n"
        f'<xbrli:xbrl xml:lang="nl" {namespaces}>\n'
        f'  <link:schemaRef xlink:type="simple" xlink:href="{base}/entrypoints/{entrypoint}.xsd"/>\n'
        f"{body}"
        '  <xbrli:unit id="EUR"><xbrli:measure>iso4217:EUR</xbrli:measure></xbrli:unit>\n'
        + "".join(f"  {fact}\n" for fact in facts)
        + "</xbrli:xbrl>\n"
    ).encode()


def income_tax(bsn, year, nt="nt18"):
    return declaration(f"bd-rpt-ihz-aangifte-{year}", SCHEME_BD, bsn, date(year, 1, 1), date(year, 12, 31), nt=nt)


def corporate_tax(rsin, year, nt="nt18"):
    return declaration(f"bd-rpt-vpb-aangifte-{year}", SCHEME_BD, rsin, date(year, 1, 1), date(year, 12, 31), nt=nt)


def payroll_tax(lh_number, start, end, nt="nt18"):
    return declaration(f"bd-rpt-lh-aangifte-{end.year}", SCHEME_LH, lh_number, start, end, nt=nt)


def icp_declaration(ob_number, start, end, nt="nt18"):
    return declaration(f"bd-rpt-icp-opgaaf-{end.year}", SCHEME_OB, ob_number, start, end, nt=nt, amounts=True)


def quarter(year, number):
    start = date(year, 3 * number - 2, 1)
    end = (date(year, 3 * number, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


# -- PDF ------------------------------------------------------------------------------------------------


def pdf(text="Jaarrekening"):
    """A small but complete PDF (one page with a line of text): bytes."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
