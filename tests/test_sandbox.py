"""The sandbox server over real HTTP: routing, health, fault knobs and control routes."""

import time

import pytest
import requests

from sandbox.__main__ import main as sandbox_main
from sandbox.core import Fault, KnobError

SERVICES = {"kvk": False, "creditcheck": True, "ksz": True, "rsz": False, "clientonline": True}


def test_health_lists_every_service(sandbox):
    answer = requests.get(f"{sandbox.url}/health", timeout=5)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["seed"] == 4242
    assert {name: info["soap"] for name, info in body["services"].items()} == SERVICES
    assert {info["prefix"] for info in body["services"].values()} == {f"/{name}/" for name in SERVICES}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_has_its_own_health(sandbox, name):
    answer = requests.get(f"{sandbox.url}/{name}/health", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["service"] == name


def test_unknown_paths_answer_in_the_service_format(sandbox):
    rest = requests.get(f"{sandbox.url}/kvk/api/v9/nothing", timeout=5)
    assert rest.status_code == 404
    assert rest.json()["fout"][0]["code"] == "IPD5200"
    soap = requests.get(f"{sandbox.url}/ksz/nothing", timeout=5)
    assert soap.status_code == 404
    assert b"<faultcode>soap:Client</faultcode>" in soap.content
    nowhere = requests.get(f"{sandbox.url}/elsewhere/x", timeout=5)
    assert nowhere.status_code == 404


def test_wrong_method_is_refused_with_allow(sandbox):
    answer = requests.post(f"{sandbox.url}/kvk/health", timeout=5)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET"


def test_status_knob_per_request(sandbox):
    answer = requests.get(f"{sandbox.url}/kvk/health", headers={"X-Sandbox-Status": "503"}, timeout=5)
    assert answer.status_code == 503
    assert answer.json()["fout"][0]["code"] == "IPD1003"
    soap = requests.get(f"{sandbox.url}/creditcheck/health", headers={"X-Sandbox-Status": "500"}, timeout=5)
    assert soap.status_code == 500
    assert b"<faultcode>soap:Server</faultcode>" in soap.content


def test_malformed_knob_breaks_the_body(sandbox):
    good = requests.get(f"{sandbox.url}/kvk/health", timeout=5)
    bad = requests.get(f"{sandbox.url}/kvk/health", headers={"X-Sandbox-Malformed": "1"}, timeout=5)
    assert bad.status_code == 200
    assert bad.content[:20] == good.content[:20]
    with pytest.raises(ValueError):
        bad.json()


def test_latency_knob_delays_the_answer(sandbox):
    started = time.monotonic()
    requests.get(f"{sandbox.url}/kvk/health", headers={"X-Sandbox-Latency-Ms": "300"}, timeout=5)
    assert time.monotonic() - started >= 0.3


def test_latency_knob_makes_a_client_time_out(sandbox):
    with pytest.raises(requests.Timeout):
        requests.get(f"{sandbox.url}/kvk/health", headers={"X-Sandbox-Latency-Ms": "1500"}, timeout=0.3)


@pytest.mark.parametrize(
    "headers",
    [{"X-Sandbox-Status": "abc"}, {"X-Sandbox-Status": "99"}, {"X-Sandbox-Latency-Ms": "-1"}],
)
def test_bad_knob_values_are_refused(sandbox, headers):
    answer = requests.get(f"{sandbox.url}/kvk/health", headers=headers, timeout=5)
    assert answer.status_code == 400
    assert "error" in answer.json()


def test_armed_fault_hits_only_its_prefix_and_count(sandbox, control):
    control.arm_fault("/creditcheck/", count=2, status=502)
    assert requests.get(f"{sandbox.url}/kvk/health", timeout=5).status_code == 200
    assert requests.get(f"{sandbox.url}/creditcheck/health", timeout=5).status_code == 502
    assert requests.get(f"{sandbox.url}/creditcheck/health", timeout=5).status_code == 502
    assert requests.get(f"{sandbox.url}/creditcheck/health", timeout=5).status_code == 200


def test_armed_fault_until_cleared(sandbox, control):
    control.arm_fault("/ksz/", count=None, malformed=True)
    for _ in range(3):
        assert b"malformed" in requests.get(f"{sandbox.url}/ksz/health", timeout=5).content
    assert len(requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["faults"]) == 1
    control.clear_faults()
    assert b"malformed" not in requests.get(f"{sandbox.url}/ksz/health", timeout=5).content


@pytest.mark.parametrize(
    "spec",
    [{"prefix": "kvk"}, {"prefix": "/kvk/", "count": 0}, {"prefix": "/kvk/", "bogus": 1}, [1, 2]],
)
def test_bad_fault_specs_are_refused(sandbox, spec):
    answer = requests.post(f"{sandbox.url}/_sandbox/faults", json=spec, timeout=5)
    assert answer.status_code == 400


def test_journal_records_answers(sandbox, control):
    control.clear_requests()
    requests.get(f"{sandbox.url}/clientonline/health?x=1", timeout=5)
    requests.get(f"{sandbox.url}/kvk/health", headers={"X-Sandbox-Status": "500"}, timeout=5)
    entries = control.requests("/clientonline/")
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("GET", "/clientonline/health", {"x": ["1"]}, 200)
    ]
    assert control.requests("/kvk/")[0]["fault"]["status"] == 500


def test_fault_merge_and_validation():
    merged = Fault(latency_ms=10).merge(Fault(status=503, malformed=True))
    assert (merged.latency_ms, merged.status, merged.malformed) == (10, 503, True)
    with pytest.raises(KnobError):
        Fault.from_values(latency_ms=10**9)


def test_seeded_generators_are_deterministic(sandbox):
    service = sandbox.services["kvk"]
    assert service.rng("companies", 7).random() == service.rng("companies", 7).random()
    assert service.rng("companies", 7).random() != service.rng("companies", 8).random()


def test_command_line_refuses_a_bad_port(capsys):
    with pytest.raises(SystemExit):
        sandbox_main(["--port", "not-a-port"])
    assert "invalid int value" in capsys.readouterr().err


def test_a_client_that_gives_up_leaves_no_traceback(sandbox, capsys):
    with pytest.raises(requests.Timeout):
        requests.get(f"{sandbox.url}/kvk/health", headers={"X-Sandbox-Latency-Ms": "400"}, timeout=0.1)
    time.sleep(0.6)  # the sandbox answers into the closed connection after its latency
    assert "Traceback" not in capsys.readouterr().err
    assert requests.get(f"{sandbox.url}/health", timeout=5).status_code == 200
