"""social_debt's KSZ/BCSS and billRetainment clients against the sandbox over HTTP: signed SOAP through zeep."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from addon_clients import load_clients
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

sd = load_clients("social_debt")
ksz_parser = __import__("social_debt_clients.ksz_parser", fromlist=["parse_xml"])
wsse = __import__("social_debt_clients.wsse", fromlist=["WsseSignature"])

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "social_debt" / "schemas"
EAB_WSDL = str(SCHEMAS / "ksz_employer_account_balance.wsdl")
EFD_WSDL = str(SCHEMAS / "ksz_enterprise_fiscal_debt.wsdl")
CUSTOMER = "0477472701"
NO_DEBT, BOTH_DEBTS, PAYMENT_PLAN, NO_DATA = "0403019261", "0428759497", "0685668254", "1999999943"
CONTEXT = "Art30bis-Withholding"


def make_pem(password=b"geheim", key=None, name="Bouwheer NV"):
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    return cert.public_bytes(serialization.Encoding.PEM) + key_pem, cert


@pytest.fixture(scope="module")
def pki():
    return make_pem()


@pytest.fixture
def simulation(sandbox):
    url = f"{sandbox.url}/ksz/_simulation"
    requests.delete(url, timeout=5)

    def set_knobs(**knobs):
        answer = requests.post(url, json=knobs, timeout=5)
        assert answer.status_code == 200, answer.text

    yield set_knobs
    requests.delete(url, timeout=5)


@pytest.fixture
def client(sandbox, control, simulation, pki):
    client = sd.KszClient(
        EAB_WSDL,
        f"{sandbox.url}/ksz/EmployerAccountBalance",
        CUSTOMER,
        pki[0],
        "geheim",
        fiscal_wsdl=EFD_WSDL,
        fiscal_endpoint=f"{sandbox.url}/ksz/EnterpriseFiscalDebtService/v2/consult",
        timeout=5,
    )
    control.clear_requests()
    yield client
    client.close()


def enterprises(sandbox, scenario, limit=1):
    answer = requests.get(f"{sandbox.url}/ksz/_simulation/enterprises?scenario={scenario}&limit={limit}", timeout=5)
    return [item["enterpriseNumber"] for item in answer.json()["enterprises"]]


# -- identifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("0403.019.261", "0403019261"),
        ("BE 403 019 261", "0403019261"),
        ("403019261", "0403019261"),
        ("0403019262", ""),  # mod 97 wrong
        ("2403019261", ""),  # business unit numbers start with 2-8
        ("", ""),
        ("not a number", ""),
    ],
)
def test_enterprise_numbers(value, expected):
    assert sd.enterprise_number(value) == expected


def test_nsso_numbers_and_display():
    assert sd.nsso_number("123456789") == "0123456789"
    assert sd.nsso_number("5112345678") == "5112345678"
    assert sd.nsso_number("111 1234567 89") == "0123456789"  # category code dropped
    assert sd.nsso_number("12AB") == ""
    assert sd.format_enterprise_number("0403019261") == "0403.019.261"


# -- synchronous ----------------------------------------------------------------------------------


def test_no_debt_states_until_when_it_holds(client, control):
    answer, duration = client.consult_social(NO_DEBT, "ticket-1", CONTEXT)
    social = answer.social
    assert (social.status, social.enterprise_number, answer.enterprise_number) == ("DATA_FOUND", NO_DEBT, NO_DEBT)
    assert social.total == Decimal("0.00") and not social.missing_quarters
    assert social.valid_until == social.answer_date + datetime.timedelta(days=30)
    assert social.nsso_number and social.employer_name and answer.ticket_cbss and duration > 0
    assert sd.social_obligation(social) is False
    assert answer.reference == "ticket-1"
    assert b"consultEmployerAccountBalanceResponse" in answer.raw
    (call,) = control.requests("/ksz/EmployerAccountBalance")
    assert (call["method"], call["status"]) == ("POST", 200)


def test_debt_in_eurocent_becomes_euros_with_missing_quarters(client):
    social = client.consult_social(BOTH_DEBTS, "t", CONTEXT)[0].social
    assert social.found and sd.social_obligation(social) is True
    assert social.total == social.contributions + social.surcharges + social.interests + social.legal_costs
    assert social.total > Decimal("2500") and social.total.as_tuple().exponent == -2
    assert len(social.missing_quarters) == 2 and all(len(q) == 6 and q[4] == "Q" for q in social.missing_quarters)
    assert social.valid_until is None  # a debt answer states no validity: it holds its own day
    fiscal = client.check_fiscal(BOTH_DEBTS, "t", CONTEXT)[0].fiscal
    assert fiscal.has_debt is True and fiscal.amount > 0 and sd.fiscal_obligation(fiscal) is True


def test_payment_plan_dispute_and_no_data(client, sandbox):
    plan = client.consult_social(PAYMENT_PLAN, "t", CONTEXT)[0].social
    assert plan.payment_plan is True and plan.legal_costs == Decimal("121.00")
    (disputed,) = enterprises(sandbox, "dispute")
    dispute = client.consult_social(disputed, "t", CONTEXT)[0].social
    assert 1 <= dispute.dispute_type <= 4 and dispute.dispute_amount == dispute.contributions
    none = client.consult_social(NO_DATA, "t", CONTEXT)[0].social
    assert (none.status, none.status_code) == ("NO_DATA_FOUND", "30001")
    assert sd.social_obligation(none) is None


def test_the_minimal_shape_is_read_too(client, simulation):
    simulation(minimal=True)
    social = client.consult_social(NO_DEBT, "t", CONTEXT)[0].social
    assert social.valid_until is None and social.nsso_number == "" and social.employer_name == ""
    assert social.found and sd.social_obligation(social) is False


def test_an_invalid_number_is_refused_before_any_call(client, control):
    with pytest.raises(sd.SocialDebtError) as caught:
        client.consult_social("0403019262", "t", CONTEXT)
    assert caught.value.code == "invalid_enterprise"
    assert control.requests("/ksz/") == []


# -- grouped ---------------------------------------------------------------------------------------


def test_a_batch_is_acknowledged_then_answered_by_pages(client, sandbox, simulation):
    simulation(page_limit=3, async_delay_seconds=3600)
    numbers = [NO_DEBT, BOTH_DEBTS, PAYMENT_PLAN, NO_DATA, *enterprises(sandbox, "tax_debt")]
    questions = [(f"ref-{i}", number, [sd.SOCIAL, sd.FISCAL]) for i, number in enumerate(numbers)]
    ack, _ = client.send_batch("batch-pages", CONTEXT, questions)
    assert (ack.accepted, ack.status) == (5, "DATA_FOUND")
    again, _ = client.send_batch("batch-pages", CONTEXT, questions)
    assert again.ticket_cbss == ack.ticket_cbss, "the same ticket is acknowledged once"
    waiting, _ = client.collect_batch("batch-pages", CONTEXT)
    assert (waiting.total, waiting.pending, waiting.answers) == (5, 5, [])
    simulation(async_delay_seconds=0)
    answers, offset = [], 0
    while True:
        page, _ = client.collect_batch("batch-pages", CONTEXT, offset=offset)
        if not page.answers:
            break
        assert len(page.answers) <= 3 and page.pending == 0
        answers += page.answers
        offset += len(page.answers)
    assert [answer.reference for answer in answers] == [f"ref-{i}" for i in range(5)]
    by_number = {answer.enterprise_number: answer for answer in answers}
    assert by_number[NO_DATA].social.status == "NO_DATA_FOUND"
    assert by_number[numbers[-1]].fiscal.has_debt is True and by_number[NO_DEBT].fiscal.has_debt is False
    assert all(etree.fromstring(answer.raw).tag == "answer" for answer in answers)


def test_an_unknown_batch_is_a_fault(client):
    with pytest.raises(sd.SocialDebtError) as caught:
        client.collect_batch("never-sent", CONTEXT)
    assert caught.value.code == "unknown_batch"


def test_stray_answers_come_with_references_nobody_sent(client, simulation):
    simulation(stray_answers=2)
    client.send_batch("batch-strays", CONTEXT, [("mine", NO_DEBT, [sd.SOCIAL])])
    page, _ = client.collect_batch("batch-strays", CONTEXT)
    assert page.total == 3
    assert [answer.reference.startswith("stray-") for answer in page.answers] == [False, True, True]


# -- signatures and faults -----------------------------------------------------------------------------


def consult_envelope(number=NO_DEBT, customer=CUSTOMER):
    return etree.fromstring(
        f"""<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
        <ns:consultEmployerAccountBalanceRequest xmlns:ns="http://kszbcss.fgov.be/intf/EmployerAccountBalanceService/v1">
        <informationCustomer><ticket>raw</ticket><customerIdentification><cbeNumber>{customer}</cbeNumber>
        </customerIdentification></informationCustomer><legalContext>{CONTEXT}</legalContext>
        <criteria><enterpriseNumber>{number}</enterpriseNumber></criteria>
        </ns:consultEmployerAccountBalanceRequest></soap:Body></soap:Envelope>""".encode()
    )


def post(sandbox, envelope):
    return requests.post(
        f"{sandbox.url}/ksz/EmployerAccountBalance",
        data=etree.tostring(envelope),
        headers={"Content-Type": "text/xml"},
        timeout=5,
    )


def signed(pki, envelope):
    cert, key = wsse.load_credentials(pki[0], "geheim")
    return wsse.WsseSignature(cert, key).apply(envelope, {})[0]


def test_an_unsigned_request_is_refused(sandbox, simulation):
    answer = post(sandbox, consult_envelope())
    assert answer.status_code == 500
    with pytest.raises(sd.SocialDebtError) as caught:
        ksz_parser.soap_payload(answer.content)
    assert caught.value.code == "signature_refused"
    assert "InvalidSecurity" in caught.value.detail


def test_a_request_changed_after_signing_is_refused(sandbox, simulation, pki):
    envelope = signed(pki, consult_envelope())
    envelope.find(".//enterpriseNumber").text = BOTH_DEBTS
    answer = post(sandbox, envelope)
    assert answer.status_code == 500 and b"FailedCheck" in answer.content
    envelope = signed(pki, consult_envelope())
    value = envelope.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    value.text = value.text[:-8] + "AAAAAAA="
    assert b"FailedCheck" in post(sandbox, envelope).content
    assert post(sandbox, signed(pki, consult_envelope())).status_code == 200


def test_an_invalid_number_sent_anyway_is_a_cbss_fault(sandbox, simulation, pki):
    answer = post(sandbox, signed(pki, consult_envelope("0403019262")))
    with pytest.raises(sd.SocialDebtError) as caught:
        ksz_parser.soap_payload(answer.content)
    assert caught.value.code == "invalid_enterprise"
    assert b"invalidEnterpriseNumber" in answer.content


def test_an_unregistered_certificate_is_refused(client, simulation, pki):
    simulation(trusted_certificates=[pki[1].fingerprint(hashes.SHA256()).hex()])
    assert client.consult_social(NO_DEBT, "t", CONTEXT)[0].social.found
    simulation(trusted_certificates=["ab" * 32])
    with pytest.raises(sd.SocialDebtError) as caught:
        client.consult_social(NO_DEBT, "t", CONTEXT)
    assert caught.value.code == "signature_refused" and not caught.value.retryable


@pytest.mark.parametrize(
    "pem, password, detail",
    [
        (b"", None, "CERTIFICATE"),
        (make_pem()[0], "wrong", ""),
        (make_pem(password=None)[0].split(b"-----BEGIN PRIVATE")[0], None, "PRIVATE KEY"),
        (make_pem(key=ec.generate_private_key(ec.SECP256R1()), password=None)[0], None, "RSA"),
    ],
)
def test_unreadable_certificates(pem, password, detail):
    with pytest.raises(sd.SocialDebtError) as caught:
        sd.KszClient(EAB_WSDL, "http://127.0.0.1:9/x", CUSTOMER, pem, password)
    assert caught.value.code == "certificate" and detail in caught.value.detail


def test_a_key_of_another_certificate_is_refused():
    first, _ = make_pem(password=None)
    second, _ = make_pem(password=None)
    mixed = first.split(b"-----BEGIN PRIVATE")[0] + b"-----BEGIN PRIVATE" + second.split(b"-----BEGIN PRIVATE")[1]
    with pytest.raises(sd.SocialDebtError) as caught:
        sd.KszClient(EAB_WSDL, "http://127.0.0.1:9/x", CUSTOMER, mixed)
    assert "does not belong" in caught.value.detail


def test_without_an_own_enterprise_number_nothing_is_sent(pki):
    with pytest.raises(sd.SocialDebtError) as caught:
        sd.KszClient(EAB_WSDL, "http://127.0.0.1:9/x", "123", pki[0], "geheim")
    assert caught.value.code == "no_customer_number"


def test_timeouts_server_errors_and_malformed_answers(client, control):
    control.arm_fault("/ksz/", latency_ms=1500)
    slow = sd.KszClient(EAB_WSDL, client._targets[sd.SOCIAL][1], CUSTOMER, make_pem(password=None)[0], timeout=0.5)
    with pytest.raises(sd.SocialDebtError) as caught:
        slow.consult_social(NO_DEBT, "t", CONTEXT)
    assert caught.value.code == "timeout" and caught.value.retryable
    slow.close()
    control.clear_faults()
    control.arm_fault("/ksz/", status=503)
    with pytest.raises(sd.SocialDebtError) as caught:
        client.consult_social(NO_DEBT, "t", CONTEXT)
    assert (caught.value.code, caught.value.retryable) == ("http_503", True)
    control.arm_fault("/ksz/", malformed=True)
    with pytest.raises(sd.SocialDebtError) as caught:
        client.consult_social(NO_DEBT, "t", CONTEXT)
    assert caught.value.code == "malformed" and not caught.value.retryable


# -- hostile answers -----------------------------------------------------------------------------------


def test_entities_and_dtds_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>&lol2;</x>'
        b"</soap:Body></soap:Envelope>"
    )
    with pytest.raises(sd.SocialDebtError) as caught:
        ksz_parser.soap_payload(bomb)
    assert caught.value.code == "malformed" and "DOCTYPE" in caught.value.detail
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(sd.SocialDebtError):
        ksz_parser.parse_xml(external)


def test_answers_above_the_limit_are_refused():
    with pytest.raises(sd.SocialDebtError) as caught:
        ksz_parser.parse_xml(b"<x>" + b"a" * 2000 + b"</x>", max_bytes=1000)
    assert caught.value.code == "too_large"


def test_an_unknown_status_is_malformed():
    body = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<ns:consultEmployerAccountBalanceResponse xmlns:ns="http://kszbcss.fgov.be/intf/EmployerAccountBalanceService/v1">'
        b"<status><value>MAYBE</value><code>1</code></status></ns:consultEmployerAccountBalanceResponse>"
        b"</soap:Body></soap:Envelope>"
    )
    with pytest.raises(sd.SocialDebtError) as caught:
        ksz_parser.parse_consult(body)
    assert caught.value.code == "malformed"


# -- billRetainment --------------------------------------------------------------------------------------


@pytest.fixture
def rsz(sandbox):
    requests.delete(f"{sandbox.url}/rsz/_simulation", timeout=5)
    client = sd.BillRetainmentClient(f"{sandbox.url}/rsz/billRetainment/v1", timeout=5)
    yield client
    client.close()


def test_retainment_obligation_per_enterprise(rsz):
    found, _ = rsz.search([NO_DEBT, BOTH_DEBTS, NO_DATA])
    assert found[NO_DEBT].obligation is False and found[NO_DEBT].expiration_date > found[NO_DEBT].decision_date
    assert found[BOTH_DEBTS].obligation is True and found[BOTH_DEBTS].expiration_date is None
    assert found[NO_DATA].found is False and found[NO_DATA].status == "employerNotFound"
    assert json.loads(found[NO_DEBT].raw)["status"] == "employerFoundBillRetainment"
    assert sd.parse_retainment(json.loads(found[BOTH_DEBTS].raw)).obligation is True


def test_retainment_refuses_bad_input(rsz, sandbox):
    with pytest.raises(sd.SocialDebtError) as caught:
        rsz.search(["0403019262"])
    assert caught.value.code == "invalid_enterprise"
    answer = requests.post(f"{sandbox.url}/rsz/billRetainment/v1/retainmentObligations/search", json={}, timeout=5)
    assert answer.status_code == 400 and "x-correlation-id" in answer.json()["title"]


def test_preparations_return_a_structured_reference(rsz):
    (preparation,), _ = rsz.prepare(
        [
            {
                "invoiceReference": "F2025-001",
                "invoiceDate": datetime.date(2025, 3, 1),
                "enterpriseNumber": BOTH_DEBTS,
                "amountExcludingVat": Decimal("10000.00"),
                "retainedAmount": Decimal("3500.00"),
            }
        ]
    )
    digits = preparation.structured_reference.strip("+").replace("/", "")
    assert len(digits) == 12 and (int(digits[:10]) % 97 or 97) == int(digits[10:])
    assert preparation.invoice_reference == "F2025-001"


# -- TLS: the CA bundle setting holds, an untrusted service is a certificate problem ------------------


@pytest.fixture(scope="module")
def https_sandbox(tmp_path_factory):
    from sandbox import start_in_thread
    from sandbox.tls import make_test_pki

    pki = make_test_pki(tmp_path_factory.mktemp("social-debt-pki"), client_name="Bouwheer NV")
    server = start_in_thread(seed=4242, tls=pki.tls_config(require_client_cert=False))
    yield server, pki
    server.stop()


def test_the_ca_bundle_holds_where_requests_ca_bundle_is_set(https_sandbox, monkeypatch, pki):
    """requests lets REQUESTS_CA_BUNDLE win over a session's verify (and zeep passes none per
    request): the clients pin the CA bundle they are given, so the setting is not dropped."""
    server, test_pki = https_sandbox
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    ca_file = str(test_pki.ca_file)
    rsz = sd.BillRetainmentClient(f"{server.url}/rsz/billRetainment/v1", verify=ca_file)
    try:
        found, _seconds = rsz.search([NO_DEBT])
    finally:
        rsz.close()
    assert found[NO_DEBT].obligation is False
    pem, _cert = pki
    ksz = sd.KszClient(EAB_WSDL, f"{server.url}/ksz/EmployerAccountBalance", CUSTOMER, pem, "geheim", verify=ca_file)
    try:
        answer, _seconds = ksz.consult_social(NO_DEBT, sd.new_ticket(), CONTEXT)
    finally:
        ksz.close()
    assert answer.social.found


def test_an_untrusted_service_certificate_is_a_tls_error(https_sandbox, pki):
    server, _test_pki = https_sandbox
    rsz = sd.BillRetainmentClient(f"{server.url}/rsz/billRetainment/v1")
    with pytest.raises(sd.SocialDebtError) as caught:
        rsz.search([NO_DEBT])
    assert caught.value.code == "tls"
    assert not caught.value.retryable
    pem, _cert = pki
    ksz = sd.KszClient(EAB_WSDL, f"{server.url}/ksz/EmployerAccountBalance", CUSTOMER, pem, "geheim")
    with pytest.raises(sd.SocialDebtError) as caught:
        ksz.consult_social(NO_DEBT, sd.new_ticket(), CONTEXT)
    assert caught.value.code == "tls"


def test_a_self_signed_demo_certificate_signs_requests_the_sandbox_accepts(sandbox, simulation):
    pem = sd.self_signed_pem("demo certificate")
    cert, _key = sd.load_credentials(pem)
    assert cert.subject.rfc4514_string() == "CN=demo certificate"
    ksz = sd.KszClient(EAB_WSDL, f"{sandbox.url}/ksz/EmployerAccountBalance", CUSTOMER, pem)
    try:
        answer, _seconds = ksz.consult_social(BOTH_DEBTS, sd.new_ticket(), CONTEXT)
    finally:
        ksz.close()
    assert answer.social.total > 2500
