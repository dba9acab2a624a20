"""The CreditCheck sandbox and the addon's SOAP client, over real HTTP."""

from pathlib import Path

import pytest
import requests
from lxml import etree
from test_creditcheck_parser import cc

from sandbox.services.creditcheck_data import ico_is_valid

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


def endpoint(sandbox, country="cz"):
    return f"{sandbox.url}/creditcheck/{country}/CreditCheckAktualizace.asmx"


def simulate(sandbox, country="cz", **values):
    requests.delete(f"{sandbox.url}/creditcheck/{country}/_simulation", timeout=5)
    answer = requests.post(f"{sandbox.url}/creditcheck/{country}/_simulation", json=values, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def client(sandbox, country="cz", login="api_sandbox", password="sandbox", **kw):
    return cc.CreditcheckClient(endpoint(sandbox, country), login, password, country=country, timeout=5, **kw)


def read(client_, method, **kw):
    report = cc.ParseReport()
    return list(client_.iter_lines(method, report, **kw)), report


def test_wsdl_is_served_and_labelled_as_rebuilt(sandbox):
    for country in ("cz", "sk"):
        answer = requests.get(endpoint(sandbox, country) + "?WSDL", timeout=5)
        assert answer.status_code == 200
        root = etree.fromstring(answer.content)
        assert root.get("targetNamespace") == f"http://creditcheck.{country}/"
        assert "Rebuilt" in root.findtext(f"{{{WSDL_NS}}}documentation")
        operations = {op.get("name") for op in root.iter(f"{{{WSDL_NS}}}operation")}
        assert operations == {
            "GetCreditChecks",
            "GetCreditChecksCompressed",
            "GetCreditCheckIc",
            "GetCreditChecksBatch",
            "GetCreditChecksBatchCompressed",
            "GetZanikleSubjektyCompressed",
        }


def test_refused_login_is_a_fault(sandbox):
    simulate(sandbox)
    for login, password in (("api_sandbox", "wrong"), ("", "")):
        with pytest.raises(cc.CreditcheckError) as caught:
            read(client(sandbox, login=login or "x", password=password or "y"), "GetCreditChecks")
        assert caught.value.code == "login_refused"


def test_complete_plain_and_compressed_agree(sandbox):
    simulate(sandbox, subjects=300)
    plain, plain_report = read(client(sandbox), "GetCreditChecks")
    packed, packed_report = read(client(sandbox), "GetCreditChecksCompressed")
    assert plain == packed and plain
    assert plain_report.declared_count == len(plain) == packed_report.lines_read
    assert len({line.ico for line in plain}) == len(plain)  # one current line per IČO
    assert all(ico_is_valid(line.ico) and line.status in (2, 3) for line in plain)
    simulate(sandbox, subjects=300, compression="deflate")
    deflated, _report = read(client(sandbox), "GetCreditChecksCompressed")
    assert deflated == plain


def test_batch_is_history_complete_is_current(sandbox):
    simulate(sandbox, subjects=50)
    batch, _ = read(client(sandbox), "GetCreditChecksBatch", last_id=0)
    complete, _ = read(client(sandbox), "GetCreditChecks")
    sazka_batch = [(line.record_id, line.status) for line in batch if line.ico == "47116307"]
    sazka_now = [(line.record_id, line.status) for line in complete if line.ico == "47116307"]
    assert [status for _id, status in sazka_batch] == [2, 3]
    assert sazka_now == [sazka_batch[1]]  # the current rating is one of the batch records
    ids = [line.record_id for line in batch]
    assert ids == sorted(ids)
    # the next day brings only newer records, with higher IDs
    simulate(sandbox, subjects=50, day=1)
    newer, _ = read(client(sandbox), "GetCreditChecksBatchCompressed", last_id=max(ids))
    assert newer and min(line.record_id for line in newer) > max(ids)
    assert ("47116307", 2) in {(line.ico, line.status) for line in newer}
    complete_after, _ = read(client(sandbox), "GetCreditChecks")
    assert [line.status for line in complete_after if line.ico == "47116307"] == [3]


def test_defunct_list_with_revivals(sandbox):
    simulate(sandbox, subjects=400, defunct_share=0.2)
    before, report = read(client(sandbox), "GetZanikleSubjektyCompressed")
    assert report.per_status.keys() == {3}
    complete, _ = read(client(sandbox), "GetCreditChecks")
    assert not {line.ico for line in before} & {line.ico for line in complete}
    simulate(sandbox, subjects=400, defunct_share=0.2, epoch=1)
    after, _ = read(client(sandbox), "GetZanikleSubjektyCompressed")
    revived = {line.ico for line in before} - {line.ico for line in after}
    added = {line.ico for line in after} - {line.ico for line in before}
    assert revived and added


def test_single_subject_and_the_daily_limit(sandbox):
    simulate(sandbox, subjects=20, ic_limit=3)
    one = client(sandbox)
    lines, _report = one.get_credit_check_ic("47116307")
    assert {line.status for line in lines} == {2, 3}
    one.get_credit_check_ic("00177041")
    one.get_credit_check_ic("47116307")
    with pytest.raises(cc.CreditcheckError) as caught:
        one.get_credit_check_ic("47116307")
    assert caught.value.code == "daily_limit"
    simulate(sandbox, subjects=20, ic_limit=3, day=1)
    assert one.get_credit_check_ic("47116307")[0]


def test_slovak_variant_has_its_own_subjects(sandbox):
    simulate(sandbox, "sk", subjects=100)
    simulate(sandbox, "cz", subjects=100)
    sk, _ = read(client(sandbox, "sk"), "GetCreditChecks")
    cz, _ = read(client(sandbox, "cz"), "GetCreditChecks")
    assert sk and cz and not {line.ico for line in sk} & {line.ico for line in cz}


def test_generator_scales_lazily(sandbox):
    simulate(sandbox, subjects=20000, risk_share=1.0)
    lines, report = read(client(sandbox), "GetCreditChecksCompressed")
    assert report.rejected == 0 and len(lines) > 9000
    subjects = requests.get(f"{sandbox.url}/creditcheck/cz/_simulation/subjects?offset=19990&limit=50", timeout=5)
    assert len(subjects.json()["subjects"]) == 10


def test_simulation_knobs_are_checked(sandbox):
    answer = requests.post(f"{sandbox.url}/creditcheck/cz/_simulation", json={"subjects": -1}, timeout=5)
    assert answer.status_code == 400
    answer = requests.post(f"{sandbox.url}/creditcheck/cz/_simulation", json={"colour": "red"}, timeout=5)
    assert "unknown simulation setting" in answer.json()["error"]["message"]


def test_server_fault_and_malformed_answer(sandbox, control):
    simulate(sandbox, subjects=30)
    one = client(sandbox)
    one._client()  # the WSDL first, so that the armed faults hit the call
    control.arm_fault("/creditcheck/cz/", status=500)
    with pytest.raises(cc.CreditcheckError) as caught:
        read(one, "GetCreditChecks")
    assert caught.value.code == "soap_fault"
    control.arm_fault("/creditcheck/cz/", malformed=True)
    with pytest.raises(cc.CreditcheckError) as caught:
        read(one, "GetCreditChecksCompressed")
    assert caught.value.code == "xml"


def test_timeout_is_reported(sandbox):
    simulate(sandbox, subjects=5)
    slow = client(sandbox, operation_timeout=0.2)
    slow._client()
    slow.session.headers["X-Sandbox-Latency-Ms"] = "800"
    with pytest.raises(cc.CreditcheckError) as caught:
        read(slow, "GetCreditChecks")
    assert caught.value.code == "timeout"


def test_bad_lines_knob_mixes_in_every_kind(sandbox):
    simulate(sandbox, subjects=40, bad_lines=5)
    lines, report = read(client(sandbox), "GetCreditChecksCompressed")
    assert report.rejected == 5
    assert report.lines_read == len(lines) + 5
    reasons = " ".join(reason for _n, reason, _text in report.reject_samples)
    for reason in ("expected 3 fields", "non-numeric record ID", "check digit", "unknown status", "non-numeric status"):
        assert reason in reasons


def test_payload_fault_knob_breaks_compressed_answers(sandbox):
    for fault, code in (("truncate", "zip"), ("corrupt", "zip"), ("not_base64", "base64")):
        simulate(sandbox, subjects=40, payload_fault=fault)
        with pytest.raises(cc.CreditcheckError) as caught:
            read(client(sandbox), "GetCreditChecksCompressed")
        assert caught.value.code == code, (fault, caught.value)
        assert read(client(sandbox), "GetCreditChecks")[0]  # the plain method is not compressed: unaffected


def test_the_client_reads_the_shipped_wsdl_not_the_network(sandbox, control):
    simulate(sandbox, "sk", subjects=5)
    control.clear_requests()
    read(client(sandbox, "sk"), "GetCreditChecks")
    calls = [(entry["method"], entry["path"], sorted(entry["query"])) for entry in control.requests("/creditcheck/sk/")]
    assert calls == [("POST", "/creditcheck/sk/CreditCheckAktualizace.asmx", [])]


def test_the_vendors_wsdl_when_named(sandbox, control):
    simulate(sandbox, "sk", subjects=5)
    control.clear_requests()
    read(client(sandbox, "sk", wsdl=endpoint(sandbox, "sk") + "?WSDL"), "GetCreditChecks")
    calls = [(entry["method"], sorted(entry["query"])) for entry in control.requests("/creditcheck/sk/")]
    assert calls == [("GET", ["WSDL"]), ("POST", [])]


def canonical_wsdl(root):
    """A WSDL without its documentation and service address, in canonical form."""
    for node in root.iter(f"{{{WSDL_NS}}}documentation", "{http://schemas.xmlsoap.org/wsdl/soap/}address"):
        node.getparent().remove(node)
    return etree.tostring(root, method="c14n")


@pytest.mark.parametrize("country", ["cz", "sk"])
def test_the_shipped_wsdl_is_the_sandboxs(sandbox, country):
    plain = etree.XMLParser(remove_blank_text=True)
    shipped = etree.parse(cc.shipped_wsdl(country), plain).getroot()
    assert "not CreditCheck's own WSDL" in shipped.findtext(f"{{{WSDL_NS}}}documentation")
    served = etree.fromstring(requests.get(endpoint(sandbox, country) + "?WSDL", timeout=5).content, plain)
    assert canonical_wsdl(shipped) == canonical_wsdl(served)


def test_a_wsdl_that_refers_to_another_document_is_refused(sandbox, control, tmp_path):
    other = f"{sandbox.url}/creditcheck/cz/other.xsd"
    text = (
        Path(cc.shipped_wsdl("cz"))
        .read_text(encoding="utf-8")
        .replace(
            '<s:schema elementFormDefault="qualified" targetNamespace="http://creditcheck.cz/">',
            '<s:schema elementFormDefault="qualified" targetNamespace="http://creditcheck.cz/">'
            f'<s:import namespace="http://example.com/other" schemaLocation="{other}"/>',
        )
    )
    wsdl = tmp_path / "with-import.wsdl"
    wsdl.write_text(text, encoding="utf-8")
    control.clear_requests()
    with pytest.raises(cc.CreditcheckError) as caught:
        read(client(sandbox, wsdl=str(wsdl)), "GetCreditChecks")
    assert caught.value.code == "wsdl"
    assert other in caught.value.message
    assert not control.requests("/creditcheck/")


def test_an_answer_is_streamed_into_a_sink(sandbox):
    simulate(sandbox, subjects=50)
    kept = []
    lines, _report = read(client(sandbox), "GetCreditChecksCompressed", sink=kept.append)
    again = cc.ParseReport()
    assert [tuple(line) for line in cc.iter_answer_lines([b"".join(kept)], again)] == [tuple(line) for line in lines]


def test_an_untrusted_certificate_is_a_certificate_problem(tmp_path, monkeypatch):
    """CreditCheck behind a certificate the machine does not trust: said as such, not as "unreachable"."""
    from sandbox import start_in_thread
    from sandbox.tls import make_test_pki

    pki = make_test_pki(tmp_path)
    server = start_in_thread(seed=4242, tls=pki.tls_config(require_client_cert=False))
    try:
        untrusting = client(server)
        with pytest.raises(cc.CreditcheckError) as caught:
            read(untrusting, "GetCreditChecksBatch", last_id=2**63 - 1)
        assert caught.value.code == "certificate", caught.value
        assert "TLS certificate is not accepted" in caught.value.message
        # trusting the sandbox's CA, the same call goes through: an empty list of changes (a CA
        # bundle named in the environment would win over the session's, as requests merges them)
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
        trusting = client(server)
        trusting.session.verify = str(pki.ca_file)
        lines, report = read(trusting, "GetCreditChecksBatch", last_id=2**63 - 1)
        assert (lines, report.lines_read) == ([], 0)
    finally:
        server.stop()
