"""Plain-Python client and parsers of the KvK APIs; nothing here imports Odoo."""

from .kvk_client import MESSAGES, PAID_PRODUCTS, PRODUCTS, KvkAnswer, KvkClient, KvkError, tls_error
from .kvk_dataservice import WSA_TO, KvkDataserviceClient, parse_inschrijving
from .kvk_parser import (
    Activity,
    Address,
    Profile,
    SearchHit,
    SearchPage,
    country_code,
    dutch_postcode,
    kvk_date,
    normalise_phone,
    parse_basisprofiel,
    parse_error,
    parse_search,
    parse_vestigingsprofiel,
    sbi_version,
    split_postcode_place,
)
