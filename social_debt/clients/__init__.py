"""Plain-Python clients, parsers and rules of the KSZ/BCSS and RSZ services; nothing here imports Odoo."""

from .billretainment_client import BillRetainmentClient, Preparation, Retainment, parse_retainment
from .enterprise import enterprise_number, format_enterprise_number, nsso_number
from .errors import MESSAGES, SocialDebtError
from .ksz_client import FISCAL, SOCIAL, KszClient, new_ticket
from .ksz_parser import BatchAck, BatchPage, FiscalDebt, KszAnswer, SocialDebt, parse_xml
from .verdict import (
    FOD_RATE,
    RSZ_RATE,
    SOCIAL_DEBT_THRESHOLD,
    TAX_CERTIFICATE_THRESHOLD,
    VERDICTS,
    InvoiceShare,
    Split,
    Verdict,
    combine,
    fiscal_obligation,
    social_obligation,
    split_payment,
)
from .wsse import WsseSignature, load_credentials, self_signed_pem
