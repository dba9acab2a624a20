"""Plain-Python client and parsers of the KvK APIs; nothing here imports Odoo."""

from .kvk_client import MESSAGES, PAID_PRODUCTS, PRODUCTS, KvkAnswer, KvkClient, KvkError, tls_error
from .kvk_dataservice import WSA_TO, KvkDataserviceClient, parse_inschrijving
from .kvk_bulk import (
    BadRow,
    BulkFileError,
    BulkRow,
    ColumnMapping,
    MatchBatch,
    SelectionResult,
    iter_matches,
    run_test_selection,
)
from .kvk_criteria import (
    APPLIED_BY_KVK,
    EMPLOYEE_CLASSES,
    FILTERED_LOCALLY,
    LEGAL_FORMS,
    Candidate,
    Criteria,
    CriteriaError,
    Decision,
    Municipalities,
)
from .kvk_mutaties import (
    KvkMutatieClient,
    ProfileCall,
    SignalPage,
    SignalRecord,
    Subscription,
    SubscriptionList,
    parse_signal_detail,
    parse_signal_page,
)
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
