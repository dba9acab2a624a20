"""The KvK Dataservice client over real mutual TLS: a sandbox on HTTPS that wants a client
certificate of its own test CA, with key material made for this run in a temporary folder."""

import json
import socket
import ssl
import subprocess
import sys
from urllib.error import URLError
from urllib.request import urlopen

import pytest
import requests
from test_kvk_client import ROOT, kvk
from test_kvk_dataservice import WSDL, ds, make_certificate

from sandbox import TlsConfig, start_in_thread
from sandbox.testing import SandboxControl
from sandbox.tls import make_test_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_sandbox(pki):
    server = start_in_thread(seed=4242, tls=pki.tls_config())
    yield server
    server.stop()


@pytest.fixture
def tls_control(tls_sandbox, pki):
    context = ssl.create_default_context(cafile=str(pki.ca_file))
    context.load_cert_chain(str(pki.client_cert_file), str(pki.client_key_file))
    control = SandboxControl(tls_sandbox.url, ssl_context=context)
    control.clear_requests()
    tls_sandbox.tls_refusals.clear()
    return control


def dataservice(sandbox, cert_pem, key_pem, verify):
    return ds.KvkDataserviceClient(
        WSDL, f"{sandbox.url}/kvk/dataservice", cert_pem, key_pem, timeout=5, wsa_to=ds.WSA_TO["test"], verify=verify
    )


def refused(client, kvk_number="69599084"):
    """The KvkError of a call that must fail."""
    with pytest.raises(ds.KvkError) as caught:
        client.ophalen_inschrijving(kvk_number)
    client.close()
    return caught.value


def test_the_sandbox_speaks_https(tls_sandbox):
    assert tls_sandbox.url.startswith("https://127.0.0.1:")


def test_client_certificate_and_ca_bundle_succeed(tls_sandbox, tls_control, pki):
    client = dataservice(tls_sandbox, pki.client_cert_pem, pki.client_key_pem, str(pki.ca_file))
    try:
        answer = client.ophalen_inschrijving("69599084", "dossier 42")
    finally:
        client.close()
    profile = ds.parse_inschrijving(answer.data)
    assert (profile.kvk_number, profile.legal_form, profile.branch_number) == (
        "69599084",
        "Eenmanszaak",
        "000038509504",
    )
    assert len(profile.confidential["bsn"]) == 9 and "eigenaar" in profile.confidential["private_addresses"]
    (call,) = tls_control.requests("/kvk/dataservice")
    # The sandbox saw the certificate in the handshake: mutual TLS happened on the wire.
    assert (
        call["status"] == 200 and call["client_cert"] == "C=NL, O=Gemeente Testdorp, CN=Gemeente Testdorp PKIoverheid"
    )
    assert list(tls_sandbox.tls_refusals) == []


def test_without_a_client_certificate_the_handshake_is_refused(tls_sandbox, tls_control, pki):
    client = dataservice(tls_sandbox, pki.client_cert_pem, pki.client_key_pem, str(pki.ca_file))
    client.session.cert = None  # the request stays signed, but no certificate goes into the TLS handshake
    error = refused(client)
    assert error.code == "tls_refused" and "refused the TLS connection" in error.message
    assert "CERTIFICATE_REQUIRED" in error.detail.upper() or "HANDSHAKE" in error.detail.upper()
    # refused in the handshake, not left waiting until the timeout
    assert isinstance(error.__cause__, requests.exceptions.SSLError)
    assert not error.retryable
    assert [reason for _, reason in tls_sandbox.tls_refusals] == ["PEER_DID_NOT_RETURN_A_CERTIFICATE"]
    assert tls_control.requests("/kvk/") == []


def test_a_certificate_of_another_ca_is_refused(tls_sandbox, tls_control, pki):
    client = dataservice(tls_sandbox, *make_certificate("Self-signed Gemeente"), str(pki.ca_file))
    error = refused(client)
    assert error.code == "tls_refused" and "UNKNOWN_CA" in error.detail.upper()
    assert isinstance(error.__cause__, requests.exceptions.SSLError)
    assert [reason for _, reason in tls_sandbox.tls_refusals] == ["CERTIFICATE_VERIFY_FAILED"]
    assert tls_control.requests("/kvk/") == []


def test_an_untrusted_server_is_refused_by_the_client(tls_sandbox, tls_control, pki):
    """Without the CA bundle the system trust store does not know the sandbox's CA.

    REQUESTS_CA_BUNDLE, when set, must not change this: the client pins its own ``verify``."""
    client = dataservice(tls_sandbox, pki.client_cert_pem, pki.client_key_pem, True)
    error = refused(client)
    assert error.code == "tls_untrusted" and "not trusted" in error.message
    assert "CERTIFICATE_VERIFY_FAILED" in error.detail
    assert isinstance(error.__cause__, requests.exceptions.SSLError)
    assert tls_control.requests("/kvk/") == []


def test_the_rest_client_reports_an_untrusted_register_as_the_dataservice_does(tls_sandbox, tls_control, pki):
    """A TLS failure of the REST APIs is no "network" error: it names the CA bundle, as the Dataservice does."""
    with requests.Session() as session:
        rest = kvk.KvkClient(f"{tls_sandbox.url}/kvk/api", "sandbox-tls", timeout=5, session=session)
        with pytest.raises(kvk.KvkError) as caught:
            rest.search(naam="bouw")
    dataservice_error = refused(dataservice(tls_sandbox, pki.client_cert_pem, pki.client_key_pem, True))
    assert caught.value.code == dataservice_error.code == "tls_untrusted"
    assert caught.value.message == dataservice_error.message
    assert "CA bundle" in caught.value.message and not caught.value.retryable
    assert tls_control.requests("/kvk/") == []


def test_the_ca_bundle_wins_over_requests_ca_bundle(tls_sandbox, tls_control, pki, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ssl.get_default_verify_paths().openssl_cafile)
    client = dataservice(tls_sandbox, pki.client_cert_pem, pki.client_key_pem, str(pki.ca_file))
    try:
        assert client.ophalen_inschrijving("69599084").data["kvkNummer"] == "69599084"
    finally:
        client.close()


def test_a_server_certificate_for_another_name_is_not_trusted(pki, tmp_path):
    """Signed by the trusted CA, but for another host than the one the client called."""
    cert, key = pki.ca.server_certificate(hosts=("webservices.kvk.example",))
    (tmp_path / "other.pem").write_bytes(cert)
    (tmp_path / "other.key").write_bytes(key)
    server = start_in_thread(seed=4242, tls=TlsConfig(str(tmp_path / "other.pem"), str(tmp_path / "other.key")))
    try:
        client = dataservice(server, pki.client_cert_pem, pki.client_key_pem, str(pki.ca_file))
        error = refused(client)
    finally:
        server.stop()
    assert error.code == "tls_untrusted" and "match" in error.detail.lower()


def test_a_silent_client_does_not_block_the_server(tls_sandbox, tls_control, pki):
    """A connection that never starts its handshake holds only its own thread."""
    with socket.create_connection(("127.0.0.1", tls_sandbox.port)):
        client = dataservice(tls_sandbox, pki.client_cert_pem, pki.client_key_pem, str(pki.ca_file))
        try:
            assert client.ophalen_inschrijving("69599084").data["kvkNummer"] == "69599084"
        finally:
            client.close()


def test_plain_http_stays_the_default(sandbox):
    assert sandbox.url.startswith("http://") and sandbox.tls is None


def test_the_command_line_serves_mutual_tls(pki):
    """``python -m sandbox --tls-cert ... --tls-key ... --tls-client-ca ...``"""
    command = [sys.executable, "-m", "sandbox", "--port", "0", "--quiet"]
    command += ["--tls-cert", str(pki.server_cert_file), "--tls-key", str(pki.server_key_file)]
    command += ["--tls-client-ca", str(pki.ca_file)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split()[3]
        assert url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(pki.ca_file))
        with pytest.raises((ssl.SSLError, ConnectionError, URLError)):
            urlopen(f"{url}/health", timeout=5, context=context).read()  # noqa: S310 - loopback
        context.load_cert_chain(str(pki.client_cert_file), str(pki.client_key_file))
        with urlopen(f"{url}/health", timeout=5, context=context) as answer:  # noqa: S310 - loopback
            assert json.loads(answer.read())["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
