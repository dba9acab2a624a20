"""The ClientOnline portal client (zeep) against the sandbox over HTTP: every operation, answer and fault."""

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from urllib.request import Request, urlopen

import pytest
import requests
from addon_clients import ROOT, load_clients

from sandbox import start_in_thread
from sandbox.services import clientonline_data as samples

clients = load_clients("client_online_connector")
WSDL = str(ROOT / "client_online_connector" / "schemas" / "clientonline_accordering.wsdl")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def admin(sandbox, method, path, payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    with urlopen(Request(sandbox.url + path, data=data, method=method), timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())


@pytest.fixture
def portal(sandbox, control):
    admin(sandbox, "DELETE", "/clientonline/_admin")
    yield sandbox
    admin(sandbox, "DELETE", "/clientonline/_admin")


def client_for(sandbox, user="sandbox-test", password="sandbox", timeout=5, wsdl=WSDL):
    return clients.ClientOnlineClient(
        wsdl, f"{sandbox.url}/clientonline/soap/2010/accordering", user, password, timeout=timeout
    )


def upload(client, name, content, kind="PDF", document_type="Overig", **values):
    digest = clients.document_hash(hashlib.sha256(content).hexdigest(), name)
    if "kvk_number" not in values and "hidden_id" not in values:
        values["kvk_number"] = "61234567"
    return client.upload(name, content, kind, document_type, digest, **values)


def test_login_and_a_refused_login(portal):
    session = client_for(portal).login()
    assert session.token.startswith("sessie-")
    assert session.valid_until > datetime.now(timezone.utc)
    for user, password in [("sandbox-test", "wrong"), ("someone", "sandbox")]:
        with pytest.raises(clients.PortalError) as caught:
            client_for(portal, user, password).login()
        assert caught.value.code == "login" and not caught.value.retryable
    with pytest.raises(clients.PortalError) as caught:
        clients.ClientOnlineClient(WSDL, f"{portal.url}/x", "", "")
    assert caught.value.code == "config"


def test_wsdl_served_by_the_sandbox_is_the_addons_and_says_it_is_rebuilt(portal):
    with urlopen(f"{portal.url}/clientonline/soap/2010/accordering?wsdl", timeout=5) as answer:  # noqa: S310
        text = answer.read().decode()
    assert "REBUILT from public facts" in text
    assert f"{portal.url.split('//')[1]}/clientonline/soap/2010/accordering" in text
    # the client can read its WSDL from the endpoint too (as with a vendor's WSDL at a URL)
    client = client_for(portal, wsdl=f"{portal.url}/clientonline/soap/2010/accordering?wsdl")
    assert client.upload is not None and client.login().token


def test_upload_duplicate_and_status(portal):
    client = client_for(portal)
    placed = upload(client, "61234567_brief.pdf", PDF, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    assert placed.result == "GEPLAATST" and placed.document_id.startswith("CO-")
    assert placed.deadline >= date.today()
    again = upload(client, "61234567_brief.pdf", PDF)
    assert (again.result, again.document_id) == ("DUBBEL", placed.document_id)
    renamed = upload(client, "61234567_brief-2.pdf", PDF)
    assert renamed.result == "GEPLAATST" and renamed.document_id != placed.document_id
    # another office has its own documents
    other = upload(client_for(portal, "sandbox-other"), "61234567_brief.pdf", PDF)
    assert other.result == "GEPLAATST"
    status = client.status([placed.document_id, "CO-999999", other.document_id])
    assert status[placed.document_id].status == "TER_ACCORDERING"
    assert status["CO-999999"].status == "ONBEKEND"
    assert status[other.document_id].status == "ONBEKEND", "another office's document is not seen"
    admin(portal, "POST", f"/clientonline/_admin/documents/{placed.document_id}", {"action": "reject", "reason": "Nee"})
    rejected = client.status([placed.document_id])[placed.document_id]
    assert (rejected.status, rejected.reason) == ("AFGEKEURD", "Nee")


def test_status_in_batches_of_a_hundred(portal, control):
    client = client_for(portal)
    ids = [upload(client, f"61234567_{n}.pdf", PDF + str(n).encode()).document_id for n in range(3)]
    control.clear_requests()
    answers = client.status(ids * 70)  # 210 ids: three calls
    assert set(answers) == set(ids)
    assert len([r for r in control.requests("/clientonline/soap/") if r["method"] == "POST"]) == 3


def test_client_by_hidden_id_unknown_client_and_refusals(portal):
    client = client_for(portal)
    assert upload(client, "a.pdf", PDF, hidden_id="100005").result == "GEPLAATST"
    unknown = upload(client, "b.pdf", PDF, kvk_number="55555555")
    assert unknown.result == "KLANT_ONBEKEND" and "55555555" in unknown.message
    assert upload(client, "c.pdf", b"not a pdf").result == "ONGELDIG"
    assert upload(client, "d.pdf", PDF, document_type="Roman").result == "ONGELDIG"
    with pytest.raises(ValueError):
        upload(client, "e.pdf", PDF, kvk_number="61234567", hidden_id="100001")


def test_identifier_check_of_the_portal(portal):
    client = client_for(portal)
    ob = samples.ob_declaration("001000044B37", date(2021, 10, 1), date(2021, 10, 31))
    good = upload(client, "ob.xbrl", ob, kind="XBRL", document_type="Belastingaangifte", kvk_number="30267975")
    assert good.result == "GEPLAATST"
    wrong = upload(client, "ob2.xbrl", ob, kind="XBRL", document_type="Belastingaangifte", kvk_number="61234567")
    assert wrong.result == "IDENTIFICATIE_ONJUIST"
    assert "852147971B01" in wrong.message and "001000044B37" in wrong.message
    accounts = samples.annual_accounts("61234567", 2024)
    assert upload(client, "jr.xbrl", accounts, kind="XBRL", document_type="Publicatiestukken").result == "GEPLAATST"


def test_approval_and_forwarding(portal):
    client = client_for(portal)
    ob = samples.ob_declaration("001000044B37", date(2021, 10, 1), date(2021, 10, 31))
    placed = upload(client, "ob.xbrl", ob, kind="XBRL", document_type="Belastingaangifte", kvk_number="30267975")
    admin(portal, "POST", "/clientonline/_admin/settings", {"send_failures": 2})
    admin(portal, "POST", f"/clientonline/_admin/documents/{placed.document_id}", {"action": "approve"})
    failing = client.status([placed.document_id])[placed.document_id]
    assert (failing.status, failing.attempts) == ("MISLUKT", 2)
    admin(
        portal,
        "POST",
        f"/clientonline/_admin/documents/{placed.document_id}",
        {"action": "send_failed", "attempts": 10},
    )
    assert client.status([placed.document_id])[placed.document_id].status == "DEFINITIEF_MISLUKT"
    pdf = upload(client, "p.pdf", PDF)
    admin(portal, "POST", f"/clientonline/_admin/documents/{pdf.document_id}", {"action": "approve"})
    assert client.status([pdf.document_id])[pdf.document_id].status == "GEACCORDEERD"


def test_minimal_answers(portal):
    """The portal may leave out every optional element: the client reads both shapes."""
    admin(portal, "POST", "/clientonline/_admin/settings", {"minimal": True})
    client = client_for(portal)
    session = client.login()
    assert session.valid_until is None
    placed = upload(client, "m.pdf", PDF)
    assert placed.result == "GEPLAATST" and placed.deadline is None and placed.message == ""
    status = client.status([placed.document_id])[placed.document_id]
    assert (status.status, status.deadline, status.attempts, status.changed) == ("TER_ACCORDERING", None, None, None)
    unknown = upload(client, "n.pdf", PDF, kvk_number="55555555")
    assert unknown.result == "KLANT_ONBEKEND" and unknown.message  # a refusal still says why


def test_an_expired_session_is_opened_again_once(portal):
    client = client_for(portal)
    client.login()
    service = portal.services["clientonline"]
    with service._lock:
        for token, (account, _until) in list(service.sessions.items()):
            service.sessions[token] = (account, datetime.now(timezone.utc) - timedelta(seconds=1))
    assert upload(client, "s.pdf", PDF).result == "GEPLAATST"
    # a session the portal keeps refusing is an error, not a loop
    admin(portal, "POST", "/clientonline/_admin/settings", {"session_seconds": -5})
    with pytest.raises(clients.PortalError) as caught:
        upload(client_for(portal), "t.pdf", PDF)
    assert caught.value.code == "session"


def test_client_lookup(portal):
    client = client_for(portal)
    (found,) = client.find_clients(kvk_number="61234567")
    assert (found.hidden_id, found.name) == ("100001", "Bakkerij De Korenschoof B.V.")
    assert [c.hidden_id for c in client.find_clients(hidden_id="100005")] == ["100005"]
    assert client.find_clients(kvk_number="55555555") == []
    assert len(client.find_clients(name="b.v.")) == 50


@pytest.mark.parametrize(
    ("fault", "code", "retryable"),
    [
        ({"status": 503}, "server", True),
        ({"status": 502}, "server", True),
        ({"malformed": True}, "malformed", True),
        ({"latency_ms": 1500}, "timeout", True),
    ],
)
def test_faults(portal, control, fault, code, retryable):
    client = client_for(portal, timeout=1)
    client.login()
    control.arm_fault("/clientonline/soap/", **fault)
    with pytest.raises(clients.PortalError) as caught:
        upload(client, "f.pdf", PDF)
    assert caught.value.code in (code, f"http_{fault.get('status')}")
    assert caught.value.retryable is retryable


def test_network_error(portal):
    client = clients.ClientOnlineClient(WSDL, "http://127.0.0.1:9/clientonline", "sandbox-x", "sandbox", timeout=2)
    with pytest.raises(clients.PortalError) as caught:
        client.login()
    assert caught.value.code == "network" and caught.value.retryable


@pytest.fixture(scope="module")
def https_portal(tmp_path_factory):
    """The sandbox on HTTPS, with a server certificate of a CA made here: nobody trusts it by default."""
    from sandbox.tls import make_test_pki

    pki = make_test_pki(tmp_path_factory.mktemp("clientonline-pki"))
    server = start_in_thread(seed=4242, tls=pki.tls_config(require_client_cert=False))
    server.ca_file = str(pki.ca_file)
    yield server
    server.stop()


def test_an_untrusted_certificate_is_a_certificate_problem(https_portal):
    client = client_for(https_portal)
    with pytest.raises(clients.PortalError) as caught:
        client.login()
    assert caught.value.code == "certificate" and not caught.value.retryable
    assert "not trusted" in caught.value.message and "CERTIFICATE_VERIFY_FAILED" in caught.value.detail
    # with the WSDL from the portal too
    wsdl = f"{https_portal.url}/clientonline/soap/2010/accordering?wsdl"
    with pytest.raises(clients.PortalError) as caught:
        client_for(https_portal, wsdl=wsdl).login()
    assert caught.value.code == "certificate"
    # trusting the CA, the same portal works
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE of the environment wins over the session's bundle
    session.verify = https_portal.ca_file
    trusted = clients.ClientOnlineClient(
        WSDL, f"{https_portal.url}/clientonline/soap/2010/accordering", "sandbox-test", "sandbox", session=session
    )
    assert trusted.login().token.startswith("sessie-")


def test_a_wsdl_that_cannot_be_read(portal, tmp_path):
    broken = tmp_path / "broken.wsdl"
    broken.write_text("<definitions>")
    with pytest.raises(clients.PortalError) as caught:
        client_for(portal, wsdl=str(broken)).login()
    assert caught.value.code == "config"


def test_sandbox_refuses_a_doctype_in_a_request(portal):
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
    request = Request(f"{portal.url}/clientonline/soap/2010/accordering", data=body, method="POST")
    try:
        urlopen(request, timeout=5)  # noqa: S310
    except Exception as exc:  # noqa: BLE001 - an HTTP 500 SOAP fault
        assert b"DOCTYPE" in exc.read()
    else:
        raise AssertionError("a DOCTYPE was accepted")


def test_the_clients_side_of_the_portal_in_a_browser(portal):
    """The page a demo walks in a browser: the documents awaiting approval, approve or reject with a reason."""
    client = client_for(portal, user="sandbox-page")
    first = upload(client, "jaarrekening.pdf", PDF)
    second = upload(client, "brief.pdf", PDF + b" ")
    upload(client_for(portal, user="sandbox-other"), "ander.pdf", PDF)
    page = requests.get(f"{portal.url}/clientonline/portal?account=sandbox-page", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "jaarrekening.pdf" in page.text and "Bakkerij De Korenschoof B.V." in page.text
    assert "ander.pdf" not in page.text, "an office sees its own documents"
    assert page.text.count('value="approve"') == 2
    answer = requests.post(
        f"{portal.url}/clientonline/portal/{first.document_id}?account=sandbox-page",
        data={"action": "approve"},
        allow_redirects=False,
        timeout=5,
    )
    assert (answer.status_code, answer.headers["Location"]) == (303, "/clientonline/portal?account=sandbox-page")
    requests.post(
        f"{portal.url}/clientonline/portal/{second.document_id}",
        data={"action": "reject", "reason": "Het bedrag klopt niet."},
        timeout=5,
    )
    states = client.status([first.document_id, second.document_id])
    assert states[first.document_id].status == "GEACCORDEERD"
    assert (states[second.document_id].status, states[second.document_id].reason) == (
        "AFGEKEURD",
        "Het bedrag klopt niet.",
    )
    page = requests.get(f"{portal.url}/clientonline/portal?account=sandbox-page", timeout=5)
    assert 'value="approve"' not in page.text and "Geaccordeerd" in page.text and "Afgekeurd" in page.text
    # a decision is taken once
    again = requests.post(f"{portal.url}/clientonline/portal/{first.document_id}", data={"action": "reject"}, timeout=5)
    assert again.status_code == 409
    assert requests.post(f"{portal.url}/clientonline/portal/CO-9", data={"action": "x"}, timeout=5).status_code == 400
