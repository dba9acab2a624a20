"""The KvK Dataservice (SOAP, public-sector connection): ``ophalenInschrijving`` through zeep.

Two security layers, as KvK describes them: mutual TLS with the organisation's
PKIoverheid certificate (``requests`` session ``cert``), and a WS-Security 1.1
signature (X.509 token profile, XML-DSig with exclusive C14N and RSA-SHA256) over
the Body, the Timestamp and the WS-Addressing headers.  The signature is built
with lxml and cryptography (both already Odoo dependencies), as zeep's own
``Signature`` needs the xmlsec C library.  Answers are parsed by zeep with DTDs,
entities and external references refused.
"""

import base64
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
import weakref
from datetime import datetime, timedelta, timezone

import requests
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from requests.adapters import HTTPAdapter
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.helpers import serialize_object
from zeep.transports import Transport
from zeep.wsa import WsAddressingPlugin

from .kvk_client import KvkAnswer, KvkError, tls_error
from .kvk_parser import Activity, Address, Profile, country_code, dutch_postcode, kvk_date, normalise_phone, sbi_version

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
WSA = "http://www.w3.org/2005/08/addressing"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
# The logical address KvK expects in wsa:To (the physical endpoint differs).
WSA_TO = {
    "production": "http://es.kvk.nl/KVK-Dataservice/2015/02",
    "test": "http://es.kvk.nl/KVK-DataservicePP/2015/02",
}


def c14n(element):
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def digest(element):
    return base64.b64encode(hashlib.sha256(c14n(element)).digest()).decode()


class WsseSignature:
    """zeep's ``wsse`` interface: ``apply`` signs an outgoing envelope."""

    def __init__(self, cert_pem, key_pem, ttl=300):
        self.cert = x509.load_pem_x509_certificate(cert_pem)
        self.key = serialization.load_pem_private_key(key_pem, password=None)
        self.ttl = ttl

    def apply(self, envelope, headers):
        header = envelope.find(f"{{{SOAP_ENV}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP_ENV}}}Header")
            envelope.insert(0, header)
        security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
        security.set(f"{{{SOAP_ENV}}}mustUnderstand", "1")
        token = etree.SubElement(
            security,
            f"{{{WSSE}}}BinarySecurityToken",
            {"EncodingType": BASE64, "ValueType": X509_TOKEN, f"{{{WSU}}}Id": "X509Token"},
        )
        token.text = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        now = datetime.now(timezone.utc)
        stamp = etree.SubElement(security, f"{{{WSU}}}Timestamp", {f"{{{WSU}}}Id": "Timestamp"})
        etree.SubElement(stamp, f"{{{WSU}}}Created").text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        etree.SubElement(stamp, f"{{{WSU}}}Expires").text = (now + timedelta(seconds=self.ttl)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        targets = [envelope.find(f"{{{SOAP_ENV}}}Body"), stamp]
        targets += [child for child in header if isinstance(child.tag, str) and child.tag.startswith(f"{{{WSA}}}")]
        signature = etree.SubElement(security, f"{{{DS}}}Signature", nsmap={"ds": DS})
        info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
        etree.SubElement(info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
        etree.SubElement(info, f"{{{DS}}}SignatureMethod", Algorithm=RSA_SHA256)
        for index, target in enumerate(targets):
            ident = target.get(f"{{{WSU}}}Id") or f"id-{index}-{uuid.uuid4().hex[:8]}"
            target.set(f"{{{WSU}}}Id", ident)
            reference = etree.SubElement(info, f"{{{DS}}}Reference", URI=f"#{ident}")
            transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
            etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=EXC_C14N)
            etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=SHA256)
            etree.SubElement(reference, f"{{{DS}}}DigestValue").text = digest(target)
        value = self.key.sign(c14n(info), padding.PKCS1v15(), hashes.SHA256())
        etree.SubElement(signature, f"{{{DS}}}SignatureValue").text = base64.b64encode(value).decode()
        key_info = etree.SubElement(signature, f"{{{DS}}}KeyInfo")
        reference = etree.SubElement(
            etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference"), f"{{{WSSE}}}Reference"
        )
        reference.set("URI", "#X509Token")
        reference.set("ValueType", X509_TOKEN)
        return envelope, headers

    def verify(self, envelope):
        """Answers are taken as they come; their signature is not checked here."""
        return envelope


def verify_signature(envelope):
    """Check a signed envelope (digests and RSA signature); raise ``ValueError`` when it does not hold."""
    security = envelope.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security")
    if security is None:
        raise ValueError("no wsse:Security header")
    token = security.find(f"{{{WSSE}}}BinarySecurityToken")
    cert = x509.load_der_x509_certificate(base64.b64decode(token.text))
    info = security.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo")
    by_id = {el.get(f"{{{WSU}}}Id"): el for el in envelope.iter() if el.get(f"{{{WSU}}}Id")}
    for reference in info.findall(f"{{{DS}}}Reference"):
        target = by_id.get(reference.get("URI", "").lstrip("#"))
        if target is None or digest(target) != reference.findtext(f"{{{DS}}}DigestValue"):
            raise ValueError(f"digest of {reference.get('URI')} does not match")
    value = base64.b64decode(security.findtext(f"{{{DS}}}Signature/{{{DS}}}SignatureValue"))
    cert.public_key().verify(value, c14n(info), padding.PKCS1v15(), hashes.SHA256())
    return [reference.get("URI") for reference in info.findall(f"{{{DS}}}Reference")]


class PinnedVerifyAdapter(HTTPAdapter):
    """HTTPS with the client's own ``verify``: requests lets ``REQUESTS_CA_BUNDLE`` win over a
    session's ``verify`` (zeep passes none per request), which would drop the CA bundle setting."""

    def __init__(self, verify):
        super().__init__()
        self.pinned_verify = verify

    def send(self, request, *args, **kwargs):
        kwargs["verify"] = self.pinned_verify
        return super().send(request, *args, **kwargs)


def _remove_key_files(folder):
    """Remove the folder holding the key material of a client (idempotent)."""
    if folder and os.path.isdir(folder):
        shutil.rmtree(folder, ignore_errors=True)


def _public_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _write_private(path, data):
    """Write ``data`` to a new file only its owner can read."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(data)


class KvkDataserviceClient:
    """``ophalenInschrijving`` of the KvK Dataservice over mutual TLS with a signed request.

    Everything that can fail (reading the certificate and key, loading the WSDL) is built
    first; only then is the key material written to a private temporary folder for the
    TLS handshake (requests takes file names).  That folder goes when the client is
    closed, when building fails half-way, and at the latest when the client is collected.
    Every construction error is a :class:`KvkError` (``certificate``, ``certificate_mismatch``
    or ``wsdl``) that says what is wrong.
    """

    def __init__(self, wsdl, endpoint, cert_pem, key_pem, timeout=10, session=None, wsa_to=None, verify=True):
        """``verify``: True (the system's trust store) or the path of a CA bundle for the register's chain."""
        self._folder = None
        self._finalizer = None
        if not cert_pem or not key_pem:
            raise KvkError("certificate", "The public-sector connection needs a certificate and its key.")
        try:
            signer = WsseSignature(cert_pem, key_pem)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KvkError(
                "certificate",
                "The PKIoverheid certificate or key cannot be read: both must be PEM, the key without a password.",
                detail=str(exc),
            ) from exc
        if _public_der(signer.cert.public_key()) != _public_der(signer.key.public_key()):
            raise KvkError("certificate_mismatch", "The private key does not belong to the PKIoverheid certificate.")
        self.session = session or requests.Session()
        self.session.verify = verify
        self.session.mount("https://", PinnedVerifyAdapter(verify))
        settings = Settings(
            strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        transport = Transport(session=self.session, timeout=timeout, operation_timeout=timeout)
        try:
            self.client = Client(
                wsdl,
                transport=transport,
                settings=settings,
                wsse=signer,
                plugins=[WsAddressingPlugin(address_url=wsa_to)] if wsa_to else [WsAddressingPlugin()],
            )
            binding = "{http://es.kvk.nl/KVK-Dataservice/2015/02}KvKDataserviceBinding"
            self.service = self.client.create_service(binding, endpoint)
        except (OSError, ValueError, ZeepError, etree.LxmlError, requests.RequestException) as exc:
            self.session.close()
            raise KvkError("wsdl", f"The Dataservice WSDL cannot be loaded from {wsdl}.", detail=str(exc)) from exc
        # Last: the key material on disk, in a folder of its own that every path removes.
        try:
            self._folder = tempfile.mkdtemp(prefix="kvk-pki-")
            self._finalizer = weakref.finalize(self, _remove_key_files, self._folder)
            cert_file, key_file = os.path.join(self._folder, "cert.pem"), os.path.join(self._folder, "key.pem")
            _write_private(cert_file, cert_pem)
            _write_private(key_file, key_pem)
        except OSError as exc:
            self.close()
            raise KvkError(
                "certificate", "The PKIoverheid certificate cannot be prepared for the connection.", detail=str(exc)
            ) from exc
        self.session.cert = (cert_file, key_file)  # mutual TLS

    def close(self):
        if self._finalizer is not None:
            self._finalizer()  # removes the folder, once
        if getattr(self, "session", None) is not None:
            self.session.close()

    def ophalen_inschrijving(self, kvk_number, reference=""):
        """The register entry of ``kvk_number``: a :class:`KvkAnswer` whose ``data`` is the
        inschrijving as plain dicts (read it with :func:`parse_inschrijving`)."""
        started = time.monotonic()
        try:
            answer = self.service.ophalenInschrijving(klantreferentie=reference[:50] or None, kvkNummer=kvk_number)
        except Fault as fault:
            message = f"The register refused the request: {fault.message}"
            raise KvkError("soap_fault", message, detail=fault.message, duration=time.monotonic() - started) from fault
        except TransportError as exc:
            code = "IPD9999" if exc.status_code >= 500 else f"http_{exc.status_code}"
            raise KvkError(code, status=exc.status_code, detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.exceptions.SSLError as exc:
            raise tls_error(exc, time.monotonic() - started) from exc
        except requests.Timeout as exc:
            raise KvkError("timeout", detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.RequestException as exc:
            raise KvkError("network", detail=str(exc), duration=time.monotonic() - started) from exc
        except (ZeepError, etree.XMLSyntaxError) as exc:
            raise KvkError("malformed", detail=str(exc), duration=time.monotonic() - started) from exc
        duration = time.monotonic() - started
        errors = (answer.meldingen.fout if answer.meldingen else None) or []
        if errors:
            raise KvkError(errors[0].code, detail=errors[0].omschrijving, status=200, duration=duration)
        if answer.product is None:
            raise KvkError("malformed", detail="no product in the answer", duration=duration)
        data = json.loads(json.dumps(serialize_object(answer.product, dict)))
        body = json.dumps(redact(data), ensure_ascii=False).encode()
        return KvkAnswer("dataservice", "ophalenInschrijving", {"kvkNummer": kvk_number}, 200, data, body, duration)


def redact(data):
    """The inschrijving without what only the confidential group may read (for logs)."""
    out = dict(data)
    out["persoon"] = [{"rol": p.get("rol"), "naam": p.get("naam")} for p in data.get("persoon") or []]
    return out


def _address(adres, kind):
    if not adres:
        return None
    box = adres.get("postbusnummer")
    street = f"Postbus {box}" if box else f"{adres.get('straat') or ''} {adres.get('huisnummer') or ''}"
    land = adres.get("land") or "Nederland"
    country = country_code(land)
    return Address(
        kind=kind,
        shielded=bool(adres.get("afgeschermd")),
        street=street.strip(),
        street_name=adres.get("straat") or "",
        house_number=adres.get("huisnummer") or "",
        postcode=dutch_postcode(adres.get("postcode")) if country == "NL" else (adres.get("postcode") or ""),
        city=adres.get("plaats") or "",
        country=country,
        po_box=box or "",
        country_name=land,
    )


def parse_inschrijving(data, as_of=None):
    """An inschrijving (plain dicts) as a :class:`Profile` whose ``confidential`` holds
    {"bsn": ..., "private_addresses": ...}; ``as_of`` is the date of the answer (SBI edition)."""
    profile = Profile(
        kvk_number=data.get("kvkNummer") or "",
        branch_number=data.get("vestigingsnummer") or "",
        rsin=data.get("rsin") or "",
        name=data.get("naam") or "",
        statutory_name=data.get("statutaireNaam") or "",
        legal_form=data.get("rechtsvorm") or "",
        activities=[
            Activity(
                a.get("sbiCode") or "",
                a.get("omschrijving") or "",
                bool(a.get("hoofdactiviteit")),
                sbi_version(a.get("sbiCode") or "", as_of),
            )
            for a in data.get("activiteit") or []
            if a.get("sbiCode")
        ],
        kind="hoofdvestiging" if data.get("vestigingsnummer") else "rechtspersoon",
    )
    profile.founding_raw, profile.founding_date = kvk_date(data.get("datumAanvang"))
    profile.end_raw, profile.end_date = kvk_date(data.get("datumEinde"))
    for address in (_address(data.get("bezoekadres"), "bezoekadres"), _address(data.get("postadres"), "postadres")):
        if address is None:
            continue
        if address.shielded:
            profile.shielded.append(address.kind)
        elif address.is_postal:
            profile.postal = address
        else:
            profile.visiting = address
    profile.phone = next(filter(None, (normalise_phone(n) for n in data.get("telefoonnummer") or [])), "")
    bsns, private = [], []
    for person in data.get("persoon") or []:
        if person.get("bsn"):
            bsns.append(person["bsn"])
        home = _address(person.get("woonadres"), "woonadres")
        if home:
            private.append(f"{person.get('naam')} ({person.get('rol')}): {home.street}, {home.postcode} {home.city}")
    profile.confidential = {"bsn": ", ".join(bsns), "private_addresses": "\n".join(private)}
    return profile
