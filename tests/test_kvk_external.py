"""The same client against KvK's public test environment (needs internet).

Marked ``external``: ``make test`` leaves it out; run it with
``python -m pytest tests/test_kvk_external.py -m external``.
"""

import pytest
import requests
from test_kvk_client import kvk

pytestmark = pytest.mark.external

TEST_URL = "https://api.kvk.nl/test/api"
PUBLIC_TEST_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"


@pytest.fixture
def client():
    with requests.Session() as session:
        yield kvk.KvkClient(TEST_URL, PUBLIC_TEST_KEY, timeout=15, session=session)


def test_search_and_profile(client):
    page = kvk.parse_search(client.search(kvkNummer="68750110").data)
    assert any(hit.branch_number == "000037178598" for hit in page.hits)
    profile = kvk.parse_basisprofiel(client.basisprofiel("68750110").data)
    assert profile.rsin == "857587973" and profile.branch_number == "000037178598"


def test_vestigingsprofiel_and_errors(client):
    profile = kvk.parse_vestigingsprofiel(client.vestigingsprofiel("000038509504").data)
    assert profile.kvk_number == "69599084"
    with pytest.raises(kvk.KvkError) as caught:
        client.basisprofiel("12345678")
    assert caught.value.code == "IPD0005"
