"""The KvK client and its parsers against the sandbox over real HTTP: every product and error code."""

import re
from datetime import date

import pytest
import requests
from addon_clients import ROOT, load_clients

kvk = load_clients("kvk_connector")


def test_clients_do_not_import_odoo():
    for path in (ROOT / "kvk_connector" / "clients").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+odoo", path.read_text(), re.MULTILINE), path


@pytest.fixture
def client(sandbox, control):
    with requests.Session() as session:
        yield kvk.KvkClient(f"{sandbox.url}/kvk/api", "sandbox-test", timeout=5, session=session)


def test_search_by_kvk_number_gives_entity_and_branches(client):
    answer = client.search(kvkNummer="68750110")
    assert answer.status == 200 and answer.product == "zoeken"
    page = kvk.parse_search(answer.data)
    assert page.total == 3
    kinds = {(hit.kind, hit.branch_number) for hit in page.hits}
    assert kinds == {("rechtspersoon", ""), ("hoofdvestiging", "000037178598"), ("nevenvestiging", "000037178601")}
    main = next(hit for hit in page.hits if hit.kind == "hoofdvestiging")
    assert main.name == "Test BV Donald" and main.active
    assert main.address.street_name == "Hizzaarderlaan" and main.address.city == "Lollum"
    # KvK echoes house numbers and postcodes only when they were searched for
    assert (main.address.house_number, main.address.postcode) == ("", "")
    inland = next(item for item in answer.data["resultaten"] if item["type"] == "hoofdvestiging")["adres"]
    assert inland == {"binnenlandsAdres": {"type": "bezoekadres", "straatnaam": "Hizzaarderlaan", "plaats": "Lollum"}}


def test_search_echoes_what_was_searched_for(client):
    page = kvk.parse_search(client.search(postcode="8823SJ", huisnummer="3", type=["hoofdvestiging"]).data)
    (hit,) = page.hits
    assert (hit.address.street, hit.address.postcode) == ("Hizzaarderlaan 3 A", "8823 SJ")


def test_search_emz_has_no_legal_entity(client):
    page = kvk.parse_search(client.search(kvkNummer="69599084").data)
    assert sorted(hit.branch_number for hit in page.hits) == ["000038509504", "000038509520"]
    assert {hit.kind for hit in page.hits} == {"hoofdvestiging", "nevenvestiging"}


def test_search_by_name_is_word_based_and_pages(client):
    first = kvk.parse_search(client.search(naam="bouw", per_page=5).data)
    assert first.total > 5 and len(first.hits) == 5
    assert all("bouw" in hit.name.lower() for hit in first.hits)
    second = kvk.parse_search(client.search(naam="bouw", page=2, per_page=5).data)
    assert {h.key for h in first.hits}.isdisjoint({h.key for h in second.hits})
    with pytest.raises(kvk.KvkError) as caught:
        client.search(naam="bou")  # not a prefix search
    assert caught.value.code == "IPD5200" and caught.value.status == 404


def test_search_by_type_postcode_and_inactive(client):
    page = kvk.parse_search(client.search(postcode="8823SJ", huisnummer="3", type=["hoofdvestiging"]).data)
    assert [(h.kvk_number, h.kind) for h in page.hits] == [("68750110", "hoofdvestiging")]
    assert page.hits[0].address.postcode == "8823 SJ"
    with pytest.raises(kvk.KvkError) as caught:
        client.search(kvkNummer="96354429")
    assert caught.value.code == "IPD5200"
    inactive = kvk.parse_search(client.search(kvkNummer="96354429", inclusiefInactieveRegistraties=True).data)
    assert inactive.hits and not any(h.active for h in inactive.hits)


def test_search_rsin_and_branch_number(client):
    page = kvk.parse_search(client.search(rsin="857587973").data)
    assert {h.kvk_number for h in page.hits} == {"68750110"} and page.hits[0].rsin == "857587973"
    # KvK answers an RSIN with the company's branches, not with its legal entity besides
    assert {h.kind for h in page.hits} == {"hoofdvestiging", "nevenvestiging"}
    assert all(h.rsin == "857587973" for h in page.hits)
    page = kvk.parse_search(client.search(vestigingsnummer="000037178601").data)
    assert [(h.kind, h.name) for h in page.hits] == [("nevenvestiging", "Test BV Donald Nevenvestiging")]


def test_thousand_results_cap(client):
    page = kvk.parse_search(client.search(kvkNummer="90006577", page=10, per_page=100).data)
    assert page.total == 1001 and page.reachable == 1000 and page.page_count == 10 and len(page.hits) == 100
    assert "volgende" not in client.search(kvkNummer="90006577", page=10, per_page=100).data
    with pytest.raises(kvk.KvkError) as caught:
        client.search(kvkNummer="90006577", page=11, per_page=100)
    assert caught.value.code == "IPD5200"


@pytest.mark.parametrize(
    ("criteria", "code", "status"),
    [
        ({"kvkNummer": "1234567"}, "IPD0004", 400),
        ({"rsin": "12345678x"}, "IPD0010", 400),
        ({"vestigingsnummer": "12345"}, "IPD0006", 400),
        ({"postcode": "8823SJ"}, "IPD1999", 400),
        ({"type": ["filiaal"]}, "IPD5203", 404),
        ({"onbekend": "x"}, "IPD1999", 400),
        ({"kvkNummer": "12345678"}, "IPD5200", 404),
        ({"naam": "bouw", "page": 0}, "IPD1999", 400),
        ({"naam": "bouw", "per_page": 101}, "IPD1999", 400),
        ({"naam": "bouw", "page": "een"}, "IPD1999", 400),
        ({"naam": "bouw", "huisletter": "A"}, "IPD1999", 400),
    ],
)
def test_search_errors(client, criteria, code, status):
    with pytest.raises(kvk.KvkError) as caught:
        client.search(**criteria)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.message == kvk.MESSAGES[code]


def test_basisprofiel_bv(client):
    answer = client.basisprofiel("68750110")
    assert answer.headers["API-Version"] == "1.5.0"
    profile = kvk.parse_basisprofiel(answer.data)
    assert profile.kvk_number == "68750110" and profile.rsin == "857587973"
    assert profile.branch_number == "000037178598" and profile.main_branch
    assert profile.legal_form == "Besloten Vennootschap"
    assert profile.founding_raw == "20170300" and profile.founding_date is None
    assert profile.visiting.street == "Hizzaarderlaan 3 A" and profile.visiting.postcode == "8823 SJ"
    assert profile.postal.street == "Postbus 200" and profile.postal.city == "Rommeldam"
    assert [(a.code, a.main) for a in profile.activities] == [("01241", True)]
    assert (profile.employees, profile.employees_full, profile.employees_part) == (4, 2, 1)
    assert profile.trade_names == ["Test BV Donald", "Donald Fruit"]


def test_basisprofiel_vve_without_main_branch(client):
    profile = kvk.parse_basisprofiel(client.basisprofiel("90000749").data)
    assert profile.branch_number == "" and profile.legal_form == "Vereniging van Eigenaars"
    assert profile.visiting.street == "Blaauwweg 163" and profile.visiting.city == "Dordrecht"
    with pytest.raises(kvk.KvkError) as caught:
        client.basisprofiel_part("90000749", "hoofdvestiging")
    assert caught.value.code == "IPD0005"


def test_basisprofiel_parts(client):
    assert client.basisprofiel_part("68750110", "eigenaar").data["rsin"] == "857587973"
    assert client.basisprofiel_part("68750110", "hoofdvestiging").data["vestigingsnummer"] == "000037178598"
    listing = client.basisprofiel_part("90006577", "vestigingen").data
    assert listing["totaalAantalVestigingen"] == 1000 == len(listing["vestigingen"])


def test_shielded_address_is_not_given(client):
    profile = kvk.parse_vestigingsprofiel(client.vestigingsprofiel("990000541921").data)
    assert profile.shielded == ["bezoekadres"] and profile.visiting is None
    assert profile.postal.city == "Sterksel" and profile.statutory_name
    assert profile.founding_date == date(2020, 1, 15)


def test_vestigingsprofiel_and_geo(client):
    plain = client.vestigingsprofiel("000038509504").data
    assert "geoData" not in plain["adressen"][0]
    geo = client.vestigingsprofiel("000038509504", geo=True).data
    assert geo["adressen"][0]["geoData"]["gpsLatitude"]
    profile = kvk.parse_vestigingsprofiel(plain)
    assert (profile.kvk_number, profile.employees_full, profile.employees_part) == ("69599084", 1, 0)
    assert len(profile.activities) == 3


def test_naamgeving(client):
    data = client.naamgeving("68750110").data
    assert data["statutaireNaam"] == "Test BV Donald" and len(data["vestigingen"]) == 2


@pytest.mark.parametrize(
    ("call", "code", "status"),
    [
        (lambda c: c.basisprofiel("12345678"), "IPD0005", 404),
        (lambda c: c.basisprofiel("90004973"), "IPD1002", 404),
        (lambda c: c.basisprofiel("90002903"), "IPD9999", 500),
        (lambda c: c.vestigingsprofiel("665544332211"), "IPD0007", 404),
        (lambda c: c.naamgeving("12345678"), "IPD0005", 404),
    ],
)
def test_profile_errors(client, call, code, status):
    with pytest.raises(kvk.KvkError) as caught:
        call(client)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.retryable == (code in ("IPD1002", "IPD9999"))


def test_invalid_numbers_are_refused_before_calling(client, sandbox, control):
    control.clear_requests()
    for call, code in [
        (lambda: client.basisprofiel("6875011"), "IPD0004"),
        (lambda: client.vestigingsprofiel("1"), "IPD0006"),
    ]:
        with pytest.raises(kvk.KvkError) as caught:
            call()
        assert caught.value.code == code
    assert control.requests("/kvk/") == []


def test_wrong_key_is_unauthorized(sandbox):
    bad = kvk.KvkClient(f"{sandbox.url}/kvk/api", "wrong", timeout=5)
    with pytest.raises(kvk.KvkError) as caught:
        bad.basisprofiel("68750110")
    assert caught.value.code == "unauthorized" and caught.value.status == 401
    assert "API key" in caught.value.message


def test_links_follow_the_accept_header(sandbox):
    plain = kvk.KvkClient(f"{sandbox.url}/kvk/api", "sandbox-x").basisprofiel("68750110")
    hal = kvk.KvkClient(f"{sandbox.url}/kvk/api", "sandbox-x", hal=True).basisprofiel("68750110")
    assert isinstance(plain.data["links"], list) and "_links" not in plain.data
    assert hal.data["_links"]["self"]["href"].endswith("/basisprofielen/68750110")
    assert hal.headers["Content-Type"] == "application/hal+json"
    assert kvk.parse_basisprofiel(plain.data) == kvk.parse_basisprofiel(hal.data)
    refused = requests.get(
        f"{sandbox.url}/kvk/api/v1/basisprofielen/68750110",
        headers={"apikey": "sandbox", "Accept": "text/xml"},
        timeout=5,
    )
    assert refused.status_code == 406


def test_test_prefix_is_served_too(sandbox):
    answer = kvk.KvkClient(f"{sandbox.url}/kvk/test/api", "sandbox-x").search(kvkNummer="69599084")
    assert answer.status == 200


def test_timeout_is_reported(client, control):
    control.arm_fault("/kvk/api/v1/basisprofielen", latency_ms=1500)
    client.timeout = 0.3
    with pytest.raises(kvk.KvkError) as caught:
        client.basisprofiel("68750110")
    assert caught.value.code == "timeout" and caught.value.retryable
    assert isinstance(caught.value.__cause__, requests.Timeout)


def test_transient_and_server_errors(client, control):
    control.arm_fault("/kvk/api/v2/zoeken", status=503)
    with pytest.raises(kvk.KvkError) as caught:
        client.search(naam="bouw")
    assert caught.value.code == "IPD1003" and caught.value.retryable
    control.arm_fault("/kvk/api/v2/zoeken", status=502)
    with pytest.raises(kvk.KvkError) as caught:
        client.search(naam="bouw")
    assert caught.value.code == "IPD9999" and caught.value.status == 502 and caught.value.retryable


def test_rate_limit_is_retryable(client, control):
    control.arm_fault("/kvk/api/v2/zoeken", status=429)
    with pytest.raises(kvk.KvkError) as caught:
        client.search(naam="bouw")
    assert (caught.value.code, caught.value.status, caught.value.retryable) == ("rate_limited", 429, True)
    assert "busy" in caught.value.message


def test_malformed_answer(client, control):
    control.arm_fault("/kvk/api/v1/basisprofielen", malformed=True)
    with pytest.raises(kvk.KvkError) as caught:
        client.basisprofiel("68750110")
    assert caught.value.code == "malformed"


def test_network_error(sandbox):
    dead = kvk.KvkClient("http://127.0.0.1:9/kvk/api", "sandbox", timeout=2)
    with pytest.raises(kvk.KvkError) as caught:
        dead.search(naam="bouw")
    assert caught.value.code == "network"


def test_test_company_names_change_with_the_seed():
    from sandbox.services.kvk_data import public_test_companies

    names = {next(c["naam"] for c in public_test_companies(seed) if c["kvkNummer"] == "90001354") for seed in range(8)}
    assert names == {"Grand Kontex B.V.", "Grand Joyflex B.V."}


def test_synthetic_population_is_seeded(sandbox):
    from sandbox.services.kvk_data import synthetic_companies

    assert [c["kvkNummer"] for c in synthetic_companies(7)] == [c["kvkNummer"] for c in synthetic_companies(7)]
    assert [c["kvkNummer"] for c in synthetic_companies(7)] != [c["kvkNummer"] for c in synthetic_companies(8)]
    from stdnum.nl import bsn

    assert all(bsn.is_valid(c["rsin"]) for c in synthetic_companies(7) if c["rsin"])


# -- answers as KvK gives them -----------------------------------------------------------------


@pytest.fixture
def quirky(sandbox, control):
    """A client whose requests ask the sandbox for one of KvK's odd answers."""

    def build(quirk, prefix="api"):
        session = requests.Session()
        session.headers["X-Sandbox-Kvk-Quirk"] = quirk
        return kvk.KvkClient(f"{sandbox.url}/kvk/{prefix}", "sandbox-test", timeout=5, session=session)

    return build


@pytest.mark.parametrize(
    "call", [lambda c: c.basisprofiel("68750110"), lambda c: c.search(naam="bouw"), lambda c: c.naamgeving("68750110")]
)
def test_a_200_without_a_body_is_an_error(quirky, call):
    with pytest.raises(kvk.KvkError) as caught:
        call(quirky("empty-body"))
    assert (caught.value.code, caught.value.status) == ("malformed", 200)
    assert caught.value.detail == "empty answer"


def test_a_200_with_a_fout_list_is_that_error(quirky):
    with pytest.raises(kvk.KvkError) as caught:
        quirky("fout-200").basisprofiel("68750110")
    assert (caught.value.code, caught.value.status) == ("IPD1002", 200)
    assert caught.value.retryable and "temporarily unavailable" in caught.value.message


def test_a_200_without_the_product_is_an_error(sandbox, control):
    """A JSON answer that is not the product asked for (here: the sandbox's health page) is not a profile."""
    client = kvk.KvkClient(f"{sandbox.url}/kvk", "sandbox-test", timeout=5)
    with pytest.raises(kvk.KvkError) as caught:
        client._get("basisprofiel", "/health", {})
    assert caught.value.code == "malformed" and "kvkNummer" in caught.value.detail


def test_trade_names_with_an_odd_order_do_not_break_the_profile(quirky, client):
    odd = kvk.parse_basisprofiel(quirky("odd-order").basisprofiel("69599084").data)
    plain = kvk.parse_basisprofiel(client.basisprofiel("69599084").data)
    # the names with an order in it first, the one without last
    assert odd.trade_names == plain.trade_names[1:] + plain.trade_names[:1]


def test_links_are_absolute_with_the_prefix_used(sandbox):
    for prefix in ("api", "test/api"):
        base = f"{sandbox.url}/kvk/{prefix}"
        hal = kvk.KvkClient(base, "sandbox-x", hal=True)
        search = hal.search(kvkNummer="68750110").data
        assert (
            search["_links"]["self"]["href"] == f"{base}/v2/zoeken?kvkNummer=68750110&pagina=1&resultatenPerPagina=10"
        )
        hit = next(item for item in search["resultaten"] if item["type"] == "hoofdvestiging")
        assert hit["_links"]["vestigingsprofiel"]["href"] == f"{base}/v1/vestigingsprofielen/000037178598"
        profile = kvk.KvkClient(base, "sandbox-x").basisprofiel("68750110").data
        assert {link["rel"]: link["href"] for link in profile["links"]}["self"] == f"{base}/v1/basisprofielen/68750110"
        paged = kvk.KvkClient(base, "sandbox-x").search(naam="bouw", page=2, per_page=5).data
        assert paged["vorige"] == f"{base}/v2/zoeken?naam=bouw&pagina=1&resultatenPerPagina=5"
        assert paged["volgende"] == f"{base}/v2/zoeken?naam=bouw&pagina=3&resultatenPerPagina=5"


# -- the two shapes: KvK's OpenAPI (full) and what its test environment answers (minimal) ---------


@pytest.fixture
def shapes(sandbox):
    """A client for each shape: /kvk/api answers in the full shape, /kvk/test/api as KvK's test environment."""
    with requests.Session() as full, requests.Session() as minimal:
        yield (
            kvk.KvkClient(f"{sandbox.url}/kvk/api", "sandbox-full", timeout=5, session=full),
            kvk.KvkClient(f"{sandbox.url}/kvk/test/api", "sandbox-minimal", timeout=5, session=minimal),
        )


def test_minimal_shape_leaves_out_what_the_test_environment_leaves_out(shapes):
    full, minimal = shapes
    profile = minimal.basisprofiel("69599084")
    main = profile.data["_embedded"]["hoofdvestiging"]
    for absent in ("voltijdWerkzamePersonen", "deeltijdWerkzamePersonen", "handelsnamen", "sbiActiviteiten"):
        assert absent not in main, absent
    assert "websites" not in profile.data["_embedded"]["eigenaar"]
    assert isinstance(profile.data["links"], list)  # a links list, as recorded, whatever the Accept header
    vve = minimal.basisprofiel("90000749").data
    assert (
        "totaalWerkzamePersonen" not in vve and "handelsnamen" not in vve and "hoofdvestiging" not in vve["_embedded"]
    )
    branch = minimal.vestigingsprofiel("000038509504")
    assert branch.headers["API-Version"] == "1.5.0"
    assert "websites" not in branch.data and "rsin" not in branch.data
    hits = minimal.search(kvkNummer="69599084").data["resultaten"]
    assert all("actief" not in hit for hit in hits)
    assert all(hit["actief"] == "Ja" for hit in full.search(kvkNummer="69599084").data["resultaten"])
    assert "voltijdWerkzamePersonen" in full.basisprofiel("69599084").data["_embedded"]["hoofdvestiging"]


def profile_values(profile):
    """What a contact gets from a profile: the fields, addresses flattened."""
    values = {name: getattr(profile, name) for name in kvk.Profile.__dataclass_fields__}
    for kind in ("visiting", "postal"):
        address = values.pop(kind)
        values.update({f"{kind}.{key}": value for key, value in vars(address).items()} if address else {})
    values["activities"] = [(a.code, a.description, a.main, a.version) for a in profile.activities]
    return values


@pytest.mark.parametrize(
    ("product", "number"),
    [
        ("basisprofiel", "69599084"),  # EMZ with a main and a side branch
        ("basisprofiel", "68750110"),  # BV with a postal address and a website
        ("basisprofiel", "90000749"),  # VvE without branches
        ("basisprofiel", "90001354"),  # shielded visiting address
        ("basisprofiel", "55505201"),  # main branch abroad
        ("vestigingsprofiel", "000038509504"),
        ("vestigingsprofiel", "000038509520"),
        ("vestigingsprofiel", "990000541921"),
    ],
)
def test_both_shapes_give_the_same_contact(shapes, product, number):
    parse = kvk.parse_basisprofiel if product == "basisprofiel" else kvk.parse_vestigingsprofiel
    full, minimal = (profile_values(parse(getattr(client, product)(number).data)) for client in shapes)
    assert full.keys() == minimal.keys()
    for key, value in minimal.items():
        if value not in (None, "", []):
            assert value == full[key], key  # where both have the data, it is the same
        else:
            assert value is None or value in ("", []), key  # absent stays empty, never zero
    if product == "basisprofiel" and number != "90000749":
        # the embedded main branch of the test environment has no employee split: unknown, not zero
        assert (minimal["employees_full"], minimal["employees_part"]) == (None, None)
        assert full["employees_full"] is not None
    if number == "90000749":
        assert full["employees"] is None and minimal["employees"] is None  # no branches: no head count


def test_foreign_main_branch(client):
    profile = kvk.parse_basisprofiel(client.basisprofiel("55505201").data)
    address = profile.visiting
    assert (address.street, address.postcode, address.city, address.country, address.country_name) == (
        "Rue de la Loi 16",
        "1000",
        "Bruxelles",
        "BE",
        "België",
    )
    (hit,) = [h for h in kvk.parse_search(client.search(kvkNummer="55505201").data).hits if h.branch_number]
    assert (hit.address.kind, hit.address.city, hit.address.country) == ("bezoekadres", "Bruxelles", "BE")
