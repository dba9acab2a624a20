"""Throwaway key material for TLS tests: a CA, a server certificate for the loopback
address and client certificates, written as PEM files into a folder of the caller's.

Made at test time, valid for a day, never committed.  Needs ``cryptography`` (the
sandbox server itself does not).
"""

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .server import TlsConfig


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name, organisation="Sandbox"):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_cert(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _issue(subject, key, issuer_name, issuer_key, *, ca=False, usage=None, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class CertificateAuthority:
    """A CA that signs server and client certificates; ``cert_pem`` is what a trust store holds."""

    name: str
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, name="Sandbox Test CA"):
        key = _key()
        subject = _name(name)
        return cls(name, key, _issue(subject, key, subject, key, ca=True))

    @property
    def cert_pem(self):
        return _pem_cert(self.cert)

    def server_certificate(self, hosts=("127.0.0.1", "localhost")):
        """(certificate PEM, key PEM) of a TLS server known under ``hosts`` (IP addresses or names)."""
        san = []
        for host in hosts:
            try:
                san.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                san.append(x509.DNSName(host))
        key = _key()
        cert = _issue(_name(hosts[0]), key, self.cert.subject, self.key, usage=ExtendedKeyUsageOID.SERVER_AUTH, san=san)
        return _pem_cert(cert), _pem_key(key)

    def client_certificate(self, common_name, organisation="Gemeente Testdorp"):
        """(certificate PEM, key PEM) of a TLS client (and WS-Security signer)."""
        key = _key()
        cert = _issue(
            _name(common_name, organisation), key, self.cert.subject, self.key, usage=ExtendedKeyUsageOID.CLIENT_AUTH
        )
        return _pem_cert(cert), _pem_key(key)


@dataclass
class TestPki:
    """The PEM files of one test set-up, all in ``folder``."""

    __test__ = False  # not a pytest test class

    folder: Path
    ca: CertificateAuthority
    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    client_cert_pem: bytes
    client_key_pem: bytes
    client_cert_file: Path
    client_key_file: Path

    def tls_config(self, require_client_cert=True):
        """A sandbox :class:`TlsConfig`: this server certificate, client certificates of this CA."""
        return TlsConfig(
            str(self.server_cert_file),
            str(self.server_key_file),
            client_ca_file=str(self.ca_file),
            require_client_cert=require_client_cert,
        )


def make_test_pki(folder, client_name="Gemeente Testdorp PKIoverheid"):
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as files in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca = CertificateAuthority.create()
    server_cert, server_key = ca.server_certificate()
    client_cert, client_key = ca.client_certificate(client_name)
    files = {
        "ca.pem": ca.cert_pem,
        "server.pem": server_cert,
        "server.key": server_key,
        "client.pem": client_cert,
        "client.key": client_key,
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
        (folder / name).chmod(0o600)
    return TestPki(
        folder=folder,
        ca=ca,
        ca_file=folder / "ca.pem",
        server_cert_file=folder / "server.pem",
        server_key_file=folder / "server.key",
        client_cert_pem=client_cert,
        client_key_pem=client_key,
        client_cert_file=folder / "client.pem",
        client_key_file=folder / "client.key",
    )
