"""KvK parsers, offline on fixture files: no network, no Odoo."""

import json
from datetime import date
from pathlib import Path

import pytest
from test_kvk_client import kvk

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kvk"


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20170324", ("20170324", date(2017, 3, 24))),
        ("20150600", ("20150600", None)),
        ("00000000", ("00000000", None)),
        ("20240231", ("20240231", None)),
        ("2017-03-24", ("2017-03-24", None)),  # not KvK's format: the raw text is kept, no date is guessed
        ("onbekend", ("onbekend", None)),
        ("x" * 40, ("x" * 32, None)),
        (None, ("", None)),
    ],
)
def test_kvk_dates(raw, expected):
    assert kvk.kvk_date(raw) == expected


def test_search_with_hal_links():
    page = kvk.parse_search(load("zoeken_68750110_hal"))
    assert (page.total, page.page_count, len(page.hits)) == (3, 1, 3)
    assert page.hits[0].kind == "rechtspersoon" and page.hits[0].branch_number == ""


def test_search_foreign_address_and_inactive():
    (hit,) = kvk.parse_search(load("zoeken_foreign_and_phone")).hits
    assert not hit.active and hit.former_name == "Oude Grenshandel"
    address = hit.address
    assert (address.street, address.postcode, address.city, address.country, address.country_name) == (
        "Rue de la Loi 16",
        "1000",
        "Bruxelles",
        "BE",
        "België",
    )
    assert address.kind == "bezoekadres"


def test_search_hit_keeps_kind_of_address_rsin_and_shielded_flag():
    foreign, shielded = kvk.parse_search(load("zoeken_foreign_postal")).hits
    assert (foreign.address.kind, foreign.address.is_postal) == ("postadres", True)
    assert (foreign.address.postcode, foreign.address.city, foreign.address.country) == ("1010", "Wien", "AT")
    assert foreign.rsin == "855012456" and not foreign.shielded
    assert shielded.shielded and shielded.rsin == ""
    assert (shielded.address.kind, shielded.address.city) == ("postadres", "Sterksel")


def test_basisprofiel_with_foreign_addresses_odd_dates_and_trade_name_order():
    profile = kvk.parse_basisprofiel(load("basisprofiel_foreign_postal"))
    assert (profile.visiting.street, profile.visiting.postcode, profile.visiting.city, profile.visiting.country) == (
        "Friedrichstraße 43",
        "10117",
        "Berlin",
        "DE",
    )
    assert (profile.postal.kind, profile.postal.postcode, profile.postal.city, profile.postal.country) == (
        "correspondentieadres",
        "X-13501",
        "Parijs",
        "FR",
    )
    assert (profile.founding_raw, profile.founding_date) == ("onbekend", None)
    # ordered names first; those without a usable order keep the answer's order, after them
    assert profile.trade_names == ["Grenshandel Europa", "Grenshandel", "GHE"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("België", "BE"),
        ("Duitsland", "DE"),
        ("Frankrijk", "FR"),
        ("Verenigd Koninkrijk", "GB"),
        ("Verenigde Staten van Amerika", "US"),
        ("Verenigde Staten", "US"),
        ("Oostenrijk", "AT"),
        ("Nederland", "NL"),
        ("nederland ", "NL"),
        ("Curaçao", "CW"),
        ("Atlantis", ""),
        ("", ""),
    ],
)
def test_dutch_country_names(name, code):
    assert kvk.country_code(name) == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000 Bruxelles", ("1000", "Bruxelles")),
        ("X-13501 Parijs", ("X-13501", "Parijs")),
        ("10001 New York", ("10001", "New York")),
        ("1234 AB Amsterdam", ("1234 AB", "Amsterdam")),
        ("London SW1A 1AA", ("SW1A 1AA", "London")),
        ("Luxembourg", ("", "Luxembourg")),
        ("", ("", "")),
    ],
)
def test_foreign_postcode_and_place_apart(text, expected):
    assert kvk.split_postcode_place(text) == expected


@pytest.mark.parametrize(
    ("raw", "written"), [("8823SJ", "8823 SJ"), ("8823 sj", "8823 SJ"), ("1012JS", "1012 JS"), ("B-1000", "B-1000")]
)
def test_dutch_postcodes_are_written_with_a_space(raw, written):
    assert kvk.dutch_postcode(raw) == written


def test_sbi_edition_follows_the_register_conversion():
    assert kvk.sbi_version("10110", date(2025, 9, 4)) == "2008"
    assert kvk.sbi_version("10110", date(2025, 9, 5)) == "2025"
    assert kvk.sbi_version("4690", date(2026, 1, 1)) == "2008"  # SBI 2025 codes have five digits
    profile = kvk.parse_basisprofiel(load("basisprofiel_68750110"), as_of=date(2024, 5, 1))
    assert [(a.code, a.version) for a in profile.activities] == [("01241", "2008")]


def test_basisprofiel():
    profile = kvk.parse_basisprofiel(load("basisprofiel_68750110"))
    assert profile.main_activity.code == "01241"
    assert profile.websites == ["www.testbvdonald.nl"]
    assert profile.postal.po_box == "200" and profile.postal.is_postal


def test_vve_address_comes_from_the_owner():
    profile = kvk.parse_basisprofiel(load("basisprofiel_90000749_vve"))
    assert profile.visiting.postcode == "3328 XD" and not profile.branch_number


def test_shielded_address_is_dropped():
    profile = kvk.parse_vestigingsprofiel(load("vestigingsprofiel_990000541921_shielded"))
    assert profile.visiting is None and profile.shielded == ["bezoekadres"]


def test_phone_dates_and_address_parts():
    profile = kvk.parse_vestigingsprofiel(load("vestigingsprofiel_with_phone"))
    assert profile.phone == "+31 20 123 4567"
    assert (profile.founding_raw, profile.founding_date) == ("00000000", None)
    assert (profile.end_raw, profile.end_date) == ("20240231", None)
    assert profile.visiting.street == "Dam 1 bis 3e etage" and profile.visiting.postcode == "1012 JS"
    assert profile.main_activity.code == "4690"  # the only one, even without the main flag


def test_error_body():
    assert kvk.parse_error(load("fout_ipd0005"))[0] == "IPD0005"
    assert kvk.parse_error({"fout": []}) == ("", "")
    assert kvk.parse_error(["x"]) == ("", "")


@pytest.mark.parametrize("number", ["0201234567", "+31201234567", "020-123 45 67"])
def test_phone_normalised(number):
    assert kvk.normalise_phone(number) == "+31 20 123 4567"


def test_phone_rubbish():
    assert kvk.normalise_phone("12") == "" and kvk.normalise_phone("call me") == ""
