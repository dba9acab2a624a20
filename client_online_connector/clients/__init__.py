"""Plain-Python client, parsers and folder handling of the ClientOnline portal; nothing here imports Odoo."""

from .folder import FolderError, Known, ScanResult, Seen, check_folder, document_hash, move_into, safe_name, scan
from .pdf import PdfError, check_pdf, number_from_name
from .portal import ClientOnlineClient, DocumentStatus, PortalClient, PortalError, UploadResult
from .xbrl import Declaration, XbrlError, identifiers_match, normalise_identifier, parse_declaration
