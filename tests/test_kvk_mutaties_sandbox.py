"""The sandbox's KvK Mutatieservice over real HTTP: routes, paging, problem details, the seeded
generator, and that a signal's change shows in the profile asked after it."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import requests

from sandbox import start_in_thread

KEY = {"apikey": "sandbox-signals"}
AT = "2026-03-02T10:00:00.000Z"


@pytest.fixture(scope="module")
def server():
    server = start_in_thread(seed=777)
    yield server
    server.stop()


@pytest.fixture
def kvk(server):
    """Calls on /kvk/ of a sandbox whose signals and register changes are reset around each test."""
    session = requests.Session()
    base = f"{server.url}/kvk"
    session.delete(f"{base}/_mutaties", timeout=5).raise_for_status()
    yield Kvk(session, base)
    session.delete(f"{base}/_mutaties", timeout=5).raise_for_status()
    session.close()


class Kvk:
    def __init__(self, session, base):
        self.session, self.base = session, base

    def get(self, path, params=None, headers=None, key=KEY):
        return self.session.get(f"{self.base}{path}", params=params, headers={**key, **(headers or {})}, timeout=10)

    def subscription(self, key=KEY):
        answer = self.get("/api/v1/abonnementen", key=key)
        assert answer.status_code == 200, answer.text
        return next(item["id"] for item in answer.json()["abonnementen"] if item["actief"])

    def emit(self, **values):
        answer = self.session.post(f"{self.base}/_mutaties/emit", json=values, timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()["signals"]

    def signal(self, **values):
        answer = self.session.post(f"{self.base}/_mutaties/signal", json={"at": AT, **values}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()["signals"]

    def detail(self, signal_id, subscription=None):
        subscription = subscription or self.subscription()
        answer = self.get(f"/api/v1/abonnementen/{subscription}/signalen/{signal_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["signaal"]

    def profile(self, kvk_number):
        answer = self.get(f"/api/v1/basisprofielen/{kvk_number}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def branch(self, number):
        answer = self.get(f"/api/v1/vestigingsprofielen/{number}")
        assert answer.status_code == 200, answer.text
        return answer.json()


def window(kvk, subscription, **params):
    params = {"vanaf": "2026-03-01T00:00:00Z", "tot": "2026-03-03T00:00:00Z", **params}
    answer = kvk.get(f"/api/v1/abonnementen/{subscription}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def without_links(answer):
    """An answer's JSON without its links, which name the server they came from."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("links", "_links")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(answer.json())


def visiting(branch):
    return next(a for a in branch["adressen"] if a["type"] == "bezoekadres")


# -- routes, paging, problems -------------------------------------------------------------------


def test_subscriptions_per_key_in_kvk_shape(kvk):
    answer = kvk.get("/api/v1/abonnementen")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert set(body) == {"klantId", "abonnementen"}
    active, ended = body["abonnementen"]
    assert active["actief"] is True and "eindDatum" not in active and active["contract"]["id"].startswith("KMS-")
    assert ended["actief"] is False and ended["eindDatum"].endswith("Z")
    again = kvk.get("/test/api/v1/abonnementen").json()
    assert again == body, "the test environment's path answers the same"
    other = kvk.get("/api/v1/abonnementen", key={"apikey": "sandbox-other"}).json()
    assert other["klantId"] != body["klantId"]
    assert {s["id"] for s in other["abonnementen"]}.isdisjoint({s["id"] for s in body["abonnementen"]})


@pytest.mark.parametrize(
    ("key", "status", "title"),
    [({}, 401, "Unauthorized"), ({"apikey": "wrong"}, 401, "Unauthorized"),
     ({"apikey": "sandbox-forbidden-1"}, 403, "Forbidden")],
)  # fmt: skip
def test_refusals_are_problem_details(kvk, key, status, title):
    for path in ("/api/v1/abonnementen", "/api/v1/abonnementen/x", "/api/v1/abonnementen/x/signalen/y"):
        answer = kvk.get(path, key=key)
        assert answer.status_code == status
        assert answer.headers["Content-Type"] == "application/problem+json"
        problem = answer.json()
        assert problem["status"] == status and problem["title"] == title and problem["instance"].endswith(path)
        assert problem["detail"]


def test_another_customers_subscription_is_forbidden_and_unknown_ones_not_found(kvk):
    mine = kvk.subscription()
    theirs = kvk.subscription(key={"apikey": "sandbox-someone-else"})
    answer = kvk.get(f"/api/v1/abonnementen/{theirs}")
    assert answer.status_code == 403 and answer.json()["title"] == "Forbidden"
    answer = kvk.get("/api/v1/abonnementen/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/problem+json"
    answer = kvk.get(f"/api/v1/abonnementen/{mine}/signalen/nope")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"aantal": "9"}, {"aantal": "501"}, {"pagina": "0"}, {"pagina": "een"}, {"vanaf": "gisteren"},
     {"vanaf": "2026-03-02T00:00:00Z", "tot": "2026-03-01T00:00:00Z"}, {"sort": "desc"}],
)  # fmt: skip
def test_wrong_parameters_are_refused(kvk, params):
    answer = kvk.get(f"/api/v1/abonnementen/{kvk.subscription()}", params=params)
    assert answer.status_code == 400
    assert answer.json()["status"] == 400


def test_window_and_pages(kvk):
    kvk.emit(count=23, **{"from": "2026-03-02T00:00:00Z", "to": "2026-03-02T23:00:00Z"})
    kvk.emit(count=5, at="2026-02-20T08:00:00Z")  # before the window
    subscription = kvk.subscription()
    first = window(kvk, subscription, aantal=10)
    assert (first["pagina"], first["aantal"], first["totaal"], first["totaalPaginas"]) == (1, 10, 23, 3)
    seen = []
    for page in (1, 2, 3):
        seen += window(kvk, subscription, aantal=10, pagina=page)["signalen"]
    assert len(seen) == 23 and len({s["id"] for s in seen}) == 23
    times = [s["timestamp"] for s in seen]
    assert times == sorted(times) and all("2026-03-02T" in t for t in times)
    assert window(kvk, subscription, aantal=10, pagina=4)["signalen"] == []
    # vanaf is included, tot excluded
    edge = seen[5]["timestamp"]
    assert window(kvk, subscription, vanaf=edge)["totaal"] == 18
    assert window(kvk, subscription, tot=edge)["totaal"] == 5
    # the ended subscription saw nothing of 2026
    ended = next(s["id"] for s in kvk.get("/api/v1/abonnementen").json()["abonnementen"] if not s["actief"])
    assert window(kvk, ended)["totaal"] == 0
    for entry in seen:
        assert set(entry) <= {"id", "timestamp", "kvknummer", "signaalType", "vestigingsnummer"}
        assert ("vestigingsnummer" in entry) == (entry["signaalType"] == "SignaalGewijzigdeVestiging")


def test_hal_links_and_minimal_answers(kvk, server):
    kvk.emit(count=12, at=AT)
    subscription = kvk.subscription()
    hal = kvk.get(
        f"/api/v1/abonnementen/{subscription}",
        params={"vanaf": "2026-03-01T00:00:00Z", "aantal": 10, "pagina": 1},
        headers={"Accept": "application/hal+json"},
    )
    assert hal.headers["Content-Type"] == "application/hal+json"
    body = hal.json()
    assert body["volgende"].endswith("pagina=2") and "vorige" not in body
    link = body["signalen"][0]["links"][0]
    assert link["rel"] == "self" and link["href"].endswith(f"/signalen/{body['signalen'][0]['id']}")
    requests.post(f"{server.url}/kvk/_mutaties", json={"minimal": True}, timeout=5).raise_for_status()
    try:
        minimal = window(kvk, subscription)
        assert "totaal" not in minimal and "totaalPaginas" not in minimal and len(minimal["signalen"]) == 12
        detail = kvk.detail(minimal["signalen"][0]["id"], subscription)
        assert "registratieId" not in detail and "totaalWerkzamePersonen" not in detail["heeftBetrekkingOp"]
    finally:
        requests.post(f"{server.url}/kvk/_mutaties", json={"minimal": False}, timeout=5).raise_for_status()


# -- the generator ------------------------------------------------------------------------------------


def test_generator_is_deterministic_per_seed():
    def run(seed):
        server = start_in_thread(seed=seed)
        try:
            with requests.Session() as session:
                emitted = session.post(f"{server.url}/kvk/_mutaties/emit", json={"count": 60, "at": AT}, timeout=30)
                signals = emitted.json()["signals"]
                subscription = session.get(f"{server.url}/kvk/api/v1/abonnementen", headers=KEY, timeout=5).json()
                sub = subscription["abonnementen"][0]["id"]
                details = [
                    session.get(f"{server.url}/kvk/api/v1/abonnementen/{sub}/signalen/{s['id']}", headers=KEY,
                                timeout=5).json()
                    for s in signals
                ]  # fmt: skip
                profiles = [
                    without_links(
                        session.get(f"{server.url}/kvk/api/v1/basisprofielen/{s['kvknummer']}", headers=KEY, timeout=5)
                    )
                    for s in signals[:20]
                ]
            return signals, details, profiles
        finally:
            server.stop()

    first, again, other = run(31), run(31), run(32)
    assert first == again
    assert [s["kvknummer"] for s in first[0]] != [s["kvknummer"] for s in other[0]]
    kinds = {s["signaalType"] for s in first[0]}
    assert len(kinds) >= 5, kinds


def test_every_type_of_signal_in_kvk_shape(kvk):
    emitted = kvk.emit(count=120, at=AT)
    by_type = {}
    for summary in emitted:
        by_type.setdefault(summary["signaalType"], summary)
    assert set(by_type) == {
        "SignaalGewijzigdeInschrijving",
        "SignaalGewijzigdeVestiging",
        "SignaalNieuweInschrijving",
        "SignaalBeeindiging_2025_01",
        "SignaalRechtsvormwijziging_2025_01",
        "SignaalVoortzettingEnOverdracht_2025_01",
    }
    subscription = kvk.subscription()
    for kind, summary in by_type.items():
        detail = kvk.detail(summary["id"], subscription)
        assert detail["signaalType"] == kind
        assert detail["berichtId"] and detail["registratieTijdstip"].endswith("Z")
        about = detail["heeftBetrekkingOp"]
        assert about["kvkNummer"] == summary["kvknummer"]
        assert set(about["heeftAlsEigenaar"]) <= {"rechtspersoon", "natuurlijkPersoon"}
        for branch in about["wordtUitgeoefendIn"]:
            assert len(branch["vestigingsnummer"]) == 12 and isinstance(branch["isHoofdvestiging"], bool)
    assert kvk.detail(by_type["SignaalNieuweInschrijving"]["id"])["heeftNieuweGegevens"]["aanleiding"]["code"] in (
        "VV", "OR", "VO", "FS", "SP", "ZV", "NW")  # fmt: skip
    ended = kvk.detail(by_type["SignaalBeeindiging_2025_01"]["id"])
    assert ended["startdatum"] == "20260302" and ended["aanleiding"]["code"] in (
        "OO",
        "BR",
        "FS",
        "SP",
        "ZV",
        "BE",
        "VZ",
    )
    changed = kvk.detail(by_type["SignaalGewijzigdeInschrijving"]["id"])["heeftGewijzigdeGegevens"]
    assert changed and set(changed) <= {"maOnderneming", "eigenaar", "vestigingen", "functionarissen", "deponeringen"}
    branch = kvk.detail(by_type["SignaalGewijzigdeVestiging"]["id"])["heeftGewijzigdeVestiging"]
    assert branch["vestigingsnummer"] == by_type["SignaalGewijzigdeVestiging"]["vestigingsnummer"]
    assert set(branch["gewijzigdeGegevens"]) == {"naamgeving", "activiteiten", "adresgegevens", "gevolmachtigden"}


def test_changed_name_shows_in_the_basisprofiel(kvk):
    before = kvk.profile("68750110")
    (signal,) = kvk.signal(type="changed", kvk_number="68750110", blocks=["maOnderneming"], change="name")
    detail = kvk.detail(signal["id"])
    assert detail["heeftGewijzigdeGegevens"] == {"maOnderneming": {"algemeen": True}}
    after = kvk.profile("68750110")
    assert after["naam"] != before["naam"] and after["naam"].endswith(" BV Donald")
    assert after["handelsnamen"][0]["naam"] == after["naam"]
    assert after["_embedded"]["hoofdvestiging"]["eersteHandelsnaam"] == after["naam"]
    assert signal["changes"] == [f"name {before['naam']} -> {after['naam']}"]


def test_changed_branch_address_shows_in_the_vestigingsprofiel(kvk):
    before = visiting(kvk.branch("000037178601"))
    (signal,) = kvk.signal(type="branch", kvk_number="68750110", branch_number="000037178601", change="address")
    assert signal["vestigingsnummer"] == "000037178601"
    detail = kvk.detail(signal["id"])["heeftGewijzigdeVestiging"]
    assert detail["isHoofdvestiging"] is False and detail["gewijzigdeGegevens"]["adresgegevens"] is True
    after = visiting(kvk.branch("000037178601"))
    assert (after["straatnaam"], after["huisnummer"], after["postcode"]) != (
        before["straatnaam"], before["huisnummer"], before["postcode"])  # fmt: skip
    main_before = kvk.profile("68750110")["_embedded"]["hoofdvestiging"]
    assert visiting(main_before)["straatnaam"] == "Hizzaarderlaan", "another branch's change leaves the main one"


def test_officers_and_filings_change_nothing_a_profile_shows(kvk):
    before = kvk.profile("68727720"), kvk.branch("000037143557")
    (signal,) = kvk.signal(type="changed", kvk_number="68727720", blocks=["functionarissen", "deponeringen"])
    hint = kvk.detail(signal["id"])["heeftGewijzigdeGegevens"]
    assert set(hint) == {"functionarissen", "deponeringen"}
    assert hint["deponeringen"]["gewijzigdeDeponeringen"][0]["jaarstuk"] is True
    assert (kvk.profile("68727720"), kvk.branch("000037143557")) == before


def test_termination_ends_the_registration(kvk):
    (signal,) = kvk.signal(type="ended", kvk_number="68727720", reason="BR")
    detail = kvk.detail(signal["id"])
    assert detail["aanleiding"] == {"code": "BR", "omschrijving": "Beëindigen rechtspersoon"}
    profile = kvk.profile("68727720")
    assert profile["materieleRegistratie"]["datumEinde"] == "20260302"
    assert kvk.branch("000037143557")["materieleRegistratie"]["datumEinde"] == "20260302"
    search = kvk.get("/api/v2/zoeken", params={"kvkNummer": "68727720"})
    assert search.status_code == 404, "an ended registration leaves the default search"
    answer = kvk.session.post(f"{kvk.base}/_mutaties/signal", json={"type": "ended", "kvk_number": "68727720"})
    assert answer.status_code == 400 and "ended" in answer.json()["error"]["message"]


def test_legal_form_change_keeps_the_number(kvk):
    (signal,) = kvk.signal(type="legal_form", kvk_number="68750110")
    detail = kvk.detail(signal["id"])
    assert detail["persoonRechtsvormOud"] == "Besloten Vennootschap"
    assert (
        detail["heeftBetrekkingOp"]["heeftAlsEigenaar"]["rechtspersoon"]["persoonRechtsvorm"] == "Naamloze Vennootschap"
    )
    owner = kvk.profile("68750110")["_embedded"]["eigenaar"]
    assert owner["rechtsvorm"] == "Naamloze Vennootschap"
    assert kvk.profile("68750110")["statutaireNaam"] == "Test BV Donald N.V."
    refused = kvk.session.post(f"{kvk.base}/_mutaties/signal", json={"type": "legal_form", "kvk_number": "69599084"})
    assert refused.status_code == 400


def test_continuation_of_a_sole_trader_by_a_new_bv(kvk):
    signals = kvk.signal(type="continuation", kvk_number="69599084")
    kinds = [s["signaalType"] for s in signals]
    assert kinds == [
        "SignaalVoortzettingEnOverdracht_2025_01",
        "SignaalBeeindiging_2025_01",
        "SignaalNieuweInschrijving",
    ]
    new = signals[0]["new_kvk_number"]
    moved = kvk.detail(signals[0]["id"])["voortzettingEnOverdracht"]
    assert moved["rolBijVoortzettingOverdracht"] == {"code": "VG", "omschrijving": "Voortgezet door"}
    assert moved["kvkNummer"] == new and moved["persoonRechtsvorm"] == "Besloten Vennootschap"
    assert sorted(moved["betrokkenVestigingen"]["vestigingsnummers"]) == ["000038509504", "000038509520"]
    assert kvk.detail(signals[1]["id"])["aanleiding"]["code"] == "VZ"
    born = kvk.detail(signals[2]["id"])["heeftNieuweGegevens"]
    assert born == {
        "aanleiding": {"code": "VO", "omschrijving": "Voortzetten"},
        "kvkNummer": new,
        "startdatum": "20260302",
    }
    assert kvk.profile("69599084")["materieleRegistratie"]["datumEinde"] == "20260302"
    assert kvk.profile(new)["_embedded"]["eigenaar"]["rechtsvorm"] == "Besloten Vennootschap"
    assert kvk.branch("000038509520")["kvkNummer"] == new, "the branch keeps its number and moves"


def test_transfer_of_a_branch_to_another_registration(kvk):
    signals = kvk.signal(type="continuation", kvk_number="68750110", reason="OG", branch_number="000037178601")
    assert [s["signaalType"] for s in signals] == [
        "SignaalVoortzettingEnOverdracht_2025_01", "SignaalGewijzigdeInschrijving"]  # fmt: skip
    receiver = signals[0]["new_kvk_number"]
    assert signals[1]["kvknummer"] == receiver
    assert kvk.branch("000037178601")["kvkNummer"] == receiver
    assert kvk.profile("68750110")["materieleRegistratie"].get("datumEinde") is None
    numbers = [
        v["vestigingsnummer"] for v in kvk.get("/api/v1/basisprofielen/68750110/vestigingen").json()["vestigingen"]
    ]
    assert numbers == ["000037178598"]


def test_new_registration_is_a_company_the_apis_know(kvk):
    (signal,) = kvk.signal(type="new", reason="OR")
    number = signal["kvknummer"]
    profile = kvk.profile(number)
    assert profile["formeleRegistratiedatum"] == "20260302"
    hit = kvk.get("/api/v2/zoeken", params={"kvkNummer": number}).json()["resultaten"]
    assert hit and hit[0]["kvkNummer"] == number
    assert kvk.detail(signal["id"])["heeftNieuweGegevens"]["aanleiding"]["code"] == "OR"


def test_reset_restores_the_register(kvk):
    before = kvk.profile("68750110")
    kvk.emit(count=30, at=AT, kvk_numbers=["68750110"], types=["changed", "branch"])
    assert kvk.profile("68750110") != before
    kvk.session.delete(f"{kvk.base}/_mutaties", timeout=5).raise_for_status()
    assert kvk.profile("68750110") == before
    assert window(kvk, kvk.subscription())["totaal"] == 0


def test_signals_for_the_bulk_population(kvk, server):
    requests.post(f"{server.url}/kvk/_mutaties", json={"population": 50_000}, timeout=5).raise_for_status()
    try:
        emitted = kvk.emit(count=200, at=AT, types=["changed", "branch", "ended"])
    finally:
        requests.post(f"{server.url}/kvk/_mutaties", json={"population": 0}, timeout=5).raise_for_status()
    outside = [s for s in emitted if s["kvknummer"][0] in "24"]
    assert len(outside) > 150, "most signals concern the population when it is large"
    for summary in outside[:10]:
        assert kvk.profile(summary["kvknummer"])["kvkNummer"] == summary["kvknummer"]


def test_emit_exactly_n_and_control_errors(kvk):
    assert len(kvk.emit(count=37, at=AT)) == 37
    state = kvk.session.get(f"{kvk.base}/_mutaties", timeout=5).json()
    assert state["signals"] == 37 and state["changed"]
    for body in ({"count": -1}, {"count": "many"}, {"types": ["nope"]}, {"kvk_numbers": ["12345678"]},
                 {"from": AT}, {"colour": "red"}):  # fmt: skip
        answer = kvk.session.post(f"{kvk.base}/_mutaties/emit", json=body, timeout=5)
        assert answer.status_code == 400, body
    answer = kvk.session.post(f"{kvk.base}/_mutaties/signal", json={"type": "branch", "kvk_number": "90000749"})
    assert answer.status_code == 400 and "no branch" in answer.json()["error"]["message"]
    answer = kvk.session.post(f"{kvk.base}/_mutaties", json={"population": -3}, timeout=5)
    assert answer.status_code == 400


def test_signals_every_interval(kvk, server):
    requests.post(f"{server.url}/kvk/_mutaties", json={"per_interval": 10, "interval_seconds": 1}, timeout=5)
    try:
        subscription = kvk.subscription()  # starts the clock
        service = server.services["kvk"].mutaties
        service.last_tick -= timedelta(seconds=3)
        until = (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat()
        listed = kvk.get(f"/api/v1/abonnementen/{subscription}", params={"tot": until, "aantal": 100}).json()
        assert listed["totaal"] == 30
    finally:
        requests.post(f"{server.url}/kvk/_mutaties", json={"per_interval": 0}, timeout=5).raise_for_status()


def test_bulk_file_over_http(kvk):
    answer = kvk.session.get(f"{kvk.base}/_bulk", params={"rows": 2000, "bad_every": 500}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    lines = answer.text.splitlines()
    assert lines[0].startswith("kvk_nummer;vestigingsnummer;hoofdvestiging;naam")
    assert len(lines) == 1 + 2000 + 4  # the header, the rows, an empty line after each of the 4 bad rows
    too_many = kvk.session.get(f"{kvk.base}/_bulk", params={"rows": 10**6}, timeout=5)
    assert too_many.status_code == 400


def test_malformed_signals_on_request(kvk):
    (listing,) = kvk.signal(type="changed", kvk_number="68750110", malformed="listing")
    (detail,) = kvk.signal(type="changed", kvk_number="68727720", malformed="detail")
    entries = {e["id"]: e for e in window(kvk, kvk.subscription())["signalen"]}
    assert "kvknummer" not in entries[listing["id"]] and entries[listing["id"]]["timestamp"] == "gisteren"
    broken = kvk.detail(detail["id"])
    assert "heeftBetrekkingOp" not in broken and broken["signaalType"] == "SignaalOnbekend"
    assert json.dumps(entries[detail["id"]])  # the list entry of the second one is whole
