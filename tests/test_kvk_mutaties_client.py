"""The Mutatieservice client and its parser against the sandbox over real HTTP: subscriptions, every
page of a window, every type of signal, refusals and retryable faults, broken signals flagged."""

from datetime import date, datetime, timezone

import pytest
import requests
from addon_clients import load_clients

from sandbox import start_in_thread
from sandbox.services.kvk_population import MUNICIPALITY_OF
from sandbox.testing import SandboxControl

kvk = load_clients("kvk_connector")
AT = "2026-03-02T10:00:00.000Z"
SINCE = datetime(2026, 3, 1, tzinfo=timezone.utc)
UNTIL = datetime(2026, 3, 3, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def server():
    server = start_in_thread(seed=778)
    yield server
    server.stop()


@pytest.fixture
def control(server):
    control = SandboxControl(server.url)
    requests.delete(f"{server.url}/kvk/_mutaties", timeout=5).raise_for_status()
    control.clear_faults()
    yield control
    control.clear_faults()
    requests.delete(f"{server.url}/kvk/_mutaties", timeout=5).raise_for_status()


@pytest.fixture
def client(server, control):
    with requests.Session() as session:
        yield kvk.KvkMutatieClient(f"{server.url}/kvk/api", "sandbox-client", timeout=5, session=session)


def emit(server, **values):
    answer = requests.post(f"{server.url}/kvk/_mutaties/emit", json={"at": AT, **values}, timeout=60)
    answer.raise_for_status()
    return answer.json()["signals"]


def signal(server, **values):
    answer = requests.post(f"{server.url}/kvk/_mutaties/signal", json={"at": AT, **values}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["signals"]


def active(client):
    return client.subscriptions().active[0].id


def test_subscriptions(client):
    listing = client.subscriptions()
    assert listing.customer_id and len(listing.subscriptions) == 2
    (current,) = listing.active
    assert current.contract_id.startswith("KMS-") and current.start == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert current.end is None
    ended = next(s for s in listing.subscriptions if not s.active)
    assert ended.end.year == 2024
    assert listing.answer.product == "abonnementen" and listing.answer.status == 200


def test_every_page_of_a_window(client, server):
    emitted = emit(server, count=57, **{"from": "2026-03-02T00:00:00Z", "to": "2026-03-02T12:00:00Z"})
    emit(server, count=4, at="2026-03-04T00:00:00Z")  # after the window
    pages = list(client.iter_signal_pages(active(client), SINCE, UNTIL, per_page=10))
    assert [p.page for p in pages] == [1, 2, 3, 4, 5, 6]
    assert all(p.total == 57 and p.page_count == 6 for p in pages)
    records = [record for page in pages for record in page.signals]
    assert [r.id for r in records] == [s["id"] for s in emitted]
    assert not any(r.malformed for r in records)
    assert records[0].timestamp == datetime(2026, 3, 2, tzinfo=timezone.utc)
    assert pages[0].answer.params["vanaf"] == "2026-03-01T00:00:00.000Z"
    assert pages[0].answer.params["tot"] == "2026-03-03T00:00:00.000Z"
    with pytest.raises(ValueError):
        client.signal_page(active(client), per_page=501)


def test_every_page_without_totals(client, server):
    emit(server, count=25)
    requests.post(f"{server.url}/kvk/_mutaties", json={"minimal": True}, timeout=5).raise_for_status()
    try:
        pages = list(client.iter_signal_pages(active(client), SINCE, UNTIL, per_page=10))
        records = [r for p in pages for r in p.signals]
        assert len(records) == 25 and pages[0].total is None
        detail = client.signal(active(client), records[0].id, records[0])
        assert not detail.malformed and detail.facts.employees is None
    finally:
        requests.post(f"{server.url}/kvk/_mutaties", json={"minimal": False}, timeout=5).raise_for_status()


def test_changed_registration_with_its_blocks(client, server):
    (emitted,) = signal(server, type="changed", kvk_number="68750110",
                        blocks=["maOnderneming", "vestigingen", "functionarissen"], branch_number="000037178601",
                        change="address")  # fmt: skip
    subscription = active(client)
    (info,) = client.signal_page(subscription, SINCE, UNTIL).signals
    assert (info.type, info.kvk_number, info.detailed) == ("changed_registration", "68750110", False)
    record = client.signal(subscription, info.id, info)
    assert record.id == emitted["id"] and record.timestamp == info.timestamp and record.detailed
    assert record.changed_blocks == ("enterprise", "branches", "officers")
    assert record.changed_branches == ("000037178601",)
    assert record.branch_changes == {"000037178601": ("addresses",)}
    assert record.main_branch_number == "000037178598"
    assert record.registered_at < record.timestamp and record.message_id
    assert record.answer.product == "signaal" and record.answer.status == 200
    facts = record.facts
    assert (facts.source, facts.kvk_number, facts.sbi_main, facts.legal_form) == ("signal", "68750110", "01241", "bv")
    assert facts.postcode == "8823SJ"
    assert record.paid_call() == kvk.ProfileCall("basisprofiel", "68750110")
    assert record.paid_call("000037178601") == kvk.ProfileCall("vestigingsprofiel", "000037178601")


def test_blocks_no_profile_shows_need_no_call(client, server):
    signal(server, type="changed", kvk_number="68727720", blocks=["functionarissen", "deponeringen"])
    (info,) = client.signal_page(active(client), SINCE, UNTIL).signals
    record = client.signal(active(client), info.id, info)
    assert record.changed_blocks == ("officers", "filings")
    assert record.block_flags["filings"][0].isdigit()
    assert record.paid_call() is None and record.paid_call("000037143557") is None


def test_changed_branch(client, server):
    signal(server, type="branch", kvk_number="68750110", branch_number="000037178601", change="name")
    (info,) = client.signal_page(active(client), SINCE, UNTIL).signals
    assert info.branch_number == "000037178601"
    record = client.signal(active(client), info.id, info)
    assert (record.type, record.branch_number, record.branch_is_main) == ("changed_branch", "000037178601", False)
    assert record.branch_changes == {"000037178601": ("names",)}
    assert record.paid_call() is None, "the registration's contact does not hold a side branch's data"
    assert record.paid_call("000037178601") == kvk.ProfileCall("vestigingsprofiel", "000037178601")
    assert record.paid_call("000037178598") is None


def test_new_registration_facts_decide_a_profile(client, server):
    (emitted,) = signal(server, type="new", reason="NW")
    (info,) = client.signal_page(active(client), SINCE, UNTIL).signals
    record = client.signal(active(client), info.id, info)
    assert (record.type, record.reason_code, record.reason) == ("new_registration", "NW", "Nieuw")
    assert record.new_kvk_number == record.kvk_number == emitted["kvknummer"]
    assert record.start_date == date(2026, 3, 2) and record.paid_call() is None
    facts = record.facts
    everything = kvk.Criteria.parse(sbi_include=facts.sbi_main, postcodes=f"{facts.postcode[:4]}")
    assert everything.decide(facts).verdict is True
    other = kvk.Criteria.parse(sbi_include="99")
    assert other.decide(facts).verdict is False
    by_place = kvk.Criteria.parse(sbi_include=facts.sbi_main, municipalities="Utrecht")
    decision = by_place.decide(facts)
    assert decision.verdict is None and decision.undecided == ("municipality",)
    # the free search decides the municipality; the profile all
    profile = kvk.parse_basisprofiel(
        requests.get(f"{server.url}/kvk/api/v1/basisprofielen/{record.kvk_number}", headers={"apikey": "sandbox-x"},
                     timeout=5).json())  # fmt: skip
    full = kvk.Candidate.from_profile(profile, municipality_of=MUNICIPALITY_OF)
    place = MUNICIPALITY_OF.get(profile.visiting.city, profile.visiting.city)
    assert kvk.Criteria.parse(sbi_include=facts.sbi_main, municipalities=place).decide(full).verdict is True


def test_termination(client, server):
    signal(server, type="ended", kvk_number="69599068", reason="BE")
    (info,) = client.signal_page(active(client), SINCE, UNTIL).signals
    record = client.signal(active(client), info.id, info)
    assert (record.type, record.reason_code, record.start_date) == ("termination", "BE", date(2026, 3, 2))
    assert record.paid_call() is None


def test_legal_form_change(client, server):
    signal(server, type="legal_form", kvk_number="68727720")
    (info,) = client.signal_page(active(client), SINCE, UNTIL).signals
    record = client.signal(active(client), info.id, info)
    assert record.type == "legal_form_change"
    assert (record.old_kvk_number, record.new_kvk_number) == ("68727720", "68727720")
    assert (record.old_legal_form, record.new_legal_form) == ("Naamloze Vennootschap", "Besloten Vennootschap")
    assert record.facts.legal_form == "bv"
    assert record.paid_call() == kvk.ProfileCall("basisprofiel", "68727720")


def test_continuation_and_transfer(client, server):
    chain = signal(server, type="continuation", kvk_number="69599076")
    pages = client.signal_page(active(client), SINCE, UNTIL).signals
    assert [r.type for r in pages] == ["continuation_transfer", "termination", "new_registration"]
    record = client.signal(active(client), pages[0].id, pages[0])
    assert (record.reason_code, record.reason) == ("VG", "Voortgezet door")
    assert record.old_kvk_number == "69599076" and record.new_kvk_number == chain[0]["new_kvk_number"]
    assert (record.old_legal_form, record.new_legal_form) == ("Vennootschap onder firma", "Besloten Vennootschap")
    assert record.transferred_branches == ("000038509474",)
    assert record.paid_call() == kvk.ProfileCall("basisprofiel", record.new_kvk_number)
    assert record.paid_call("000038509474") == kvk.ProfileCall("vestigingsprofiel", "000038509474")
    end = client.signal(active(client), pages[1].id, pages[1])
    assert end.reason_code == "VZ"
    born = client.signal(active(client), pages[2].id, pages[2])
    assert born.reason_code == "VO" and born.kvk_number == record.new_kvk_number
    # a transfer of one branch to an existing registration
    signal(server, type="continuation", kvk_number="68750110", reason="OG", at="2026-03-02T11:00:00Z")
    later = client.signal_page(active(client), datetime(2026, 3, 2, 11, tzinfo=timezone.utc), UNTIL).signals
    moved = client.signal(active(client), later[0].id, later[0])
    assert moved.reason_code == "OG" and moved.transferred_branches == ("000037178601",)
    assert moved.paid_call("000037178598") is None
    assert moved.paid_call() is None, "the registration that transferred a branch goes on: its contact stays"


@pytest.mark.parametrize(
    ("key", "code", "status"),
    [("", "unauthorized", 401), ("not-a-key", "unauthorized", 401), ("sandbox-forbidden-x", "forbidden", 403)],
)
def test_refused_keys(server, key, code, status):
    client = kvk.KvkMutatieClient(f"{server.url}/kvk/api", key, timeout=5)
    with pytest.raises(kvk.KvkError) as caught:
        client.subscriptions()
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.detail and not caught.value.retryable


def test_another_customers_subscription_and_unknown_signal(client, server):
    theirs = kvk.KvkMutatieClient(f"{server.url}/kvk/api", "sandbox-other-company", timeout=5)
    with pytest.raises(kvk.KvkError) as caught:
        client.signal_page(active(theirs))
    assert caught.value.code == "forbidden" and caught.value.status == 403
    with pytest.raises(kvk.KvkError) as caught:
        client.signal(active(client), "00000000-0000-4000-8000-000000000000")
    assert caught.value.code == "not_found" and not caught.value.retryable
    with pytest.raises(kvk.KvkError) as caught:
        client.signal(active(client), "../basisprofielen/68750110")
    assert caught.value.code == "bad_request"


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_rate_limit_and_server_errors_are_retryable(client, control, status):
    subscription = active(client)
    control.arm_fault("/kvk/api/v1/abonnementen", count=1, status=status)
    with pytest.raises(kvk.KvkError) as caught:
        client.signal_page(subscription, SINCE, UNTIL)
    assert caught.value.status == status and caught.value.retryable
    assert client.signal_page(subscription, SINCE, UNTIL).signals == []  # the next call passes


def test_unreadable_page_is_an_error(client, control):
    subscription = active(client)
    control.arm_fault("/kvk/api/v1/abonnementen", count=1, malformed=True)
    with pytest.raises(kvk.KvkError) as caught:
        client.signal_page(subscription, SINCE, UNTIL)
    assert caught.value.code == "malformed"


def test_broken_signals_are_flagged_not_raised(client, server):
    emit(server, count=5)
    signal(server, type="changed", kvk_number="68750110", malformed="listing", at="2026-03-02T11:00:00Z")
    signal(server, type="changed", kvk_number="68727720", malformed="detail", at="2026-03-02T11:00:01Z")
    emit(server, count=5, at="2026-03-02T12:00:00Z")
    records = [r for p in client.iter_signal_pages(active(client), SINCE, UNTIL, per_page=10) for r in p.signals]
    assert len(records) == 12
    flagged = [r for r in records if r.malformed]
    assert len(flagged) == 1 and flagged[0].id and flagged[0].kvk_number == ""
    assert any("KvK number" in p for p in flagged[0].problems) and any("time" in p for p in flagged[0].problems)
    assert flagged[0] is records[5]
    details = [client.signal(active(client), r.id, r) for r in records]
    (second,) = [r for r in details if r.malformed]
    assert second.id == records[6].id
    assert details[5].kvk_number == "68750110", "the detail of a broken list entry still reads"
    assert "heeftBetrekkingOp" in " ".join(second.problems) and second.raw["signaal"]
    assert second.paid_call() is None


def test_parser_on_hostile_entries():
    page = kvk.parse_signal_page(
        {
            "pagina": 1,
            "aantal": 10,
            "totaal": 4,
            "signalen": [
                "text",
                {"id": "a"},
                {
                    "id": "b",
                    "timestamp": "2024-05-14T15:25:13.773Z",
                    "kvknummer": "12345678",
                    "signaalType": "SignaalAdreswijziging_2031_01",
                },
                {
                    "id": "c",
                    "timestamp": "2024-05-14T15:25:13.773Z",
                    "kvknummer": "12345678",
                    "signaalType": "SignaalGewijzigdeVestiging_2025_01",
                    "vestigingsnummer": "12",
                },
            ],
        }  # fmt: skip
    )
    assert [r.malformed for r in page.signals] == [True, True, True, True]
    assert page.signals[2].type == "unknown" and page.signals[3].type == "changed_branch"
    assert page.page_count == 1 and not page.has_next
    assert page.signals[3].timestamp == datetime(2024, 5, 14, 15, 25, 13, 773000, tzinfo=timezone.utc)
    odd_branches = {
        "signaalType": "SignaalGewijzigdeInschrijving",
        "heeftBetrekkingOp": {"kvkNummer": "12345678"},
        "heeftGewijzigdeGegevens": {"vestigingen": {"gewijzigdevestigingen": "x"}},
    }
    for answer in (None, [], {"signaal": "x"}, {"signaal": {"signaalType": "SignaalNieuweInschrijving"}},
                   {"signaal": odd_branches}):  # fmt: skip
        record = kvk.parse_signal_detail(answer, "s1")
        assert record.malformed and record.problems and record.id == "s1"
    with pytest.raises(kvk.KvkError):
        kvk.parse_signal_page({"signalen": "x"})
