"""WS-Security 1.1 signatures (X.509 token profile) for KSZ/BCSS requests, with lxml and cryptography.

Adapted from the signing of kvk_connector's KvK Dataservice client (the addons share no
code): XML-DSig with exclusive C14N and RSA-SHA256 over the SOAP Body and the
wsu:Timestamp, the signing certificate sent as a BinarySecurityToken.  zeep's own
``Signature`` needs the xmlsec C library, which the project does not depend on.
"""

import base64
import hashlib
import re
import uuid
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from .errors import SocialDebtError

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.S)


def c14n(element):
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def digest(element):
    return base64.b64encode(hashlib.sha256(c14n(element)).digest()).decode()


def load_credentials(pem, password=None):
    """The certificate and RSA private key of one PEM bundle (both in the same file, in any
    order, the key possibly encrypted with ``password``).  Raises :class:`SocialDebtError`
    ``certificate`` when either is missing or unreadable, or when they do not belong together."""
    blocks = {}
    for match in PEM_BLOCK.finditer(pem or b""):
        label = match.group(1)
        kind = "cert" if label == b"CERTIFICATE" else "key" if label.endswith(b"PRIVATE KEY") else None
        if kind and kind not in blocks:
            blocks[kind] = match.group(0)
    if len(blocks) < 2:
        raise SocialDebtError("certificate", detail="the PEM file needs a CERTIFICATE and a PRIVATE KEY block")
    try:
        cert = x509.load_pem_x509_certificate(blocks["cert"])
        key = serialization.load_pem_private_key(blocks["key"], password=password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise SocialDebtError("certificate", detail=str(exc)) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SocialDebtError("certificate", detail="the key is not an RSA key")
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise SocialDebtError("certificate", detail="the key does not belong to the certificate")
    return cert, key


def self_signed_pem(common_name, days=365):
    """A new RSA key and a self-signed certificate for it, in one PEM file without a password (as
    :func:`load_credentials` reads it).  For a simulator that accepts any certificate whose
    signature holds; no real service accepts one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class WsseSignature:
    """zeep's ``wsse`` interface: ``apply`` signs an outgoing envelope (Body and Timestamp)."""

    def __init__(self, cert, key, ttl=300):
        self.cert = cert
        self.key = key
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
        signature = etree.SubElement(security, f"{{{DS}}}Signature", nsmap={"ds": DS})
        info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
        etree.SubElement(info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
        etree.SubElement(info, f"{{{DS}}}SignatureMethod", Algorithm=RSA_SHA256)
        for target in (envelope.find(f"{{{SOAP_ENV}}}Body"), stamp):
            ident = target.get(f"{{{WSU}}}Id") or f"id-{uuid.uuid4().hex[:12]}"
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
        """Answers come over the KSZ's TLS channel; their signature is not checked here."""
        return envelope
