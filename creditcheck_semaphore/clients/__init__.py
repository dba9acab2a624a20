from .creditcheck_client import CreditcheckClient, shipped_wsdl
from .creditcheck_parser import (
    CreditcheckError,
    ParseReport,
    StatusLine,
    iter_answer_lines,
    iter_document_lines,
    iter_payload_lines,
    parse_line,
)
