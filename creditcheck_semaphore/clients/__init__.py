from .creditcheck_client import CreditcheckClient
from .creditcheck_parser import (
    CreditcheckError,
    ParseReport,
    StatusLine,
    iter_document_lines,
    iter_payload_lines,
    parse_line,
)
