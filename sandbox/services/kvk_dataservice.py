"""The KvK Dataservice (SOAP) of a public-sector connection: ``ophalenInschrijving`` under ``/kvk/dataservice``.

KvK's WSDL and response XSD are not public: the WSDL served here is the addon's
rebuilt one (kvk_connector/schemas/kvk_dataservice.wsdl).  The simulator checks
what it can without cryptography (it stays standard-library only): a WS-Security
header with an X.509 token, a Timestamp and a signature, and the WS-Addressing
Action; the signature itself is verified by the project's tests.  Over HTTPS
(a sandbox with a ``TlsConfig``) it also wants the TLS client certificate.  Answers carry
what only a public-sector connection gets: BSNs and private addresses of owners
and directors, phone numbers, shielded visiting addresses.
"""

import random
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

from ..core import Response
from .kvk_data import ERROR_CASES, SBI
from .soap import SOAP_ENV, soap_fault

WSDL_PATH = Path(__file__).resolve().parents[2] / "kvk_connector" / "schemas" / "kvk_dataservice.wsdl"
DS = "http://schemas.kvk.nl/schemas/hrip/dataservice/2015/02"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
WSA = "http://www.w3.org/2005/08/addressing"
ACTION = "http://es.kvk.nl/ophalenInschrijving"
MAX_REQUEST = 256 * 1024


def bsn(rng):
    """A nine-digit number that passes the 11-check (as BSNs do)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        last = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if last < 10 and digits[0]:
            return "".join(map(str, digits)) + str(last)


def _adres(tag, item, shielded=None):
    if item is None:
        return ""
    attr = ' afgeschermd="true"' if (item["shielded"] if shielded is None else shielded) else ""
    parts = []
    if item.get("buitenland"):
        parts.append(f"<ds:straat>{escape(item['straatHuisnummer'])}</ds:straat>")
        parts.append(f"<ds:plaats>{escape(item['postcodeWoonplaats'])}</ds:plaats>")
        parts.append(f"<ds:land>{escape(item['land'])}</ds:land>")
        return f"<ds:{tag}{attr}>{''.join(parts)}</ds:{tag}>"
    if item["postbusnummer"]:
        parts.append(f"<ds:postbusnummer>{escape(str(item['postbusnummer']))}</ds:postbusnummer>")
    else:
        number = f"{item['huisnummer']}{(' ' + item['huisletter']) if item['huisletter'] else ''}"
        parts.append(
            f"<ds:straat>{escape(item['straatnaam'])}</ds:straat><ds:huisnummer>{escape(number)}</ds:huisnummer>"
        )
    parts.append(
        f"<ds:postcode>{escape(item['postcode'])}</ds:postcode><ds:plaats>{escape(item['plaats'])}</ds:plaats>"
    )
    parts.append(f"<ds:land>{escape(item['land'])}</ds:land>")
    return f"<ds:{tag}{attr}>{''.join(parts)}</ds:{tag}>"


def _envelope(body):
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:ds="{DS}"><soap:Body>{body}</soap:Body></soap:Envelope>'
    )


def _error(code, message):
    fout = f"<ds:fout><ds:code>{code}</ds:code><ds:omschrijving>{escape(message)}</ds:omschrijving></ds:fout>"
    return Response.xml(
        _envelope(
            f"<ds:ophalenInschrijvingResponse><ds:meldingen>{fout}</ds:meldingen></ds:ophalenInschrijvingResponse>"
        )
    )


def wsdl(service, request):
    return Response.xml(WSDL_PATH.read_text())


def ophalen_inschrijving(service, request):
    if request.tls and not request.client_cert:  # HTTPS with the client certificate optional
        return soap_fault("Client", "mutual TLS: a client certificate is required", status=403)
    if len(request.body) > MAX_REQUEST:
        return soap_fault("Client", "request too large", status=413)
    try:
        root = ET.fromstring(request.body)
    except ET.ParseError as exc:
        return soap_fault("Client", f"not XML: {exc}", status=400)
    header = root.find(f"{{{SOAP_ENV}}}Header")
    action = header.findtext(f"{{{WSA}}}Action") if header is not None else None
    if action != ACTION or header.find(f"{{{WSA}}}To") is None or header.find(f"{{{WSA}}}MessageID") is None:
        return soap_fault("Client", "WSA01: WS-Addressing headers missing or incorrect", status=500)
    security = header.find(f"{{{WSSE}}}Security")
    if (
        security is None
        or security.find(f"{{{WSSE}}}BinarySecurityToken") is None
        or security.find(f"{{{WSU}}}Timestamp") is None
        or not security.findtext(f"{{{DSIG}}}Signature/{{{DSIG}}}SignatureValue")
    ):
        return soap_fault("Client", "WS-Security: a signed request with an X.509 token is required", status=500)
    ask = root.find(f"{{{SOAP_ENV}}}Body/{{{DS}}}ophalenInschrijvingRequest")
    kvk = (ask.findtext(f"{{{DS}}}kvkNummer") or "").strip() if ask is not None else ""
    if len(kvk) != 8 or not kvk.isdigit():
        return _error("IPD0004", f"Het KVK-nummer {kvk} is niet valide.")
    if kvk in ERROR_CASES:
        status, code, message = ERROR_CASES[kvk]
        if status >= 500:
            return soap_fault("Server", f"{code}: {message}", status=500)
        return _error(code, message)
    company = service.register.companies.get(kvk)
    if company is None:
        return _error("IPD0005", f"Op basis van het KVK-nummer {kvk} kan het product niet worden geleverd.")
    return Response.xml(_envelope(_inschrijving(service, company)))


def _inschrijving(service, company):
    rng = random.Random(f"{service.seed}:dataservice:{company['kvkNummer']}")
    main = service.main_branch(company)
    addresses = main["adressen"] if main else company["eigenaar_adressen"]
    visiting = next((a for a in addresses if a["type"] == "bezoekadres"), None)
    postal = next((a for a in addresses if a["type"] != "bezoekadres"), None)
    parts = [f"<ds:kvkNummer>{company['kvkNummer']}</ds:kvkNummer>"]
    if company["rsin"]:
        parts.append(f"<ds:rsin>{company['rsin']}</ds:rsin>")
    if main:
        parts.append(f"<ds:vestigingsnummer>{main['vestigingsnummer']}</ds:vestigingsnummer>")
    parts.append(f"<ds:naam>{escape(company['naam'])}</ds:naam>")
    if company["statutaireNaam"]:
        parts.append(f"<ds:statutaireNaam>{escape(company['statutaireNaam'])}</ds:statutaireNaam>")
    parts.append(f"<ds:rechtsvorm>{escape(company['uitgebreideRechtsvorm'])}</ds:rechtsvorm>")
    parts.append(f"<ds:datumAanvang>{company['aanvang']}</ds:datumAanvang>")
    if company["einde"]:
        parts.append(f"<ds:datumEinde>{company['einde']}</ds:datumEinde>")
    parts.append(_adres("bezoekadres", visiting))
    parts.append(_adres("postadres", postal))
    parts.append(f"<ds:telefoonnummer>020-{rng.randint(1000000, 9999999)}</ds:telefoonnummer>")
    for code, main_activity in company["sbi"]:
        parts.append(
            f"<ds:activiteit><ds:sbiCode>{code}</ds:sbiCode><ds:omschrijving>{escape(SBI[code])}</ds:omschrijving>"
            f"<ds:hoofdactiviteit>{'true' if main_activity else 'false'}</ds:hoofdactiviteit></ds:activiteit>"
        )
    role = "eigenaar" if company["rechtsvorm"] in ("Eenmanszaak", "Vennootschap onder firma") else "bestuurder"
    for index in range(2 if company["rechtsvorm"] == "Vennootschap onder firma" else 1):
        home = {
            "shielded": False,
            "straatnaam": rng.choice(["Lindelaan", "Esdoornstraat", "Wilgenweg"]),
            "huisnummer": rng.randint(1, 99),
            "huisletter": "",
            "postbusnummer": "",
            "postcode": f"{rng.randint(1000, 9999)}{rng.choice('ABCDEFGH')}{rng.choice('JKLMNPRS')}",
            "plaats": rng.choice(["Utrecht", "Haarlem", "Zwolle"]),
            "land": "Nederland",
        }
        parts.append(
            f"<ds:persoon><ds:rol>{role}</ds:rol><ds:naam>Persoon {index + 1} van {escape(company['naam'])}</ds:naam>"
            f"<ds:bsn>{bsn(rng)}</ds:bsn>{_adres('woonadres', home)}</ds:persoon>"
        )
    product = "".join(parts)
    return f"<ds:ophalenInschrijvingResponse><ds:product>{product}</ds:product></ds:ophalenInschrijvingResponse>"
