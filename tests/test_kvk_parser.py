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
        ("2017-03-24", ("", None)),
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
    assert (hit.address.street, hit.address.city, hit.address.country) == (
        "Rue de la Loi 16",
        "1000 Bruxelles",
        "België",
    )


def test_basisprofiel():
    profile = kvk.parse_basisprofiel(load("basisprofiel_68750110"))
    assert profile.main_activity.code == "01241"
    assert profile.websites == ["www.testbvdonald.nl"]
    assert profile.postal.po_box == "200" and profile.postal.is_postal


def test_vve_address_comes_from_the_owner():
    profile = kvk.parse_basisprofiel(load("basisprofiel_90000749_vve"))
    assert profile.visiting.postcode == "3328XD" and not profile.branch_number


def test_shielded_address_is_dropped():
    profile = kvk.parse_vestigingsprofiel(load("vestigingsprofiel_990000541921_shielded"))
    assert profile.visiting is None and profile.shielded == ["bezoekadres"]


def test_phone_dates_and_address_parts():
    profile = kvk.parse_vestigingsprofiel(load("vestigingsprofiel_with_phone"))
    assert profile.phone == "+31 20 123 4567"
    assert (profile.founding_raw, profile.founding_date) == ("00000000", None)
    assert (profile.end_raw, profile.end_date) == ("20240231", None)
    assert profile.visiting.street == "Dam 1 bis 3e etage" and profile.visiting.postcode == "1012JS"
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
