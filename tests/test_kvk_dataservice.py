"""The KvK Dataservice client (public-sector connection) against the sandbox: signed SOAP over zeep."""

import datetime
import gc
import os
import tempfile

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from test_kvk_client import ROOT, kvk

ds = __import__("kvk_connector_clients.kvk_dataservice", fromlist=["KvkDataserviceClient"])
WSDL = str(ROOT / "kvk_connector" / "schemas" / "kvk_dataservice.wsdl")


def make_certificate(name="Gemeente Testdorp"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture(scope="module")
def pki():
    return make_certificate()


@pytest.fixture
def client(sandbox, control, pki):
    client = ds.KvkDataserviceClient(WSDL, f"{sandbox.url}/kvk/dataservice", *pki, timeout=5, wsa_to=ds.WSA_TO["test"])
    yield client
    client.close()


def test_signed_request_returns_confidential_data(client, sandbox, control):
    control.clear_requests()
    answer = client.ophalen_inschrijving("69599084", "dossier 42")
    profile = ds.parse_inschrijving(answer.data)
    confidential = profile.confidential
    assert (profile.kvk_number, profile.legal_form, profile.branch_number) == (
        "69599084",
        "Eenmanszaak",
        "000038509504",
    )
    assert profile.visiting.street == "Abebe Bikilalaan 17 M" and profile.phone.startswith("+31 20")
    assert [a.code for a in profile.activities] == ["10110", "10120", "10130"]
    from stdnum.nl import bsn

    assert bsn.is_valid(confidential["bsn"])
    assert "eigenaar" in confidential["private_addresses"]
    assert control.requests("/kvk/dataservice")[0]["method"] == "POST"
    assert confidential["bsn"] not in answer.body.decode() and b"woonadres" not in answer.body  # the log copy


def test_mutual_tls_certificate_is_on_the_session(client):
    cert_file, key_file = client.session.cert
    assert open(cert_file, "rb").read().startswith(b"-----BEGIN CERTIFICATE")
    assert os.stat(key_file).st_mode & 0o077 == 0  # the key is readable by its owner only
    client.close()
    with pytest.raises(FileNotFoundError):
        open(cert_file, "rb")
    client.close()  # twice is fine


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """Where the client writes its key material (tempfile's folder), empty at the start."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def build(pki, wsdl=WSDL):
    return ds.KvkDataserviceClient(wsdl, "https://example.invalid/postbus1", *pki, wsa_to=ds.WSA_TO["test"])


@pytest.mark.parametrize(
    ("material", "code", "message"),
    [
        (
            lambda pki: (pki[0], b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"),
            "certificate",
            "PEM",
        ),
        (lambda pki: (b"not a certificate", pki[1]), "certificate", "PEM"),
        (lambda pki: (pki[0], make_certificate("Another")[1]), "certificate_mismatch", "does not belong"),
        (lambda pki: (pki[0], b""), "certificate", "needs a certificate and its key"),
    ],
)
def test_unusable_key_material_is_a_kvk_error_and_leaves_no_file(pki, temp_dir, material, code, message):
    with pytest.raises(ds.KvkError) as caught:
        build(material(pki))
    assert caught.value.code == code and message in caught.value.message
    assert list(temp_dir.iterdir()) == []


def test_an_unreadable_wsdl_is_a_kvk_error_and_leaves_no_file(pki, temp_dir, tmp_path):
    for wsdl in (str(tmp_path / "missing.wsdl"), str(tmp_path)):
        with pytest.raises(ds.KvkError) as caught:
            build(pki, wsdl)
        assert caught.value.code == "wsdl" and "WSDL" in caught.value.message
    (tmp_path / "broken.wsdl").write_text("<definitions")
    with pytest.raises(ds.KvkError) as caught:
        build(pki, str(tmp_path / "broken.wsdl"))
    assert caught.value.code == "wsdl"
    assert list(temp_dir.iterdir()) == []


def test_a_failure_while_writing_the_key_leaves_no_file(pki, temp_dir, monkeypatch):
    written = []

    def write_then_fail(path, data):
        if written:
            raise OSError(28, "No space left on device")
        real_write(path, data)
        written.append(path)

    real_write = ds._write_private
    monkeypatch.setattr(ds, "_write_private", write_then_fail)
    with pytest.raises(ds.KvkError) as caught:
        build(pki)
    assert caught.value.code == "certificate" and "No space left" in caught.value.detail
    assert written and list(temp_dir.iterdir()) == []


def test_a_client_never_closed_leaves_no_file_once_collected(pki, temp_dir):
    client = build(pki)
    assert len(list(temp_dir.iterdir())) == 1  # the folder holding certificate and key
    del client
    gc.collect()
    assert list(temp_dir.iterdir()) == []


def test_the_signature_holds(pki):
    """The envelope zeep sends, signed: digests of Body, Timestamp and WS-Addressing headers, RSA-SHA256."""
    client = ds.KvkDataserviceClient(WSDL, "https://example.invalid/postbus1", *pki, wsa_to=ds.WSA_TO["test"])
    envelope = client.client.create_message(client.service, "ophalenInschrijving", kvkNummer="68750110")
    signed = ds.verify_signature(envelope)
    assert len(signed) >= 4  # Body, Timestamp, Action, MessageID, To
    body = envelope.find(f"{{{ds.SOAP_ENV}}}Body")
    body.find(".//{http://schemas.kvk.nl/schemas/hrip/dataservice/2015/02}kvkNummer").text = "12345678"
    with pytest.raises(ValueError, match="digest"):
        ds.verify_signature(envelope)
    client.close()


def test_unsigned_request_is_refused(sandbox):
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>'
        "<wsa:Action>http://es.kvk.nl/ophalenInschrijving</wsa:Action><wsa:To>x</wsa:To><wsa:MessageID>uuid:1</wsa:MessageID>"
        '</soap:Header><soap:Body><ophalenInschrijvingRequest xmlns="http://schemas.kvk.nl/schemas/hrip/dataservice/2015/02">'
        "<kvkNummer>69599084</kvkNummer></ophalenInschrijvingRequest></soap:Body></soap:Envelope>"
    )
    answer = requests.post(f"{sandbox.url}/kvk/dataservice", data=body, headers={"Content-Type": "text/xml"}, timeout=5)
    assert answer.status_code == 500 and b"WS-Security" in answer.content
    assert b"<bsn>" not in answer.content and b"bsn>" not in answer.content


@pytest.mark.parametrize(("kvk_number", "code"), [("12345678", "IPD0005"), ("90004973", "IPD1002")])
def test_register_errors(client, kvk_number, code):
    with pytest.raises(kvk.KvkError) as caught:
        client.ophalen_inschrijving(kvk_number)
    assert caught.value.code == code


def test_server_fault_and_timeout(client, control):
    with pytest.raises(kvk.KvkError) as caught:
        client.ophalen_inschrijving("90002903")
    assert caught.value.code == "soap_fault"
    control.arm_fault("/kvk/dataservice", latency_ms=1500)
    client.client.transport.operation_timeout = 0.3
    with pytest.raises(kvk.KvkError) as caught:
        client.ophalen_inschrijving("69599084")
    assert caught.value.code == "timeout"


def test_answers_with_a_dtd_are_refused(client, control, sandbox):
    """An answer with an entity declaration is not parsed (no entity expansion)."""
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&e;</soap:Body></soap:Envelope>'
    )
    parsed = etree.fromstring(evil.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    assert parsed is not None  # lxml itself reads it; zeep's settings must refuse it
    from zeep.exceptions import DTDForbidden
    from zeep.loader import parse_xml

    with pytest.raises(DTDForbidden):
        parse_xml(evil.encode(), client.client.transport, settings=client.client.settings)
