import hashlib
import logging
import os
import re
import zlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.modules import module as odoo_module
from odoo.tools import format_date

from ..clients import (
    FolderError,
    PdfError,
    PortalError,
    XbrlError,
    check_pdf,
    document_hash,
    identifiers_match,
    number_from_name,
    parse_declaration,
    portal,
)
from ..clients import folder as folder_tools
from ..clients.xbrl import normalise_identifier
from .res_company import PORTAL_DOCUMENT_TYPES

_logger = logging.getLogger(__name__)

STATES = [
    ("queued", "Queued"),
    ("sent", "Awaiting approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("not_found", "Client not found"),
    ("failed", "Failed (will retry)"),
    ("permanently_failed", "Permanently failed"),
]
FINAL_STATES = ("approved", "rejected", "not_found", "permanently_failed")
# new state: the states it may be reached from
TRANSITIONS = {
    "queued": ("not_found", "permanently_failed", "failed"),
    "sent": ("queued", "failed"),
    "approved": ("sent", "failed"),
    "rejected": ("sent", "approved", "failed"),
    "not_found": ("queued", "failed"),
    "failed": ("queued", "failed", "sent", "approved"),
    "permanently_failed": ("queued", "failed", "sent", "approved"),
}
# States whose documents the scheduled job works on by itself.
RETRY_STATES = ("queued", "failed")
# The folder a document's file belongs in, per state.
STATE_FOLDERS = {
    "approved": "approved",
    "rejected": "rejected",
    "not_found": "not_found",
    "permanently_failed": "failed",
}
FOLDERS = [
    ("inbox", "To portal"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("not_found", "Client not found"),
    ("failed", "Failed"),
]
DECLARATION_TYPES = [
    ("ob", "VAT return (OB)"),
    ("ob_suppletie", "VAT supplementary return"),
    ("icp", "EU sales listing (ICP)"),
    ("ihz", "Income tax return (IB)"),
    ("ihz_via", "Income tax pre-filled data (VIA)"),
    ("vpb", "Corporate income tax return (VPB)"),
    ("lh", "Payroll tax return (LH)"),
    ("kvk", "Annual accounts (KvK)"),
    ("frc", "Credit report (bank)"),
]
IDENTIFIER_KINDS = [
    ("ob", "OB number"),
    ("lh", "Loonheffingennummer"),
    ("bsn", "BSN"),
    ("rsin", "RSIN"),
    ("kvk", "KvK number"),
]
XBRL_EXTENSIONS = (".xbrl", ".xml")
PDF_EXTENSIONS = (".pdf",)
UPLOAD_BATCH = 50
# What a run counts (see _client_online_process).
COUNTS = ("picked", "sent", "failed", "changed", "moved")
STATUS_LIMIT = 1000
BACKOFF_MINUTES = 5
BACKOFF_CEILING_MINUTES = 6 * 60
LOCK_COMPANY = zlib.crc32(b"client_online_connector.company") & 0x7FFFFFFF
NAME_WORDS = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
COMMON_WORDS = {"aangifte", "jaarrekening", "concept", "definitief", "publicatiestukken", "xbrl", "rapport"}


class ClientOnlineDocument(models.Model):
    """A document sent to a client for approval through the ClientOnline portal.

    One record per file, as an exchange record: the file as an attachment, its
    hashes, what it declares, the client, the Odoo record it came from, the
    portal's reference and deadline, every attempt, and an explicit state.  States
    change only through :meth:`_set_state`, which checks the state it leaves.
    """

    _name = "client.online.document"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "ClientOnline Document"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="File Name", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        STATES, default="queued", required=True, readonly=True, copy=False, index=True, tracking=True
    )
    source = fields.Selection([("folder", "Folder"), ("odoo", "Odoo")], required=True, readonly=True, default="odoo")
    kind = fields.Selection([("xbrl", "XBRL"), ("pdf", "PDF")], required=True, readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True, copy=False)
    file_size = fields.Integer(string="Size (bytes)", readonly=True)
    document_hash = fields.Char(
        string="Hash (content and name)", readonly=True, required=True, index=True, copy=False,
        help="SHA-256 over the content and the file name: the same document is never sent twice.",
    )  # fmt: skip
    content_hash = fields.Char(string="Hash (content)", readonly=True, index=True, copy=False)
    content_duplicate_of_id = fields.Many2one(
        "client.online.document",
        string="Same Content As",
        readonly=True,
        copy=False,
        check_company=True,
        help="An earlier document with the same content under another name.",
    )
    document_type = fields.Selection(PORTAL_DOCUMENT_TYPES, required=True, readonly=True, tracking=True)
    declaration_type = fields.Selection(DECLARATION_TYPES, readonly=True)
    entrypoint = fields.Char(string="XBRL Entrypoint", readonly=True)
    period_start = fields.Date(string="Period From", readonly=True, tracking=True)
    period_end = fields.Date(string="Period To", readonly=True, tracking=True)
    xbrl_identifier = fields.Char(string="Identifier in the Declaration", readonly=True)
    xbrl_identifier_scheme = fields.Char(string="Identifier Scheme", readonly=True)
    identifier_kind = fields.Selection(IDENTIFIER_KINDS, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Client", index=True, tracking=True, check_company=True, readonly=True
    )
    client_number = fields.Char(
        string="Number in the File Name", readonly=True, help="The number before the _ of a PDF's name."
    )
    res_model = fields.Char(string="Source Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Source Record", model_field="res_model", readonly=True, index=True)
    source_name = fields.Char(string="Sent From", compute="_compute_source_name", compute_sudo=True)
    portal_ref = fields.Char(string="Portal Document ID", readonly=True, index=True, copy=False, tracking=True)
    portal_status = fields.Char(readonly=True, copy=False)
    deadline = fields.Date(readonly=True, copy=False, tracking=True)
    attempt_count = fields.Integer(string="Failed Attempts", readonly=True, copy=False)
    next_attempt = fields.Datetime(readonly=True, copy=False, index=True)
    last_error = fields.Text(readonly=True, copy=False)
    last_error_code = fields.Char(readonly=True, copy=False)
    attempt_ids = fields.One2many("client.online.attempt", "document_id", string="Portal Calls", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, default=lambda self: self.env.user, check_company=True
    )
    sent_date = fields.Datetime(readonly=True, copy=False)
    final_date = fields.Datetime(string="Closed On", readonly=True, copy=False)
    file_path = fields.Char(string="File on Disk", readonly=True, copy=False)
    file_folder = fields.Selection(FOLDERS, string="Folder", readonly=True, copy=False, index=True)
    file_key = fields.Char(
        string="Size and Time at Pickup",
        readonly=True,
        copy=False,
        help="Size and modification time of the file at pickup.",
    )
    file_done_state = fields.Char(
        string="Placed for State", readonly=True, copy=False, help="The state whose file was placed in its folder."
    )
    file_pending = fields.Boolean(string="File to Place", compute="_compute_file_pending", store=True, index=True)
    warning = fields.Char(readonly=True, copy=False)
    suggested_partner_ids = fields.Many2many(
        "res.partner", string="Suggested Clients", compute="_compute_suggested_partner_ids"
    )

    _sql_constraints = [
        (
            "document_hash_uniq",
            "unique(company_id, document_hash)",
            "This document (same content and file name) was already sent.",
        ),
    ]

    # -- computes ----------------------------------------------------------------------------

    @api.depends("state", "file_done_state")
    def _compute_file_pending(self):
        for document in self:
            document.file_pending = document.state in FINAL_STATES and document.file_done_state != document.state

    @api.depends("res_model", "res_id")
    def _compute_source_name(self):
        for document in self:
            record = document._source_record()
            document.source_name = record.display_name if record else False

    def _source_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists() or None

    @api.depends("state", "client_number", "xbrl_identifier", "name")
    def _compute_suggested_partner_ids(self):
        for document in self:
            if document.state != "not_found":
                document.suggested_partner_ids = False
                continue
            document.suggested_partner_ids = document._client_online_suggestions()

    def _client_online_suggestions(self, limit=8):
        """Contacts that may be the client of a document that matched none: by number, then by name."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        base = [("parent_id", "=", False), ("company_id", "in", [self.company_id.id, False])]
        found = Partner
        for number in filter(None, {self.client_number, self.xbrl_identifier}):
            digits = re.sub(r"\D", "", number)
            clauses = [("company_registry", "ilike", digits[-8:] or number)] if digits else []
            clauses.append(("client_online_hidden_id", "ilike", number))
            if self.xbrl_identifier and number == self.xbrl_identifier:
                clauses += [("vat", "ilike", number), ("client_online_ob_number", "ilike", number)]
            domain = ["|"] * (len(clauses) - 1) + clauses
            found |= Partner.search(base + domain, limit=limit)
        stem = os.path.splitext(self.name or "")[0]
        words = [w for w in NAME_WORDS.findall(stem) if w.lower() not in COMMON_WORDS]
        if words and len(found) < limit:
            domain = ["|"] * (len(words) - 1) + [("name", "ilike", word) for word in words]
            found |= Partner.search(base + domain, limit=limit - len(found))
        return found[:limit]

    # -- creation --------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Documents are created by sending them for approval or from the folder."))
        return super().create(vals_list)

    def write(self, vals):
        protected = set(vals) - {"user_id", "message_main_attachment_id", "activity_ids", "message_follower_ids"}
        if protected and not self.env.su:
            raise AccessError(
                self.env._("A document changes through its buttons only (send, refresh, retry, assign a client).")
            )
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise AccessError(self.env._("Documents sent for approval are kept; they cannot be deleted."))
        return super().unlink()

    @api.model
    def _client_online_create(self, company, name, content, source, values=None, content_hash=None):
        """A document of ``content`` (bytes) named ``name``, with its pre-flight done.

        Returns the new document (sudo).  A document whose content and name were sent
        before is refused with a UserError naming the earlier one.
        """
        content_hash = content_hash or hashlib.sha256(content).hexdigest()
        full_hash = document_hash(content_hash, name)
        Document = self.sudo().with_company(company)
        earlier = Document.search([("company_id", "=", company.id), ("document_hash", "=", full_hash)], limit=1)
        if earlier:
            raise UserError(
                self.env._(
                    "The document %(name)s (same content and file name) was already sent on %(date)s as %(ref)s.",
                    name=name,
                    date=format_date(self.env, earlier.create_date.date()),
                    ref=earlier.display_name,
                )
            )
        kind = "xbrl" if name.lower().endswith(XBRL_EXTENSIONS) else "pdf"
        vals = {
            "name": name,
            "company_id": company.id,
            "source": source,
            "kind": kind,
            "file_size": len(content),
            "document_hash": full_hash,
            "content_hash": content_hash,
            "document_type": company.client_online_pdf_document_type or "Overig",
            "period_start": company.client_online_pdf_date_from if kind == "pdf" else False,
            "period_end": company.client_online_pdf_date_to if kind == "pdf" else False,
            **(values or {}),
        }
        same = Document.search(
            [("company_id", "=", company.id), ("content_hash", "=", content_hash), ("name", "!=", name)], limit=1
        )
        if same:
            vals["content_duplicate_of_id"] = same.id
            vals["warning"] = self.env._("Same content as %(earlier)s, under another name.", earlier=same.name)
        document = Document.create(vals)
        document.attachment_id = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": document.id,
                    "company_id": company.id,
                    "mimetype": "application/xml" if kind == "xbrl" else "application/pdf",
                }
            )
        )
        if same:
            document._client_online_post(
                self.env._(
                    "The same content was sent before as %(earlier)s under another name; this one is sent as a "
                    "new document. Check that this is intended.",
                    earlier=same.name,
                )
            )
        document._client_online_preflight(content)
        return document

    @api.model
    def _client_online_create_refused(self, company, name, size, reason, values):
        """A document for a file refused unread (larger than the limit): no attachment, permanently failed."""
        marker = hashlib.sha256(f"refused\0{name}\0{values.get('file_key')}".encode()).hexdigest()
        document = (
            self.sudo()
            .with_company(company)
            .create(
                {
                    "name": name,
                    "company_id": company.id,
                    "source": "folder",
                    "kind": "xbrl" if name.lower().endswith(XBRL_EXTENSIONS) else "pdf",
                    "file_size": size,
                    "document_hash": marker,
                    "document_type": company.client_online_pdf_document_type or "Overig",
                    **values,
                }
            )
        )
        document._client_online_refuse("too_large", reason)
        return document

    # -- pre-flight: what the file says, which client, cross-check ---------------------------------------

    def _client_online_preflight(self, content=None):
        """Read the file, find (or check) the client and cross-check the XBRL identifier.

        Leaves the document queued when it may be sent, ``not_found`` when no client
        matches, ``permanently_failed`` with the reason when it may not be sent.
        Returns the reason it may not be sent, or "".
        """
        self.ensure_one()
        document = self.sudo()
        content = document.attachment_id.raw if content is None else content
        max_size = (document.company_id.client_online_max_file_mb or 25) * 1024 * 1024
        if len(content) > max_size:
            size = format(len(content), ",")
            limit = document.company_id.client_online_max_file_mb
            return document._client_online_refuse(
                "too_large",
                self.env._("The file is %(size)s bytes, more than the limit of %(limit)s MB.", size=size, limit=limit),
            )
        if document.kind == "xbrl":
            try:
                declaration = parse_declaration(content, max_size=max_size)
            except XbrlError as error:
                return document._client_online_refuse(error.code, document._xbrl_message(error))
            document.write(
                {
                    "declaration_type": declaration.kind,
                    "entrypoint": declaration.entrypoint,
                    "period_start": declaration.period_start,
                    "period_end": declaration.period_end,
                    "xbrl_identifier": declaration.identifier,
                    "xbrl_identifier_scheme": declaration.scheme,
                    "identifier_kind": declaration.identifier_kind,
                    "document_type": document._xbrl_document_type(declaration),
                }
            )
            if not document.partner_id:
                document._match_xbrl_client(declaration)
        else:
            try:
                check_pdf(content)
            except PdfError as error:
                return document._client_online_refuse(error.code, document._pdf_message(error))
            if not document.partner_id:
                document._match_pdf_client()
        if not document.partner_id:
            return ""
        problem = document._client_online_cross_check()
        if problem:
            return document._client_online_refuse("identifier_mismatch", problem)
        if not document._client_reference():
            return document._client_online_not_found(
                self.env._(
                    "The client %(client)s has neither a KvK number nor a hidden ID, so the portal cannot tell who it "
                    "is. Add one to the contact and retry.",
                    client=document.partner_id.display_name,
                )
            )
        if document.state != "queued":
            document._set_state("queued")
        return ""

    def _xbrl_document_type(self, declaration):
        if declaration.kind == "kvk":
            return "Publicatiestukken" if declaration.publication else "DefinitieveJaarrekening"
        if declaration.kind == "frc":
            return "Overig"
        return "Belastingaangifte"

    def _xbrl_message(self, error):
        _ = self.env._
        messages = {
            "too_large": _("The XBRL file is larger than the limit; it was not read."),
            "empty": _("The XBRL file is empty."),
            "doctype": _("The XBRL file contains a DOCTYPE or entity declarations, which an XBRL instance never "
                         "has; it was not read."),
            "malformed": _("The XBRL file is not well-formed XML (cut short or damaged)."),
            "not_xbrl": _("The file is XML but not an XBRL instance."),
            "no_entrypoint": _("The XBRL instance names no entrypoint (schemaRef), so its declaration type is "
                               "unknown."),
            "several_entrypoints": _("The XBRL instance names several entrypoints."),
            "unknown_entrypoint": _("The XBRL instance is not a declaration the portal takes (OB, ICP, IB, VPB, LH, "
                                    "KvK annual accounts)."),
            "no_context": _("The XBRL instance has no context, so its period and reporter are unknown."),
            "no_identifier": _("The XBRL instance does not identify its reporter."),
            "several_entities": _("The XBRL instance reports for several entities."),
            "bad_period": _("The XBRL instance has a period that cannot be read."),
            "scheme_mismatch": _("The XBRL instance identifies its reporter with a scheme that does not fit its "
                                 "declaration type."),
        }  # fmt: skip
        return f"{messages.get(error.code, error.message)} ({error.message})"

    def _pdf_message(self, error):
        _ = self.env._
        messages = {
            "empty": _("The PDF file is empty."),
            "not_pdf": _("The file is not a PDF."),
            "truncated": _("The PDF file is cut short (it does not end the way a PDF ends)."),
            "encrypted": _("The PDF is protected (encrypted); the portal cannot merge protected PDFs. Remove the "
                           "protection and send it again."),
        }  # fmt: skip
        return messages.get(error.code, error.message)

    def _client_online_partner_candidates(self):
        company = self.company_id
        return [("parent_id", "=", False), ("company_id", "in", [company.id, False])]

    def _match_pdf_client(self):
        number = number_from_name(self.name)
        self.client_number = number
        company = self.company_id
        if not number:
            return self._client_online_not_found(
                self.env._(
                    "The file name %(name)s does not start with a client number and an underscore "
                    "(123456_name.pdf).",
                    name=self.name,
                )
            )
        Partner = self.env["res.partner"].sudo()
        base = self._client_online_partner_candidates()
        found = Partner
        if company.client_online_match_hidden_id:
            found |= Partner.search(base + [("client_online_hidden_id", "=", number)])
        if company.client_online_match_kvk:
            found |= Partner.search(base + [("company_registry", "=", number)])
        if len(found) == 1:
            self.partner_id = found
            return ""
        if not found:
            by = []
            if company.client_online_match_kvk:
                by.append(self.env._("KvK number"))
            if company.client_online_match_hidden_id:
                by.append(self.env._("hidden ID"))
            return self._client_online_not_found(
                self.env._(
                    "No contact has %(number)s as %(by)s.",
                    number=number,
                    by=self.env._(" or ").join(by) or self.env._("number (no matching is switched on)"),
                )
            )
        return self._client_online_not_found(
            self.env._(
                "Several contacts have the number %(number)s: %(names)s.",
                number=number,
                names=", ".join(found.mapped("display_name")),
            )
        )

    def _match_xbrl_client(self, declaration):
        """The client of a declaration from the folder: by the number before the _ of its name when
        there is one (then cross-checked), else by the identifier in the declaration."""
        number = number_from_name(self.name)
        if number:
            self.client_number = number
            return self._match_pdf_client()
        Partner = self.env["res.partner"].sudo()
        found = Partner.search(
            self._client_online_partner_candidates()
            + Partner._client_online_identifier_domain(declaration.identifier_kind, declaration.identifier)
        )
        if len(found) == 1:
            self.partner_id = found
            return ""
        label = self._client_online_kind_label(declaration.identifier_kind)
        if not found:
            return self._client_online_not_found(
                self.env._(
                    "No contact has the %(kind)s %(number)s of this declaration.",
                    kind=label,
                    number=declaration.identifier,
                )
            )
        return self._client_online_not_found(
            self.env._(
                "Several contacts have the %(kind)s %(number)s: %(names)s.",
                kind=label,
                number=declaration.identifier,
                names=", ".join(found.mapped("display_name")),
            )
        )

    def _client_online_cross_check(self):
        """The message naming both numbers when the declaration's identifier is not the client's; else ""."""
        self.ensure_one()
        if self.kind != "xbrl" or not self.identifier_kind or not self.partner_id:
            return ""
        return self._client_online_mismatch(self.partner_id, self.identifier_kind, self.xbrl_identifier)

    @api.model
    def _client_online_kind_label(self, kind):
        return dict(self._fields["identifier_kind"]._description_selection(self.env)).get(kind, kind)

    @api.model
    def _client_online_describe(self, declaration):
        """A declaration in one line: type, period (dates as the reader writes them) and reporter."""
        kind = dict(self._fields["declaration_type"]._description_selection(self.env)).get(declaration.kind)
        start, end = (format_date(self.env, day) if day else "" for day in (declaration.period_start,
                                                                               declaration.period_end))  # fmt: skip
        period = f" {start} - {end}" if start and end else f" {end}" if end else ""
        label = self._client_online_kind_label(declaration.identifier_kind)
        return f"{kind}{period}, {label} {declaration.identifier}"

    @api.model
    def _client_online_mismatch(self, partner, kind, declared):
        """The message naming both numbers when ``declared`` is not ``partner``'s number of ``kind``; else ""."""
        client = partner.commercial_partner_id
        if not client:
            return ""
        known = client._client_online_identifier(kind)
        label = self._client_online_kind_label(kind)
        if not known:
            return self.env._(
                "The declaration is for %(kind)s %(declared)s, but the client %(client)s has no %(kind)s in Odoo to "
                "check it against. Add it to the contact, then retry. Nothing was sent.",
                kind=label,
                declared=declared,
                client=client.display_name,
            )
        if not identifiers_match(kind, declared, known):
            return self.env._(
                "The declaration is for %(kind)s %(declared)s, but the client %(client)s has %(kind)s %(known)s. "
                "Nothing was sent: correct the declaration or the contact.",
                kind=label,
                declared=declared,
                client=client.display_name,
                known=known,
            )
        return ""

    def _client_reference(self):
        """{"hidden_id": ...} or {"kvk_number": ...}: how the portal is told who the client is."""
        client = self.partner_id.commercial_partner_id
        if client.client_online_hidden_id:
            return {"hidden_id": client.client_online_hidden_id.strip()}
        kvk = normalise_identifier("kvk", client.company_registry or "")
        return {"kvk_number": kvk} if kvk else {}

    def _client_online_upload_values(self):
        self.ensure_one()
        return {
            "file_name": self.name,
            "content": self.sudo().attachment_id.raw,
            "kind": "XBRL" if self.kind == "xbrl" else "PDF",
            "document_type": self.document_type,
            "document_hash": self.document_hash,
            "period_start": self.period_start or None,
            "period_end": self.period_end or None,
            **self._client_reference(),
        }

    # -- state machine ---------------------------------------------------------------------------------

    def _set_state(self, state, **values):
        """Move to ``state`` (checking the state it leaves) and write ``values``, as superuser."""
        for document in self:
            if document.state != state and document.state not in TRANSITIONS[state]:
                raise UserError(
                    self.env._(
                        "A document cannot go from %(old)s to %(new)s.",
                        old=dict(STATES)[document.state],
                        new=dict(STATES)[state],
                    )
                )
        vals = dict(values, state=state)
        if state in FINAL_STATES:
            vals.setdefault("final_date", fields.Datetime.now())
            vals.setdefault("next_attempt", False)
        elif state in ("queued", "sent"):
            vals.setdefault("final_date", False)
        self.sudo().write(vals)
        return True

    def _client_online_refuse(self, code, message):
        """The document may not be sent: permanently failed with the reason (and an activity)."""
        self._client_online_post_error(code, message)
        self._set_state("permanently_failed")
        self._client_online_activity(self.env._("Document refused: %(name)s", name=self.name), message)
        return message

    def _client_online_not_found(self, message):
        self._client_online_post_error("not_found", message)
        self._set_state("not_found")
        self._client_online_activity(self.env._("No client found for %(name)s", name=self.name), message)
        return message

    # -- notes and activities, in the responsible's language -----------------------------------------

    def _client_online_responsible(self):
        self.ensure_one()
        client = self.partner_id.commercial_partner_id
        return self.user_id or client.user_id or self.company_id.client_online_responsible_id

    def _client_online_lang(self):
        user = self._client_online_responsible()
        return (user.lang if user else None) or self.env.lang or "en_US"

    def _client_online_post(self, body):
        document = self.sudo().with_context(lang=self._client_online_lang())
        document.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def _client_online_post_error(self, code, message):
        """Record an error and post it, once: not again while the same error repeats."""
        repeated = self.last_error_code == code
        self.sudo().write({"last_error": message, "last_error_code": code})
        if not repeated:
            self._client_online_post(message)

    def _client_online_activity(self, summary, note):
        """A to-do for the responsible accountant (when notifications are on), once per summary."""
        self.ensure_one()
        user = self._client_online_responsible()
        if not self.company_id.client_online_notify or not user:
            return
        document = self.sudo().with_context(lang=user.lang or "en_US")
        if document.activity_ids.filtered(lambda a: a.summary == summary and a.user_id == user):
            return
        document.activity_schedule("mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id)

    # -- the portal: upload, status, results -----------------------------------------------------------------

    def _client_online_apply_upload(self, result):
        """Apply the portal's answer to the upload of this document; the new state."""
        self.ensure_one()
        _ = self.env._
        values = {"portal_ref": result.document_id or False, "deadline": result.deadline or False}
        if result.result == portal.PLACED:
            self._set_state("sent", sent_date=fields.Datetime.now(), portal_status=portal.AWAITING, **values)
            self._client_online_post(
                _("Sent to the portal for the client's approval (document %(ref)s).", ref=result.document_id)
                + (_(" Deadline: %(date)s.", date=format_date(self.env, result.deadline)) if result.deadline else "")
            )
        elif result.result == portal.DUPLICATE:
            self._set_state("sent", sent_date=fields.Datetime.now(), portal_status=portal.AWAITING, **values)
            self._client_online_post(
                _(
                    "The portal already had this document (same content and name) as %(ref)s; it counts as sent.",
                    ref=result.document_id,
                )
            )
        elif result.result == portal.CLIENT_UNKNOWN:
            reference = self._client_reference()
            self._client_online_not_found(
                _(
                    "The portal knows no client %(number)s (%(what)s of %(client)s).",
                    number=next(iter(reference.values()), ""),
                    what=_("hidden ID") if "hidden_id" in reference else _("KvK number"),
                    client=self.partner_id.display_name,
                )
                + (f" ({result.message})" if result.message else "")
            )
        elif result.result == portal.IDENTIFIER_MISMATCH:
            self._client_online_refuse(
                "identifier_mismatch",
                _(
                    "The portal refused the declaration: the number in it is not the one on the client's card in the "
                    "portal."
                )
                + (f" {result.message}" if result.message else ""),  # fmt: skip
            )
        else:
            self._client_online_refuse(
                "invalid",
                _("The portal refused the document.") + (f" {result.message}" if result.message else ""),
            )
        return self.state

    def _client_online_upload_failed(self, error):
        service = self.env["client.online.service"]
        message = service._error_message(error)
        attempts = self.attempt_count + 1
        ceiling = self.company_id.client_online_max_attempts or 10
        if not error.retryable or attempts >= ceiling:
            self.sudo().attempt_count = attempts
            reason = (
                self.env._("Gave up after %(count)s attempts: %(error)s", count=attempts, error=message)
                if error.retryable
                else message
            )
            self._client_online_refuse("gave_up" if error.retryable else error.code, reason)
            return self.state
        self._set_state("failed", attempt_count=attempts, next_attempt=self._next_attempt(attempts))
        self._client_online_post_error(error.code, self.env._("Upload failed, will retry: %(error)s", error=message))
        return self.state

    def _next_attempt(self, attempts):
        base = float(self.env.context.get("client_online_backoff_minutes", BACKOFF_MINUTES))
        minutes = min(base * (2 ** (attempts - 1)), BACKOFF_CEILING_MINUTES)
        return fields.Datetime.now() + timedelta(minutes=minutes)

    def _client_online_apply_status(self, answer):
        """Apply one :class:`DocumentStatus` of the portal."""
        self.ensure_one()
        _ = self.env._
        values = {"portal_status": answer.status}
        if answer.deadline:
            values["deadline"] = answer.deadline
        status = answer.status
        if status == self.portal_status and self.state != "failed":
            self.sudo().write(values)
            return False
        if status == portal.AWAITING:
            if self.state != "sent":
                self._set_state("sent", **values)
            else:
                self.sudo().write(values)
            return False
        if status in (portal.APPROVED, portal.FORWARDED):
            if self.state != "approved":
                self._set_state("approved", **values)
                self._client_online_post(_("Approved by the client in the portal."))
            else:
                self.sudo().write(values)
            if status == portal.FORWARDED:
                self._client_online_post(_("The portal sent the approved declaration on to the receiving party."))
            return True
        if status in (portal.REJECTED, portal.WITHDRAWN):
            reason = answer.reason or (_("Withdrawn in the portal.") if status == portal.WITHDRAWN else "")
            message = _("Rejected by the client: %(reason)s", reason=reason or _("no reason given"))
            self._set_state("rejected", last_error=message, last_error_code="rejected", **values)
            self._client_online_post(message)
            self._client_online_activity(_("Document rejected: %(name)s", name=self.name), message)
            return True
        if status == portal.SEND_FAILED:
            if answer.attempts:
                message = _(
                    "The portal could not send the approved document on (%(count)s tries so far; it keeps trying).",
                    count=answer.attempts,
                )
            else:
                message = _("The portal could not send the approved document on (it keeps trying).")
            if answer.reason:
                message = _("%(message)s Reason: %(reason)s", message=message, reason=answer.reason)
            self._set_state("failed", attempt_count=answer.attempts or self.attempt_count, **values)
            self._client_online_post_error("send_failed", message)
            return True
        if status == portal.SEND_FAILED_FINALLY:
            message = _(
                "The portal gave up sending the approved document on after %(count)s tries.",
                count=answer.attempts or 10,
            )
            if answer.reason:
                message = _("%(message)s Reason: %(reason)s", message=message, reason=answer.reason)
            self._set_state("permanently_failed", attempt_count=answer.attempts or 10, **values)
            self._client_online_post_error("send_failed_finally", message)
            self._client_online_activity(_("Sending failed for good: %(name)s", name=self.name), message)
            return True
        if status == portal.UNKNOWN:
            self.sudo().write(values)
            self._client_online_post_error("unknown", _("The portal does not know document %(ref)s (any more).",
                                                          ref=self.portal_ref))  # fmt: skip
            return False
        self.sudo().write(values)
        return False

    # -- user actions ------------------------------------------------------------------------------

    def _check_user(self):
        if not self.env.user.has_group("client_online_connector.group_client_online_user"):
            raise AccessError(self.env._("Only ClientOnline users may do this."))
        self.check_access("read")

    def action_send_now(self):
        """Send queued or failed documents now instead of at the next run (a few documents: no cron), and
        say what happened."""
        self._check_user()
        documents = self.filtered(lambda d: d.state in RETRY_STATES and not d.portal_ref)
        if not documents:
            return self._client_online_notify(
                self.env._("Nothing to send: only queued or failed documents not yet in the portal are sent."),
                "warning",
            )
        if len(documents) > UPLOAD_BATCH:  # long work goes to the scheduled job
            documents.sudo().write({"next_attempt": False})
            self._client_online_trigger()
            return self._client_online_notify(
                self.env._("%(count)s documents will be sent by the scheduled job in a moment.", count=len(documents)),
                "info",
            )
        counts, notes = {"sent": 0, "failed": 0}, []
        for company in documents.company_id:
            mine = documents.filtered(lambda d, c=company: d.company_id == c)
            done = {}
            self.with_company(company)._client_online_process(
                company, uploads=mine, scan=False, poll=False, counts=done
            )
            counts["sent"] += done.get("sent", 0)
            counts["failed"] += done.get("failed", 0)
            notes += done.get("notes", [])
        if len(documents) == 1:
            document = documents.sudo()
            if document.state == "sent":
                return self._client_online_notify(
                    self.env._(
                        "Sent: %(name)s awaits the client's approval in the portal (document %(ref)s).",
                        name=document.name,
                        ref=document.portal_ref,
                    ),  # fmt: skip
                    "success",
                )
            # what stopped the run (the connection), else what the document's try ended in
            reason = "\n".join(notes) or document.last_error or self.env._("the portal was not asked.")
            return self._client_online_notify(self.env._("Not sent: %(reason)s", reason=reason), "warning")
        kind = "success" if counts["sent"] == len(documents) else "warning"
        message = self.env._(
            "%(sent)s of %(count)s documents sent; %(failed)s not sent (see each document).",
            sent=counts["sent"],
            count=len(documents),
            failed=len(documents) - counts["sent"],
        )
        return self._client_online_notify("\n".join([message, *notes]), kind)

    def action_refresh_status(self):
        """Ask the portal for the state of these documents now, and say whether anything changed."""
        self._check_user()
        documents = self.filtered("portal_ref")
        if not documents:
            return self._client_online_notify(
                self.env._("Nothing to ask: the portal knows only documents that were sent."), "warning"
            )
        before = {document.id: document.state for document in documents.sudo()}
        for company in documents.company_id:
            mine = documents.filtered(lambda d, c=company: d.company_id == c)
            self.with_company(company)._client_online_process(company, uploads=False, scan=False, poll=mine)
        changed = documents.sudo().filtered(lambda d: d.state != before[d.id])
        states = dict(self._fields["state"]._description_selection(self.env))
        if not changed:
            if len(documents) == 1:
                message = self.env._(
                    "No change: the portal still has %(name)s as %(state)s.",
                    name=documents.name,
                    state=states[documents.sudo().state],
                )
            else:
                message = self.env._("No change for these %(count)s documents.", count=len(documents))
            return self._client_online_notify(message, "info")
        lines = [
            self.env._("%(name)s: %(old)s → %(new)s", name=d.name, old=states[before[d.id]], new=states[d.state])
            for d in changed[:10]
        ]
        return self._client_online_notify("\n".join(lines), "success")

    def action_retry(self):
        """Run the checks again and queue the document (after the contact or the file was corrected)."""
        self._check_user()
        for document in self:
            if document.state not in ("not_found", "permanently_failed", "failed") or document.portal_ref:
                raise UserError(
                    self.env._("Only documents not yet in the portal that failed or matched no client can be retried.")
                )
            document = document.with_context(lang=document._client_online_lang())
            document._set_state("queued", attempt_count=0, next_attempt=False, last_error_code=False)
            document._client_online_preflight()
            if document.state == "queued":
                document._client_online_post(self.env._("Queued again by %(user)s.", user=self.env.user.name))
        self._client_online_trigger()
        queued = self.sudo().filtered(lambda d: d.state == "queued")
        if queued == self.sudo():
            return self._client_online_notify(
                self.env._("The checks pass: queued, to be sent at the next run (or now with Send now)."), "success"
            )
        return self._client_online_notify(
            "\n".join(
                self.env._("Still not sendable: %(reason)s", reason=d.last_error or d.state)
                for d in (self.sudo() - queued)[:10]
            ),
            "warning",
        )

    def _client_online_notify(self, message, kind):
        """A notification that says what a button did, and shows the records as they are now."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "sticky": kind == "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_assign_client(self, partner_id):
        """Make ``partner_id`` the client of a document that matched none, and queue it."""
        self._check_user()
        self.ensure_one()
        partner = self.env["res.partner"].browse(int(partner_id)).exists()
        if not partner:
            raise UserError(self.env._("That contact does not exist."))
        partner.check_access("read")
        if self.state != "not_found":
            raise UserError(self.env._("Only a document that matched no client gets one assigned."))
        self._set_state("queued", partner_id=partner.commercial_partner_id.id, attempt_count=0, last_error_code=False)
        self._client_online_post(
            self.env._("Client set to %(client)s by %(user)s.", client=partner.display_name, user=self.env.user.name)
        )
        self._client_online_preflight()
        self._client_online_trigger()
        return True

    def action_open_file(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.sudo().attachment_id.id}?download=true",
            "target": "self",
        }

    @api.model
    def action_sync_now(self):
        """Run the scheduled job for the current company as soon as a worker is free."""
        if not self.env.user.has_group("client_online_connector.group_client_online_manager"):
            raise AccessError(self.env._("Only ClientOnline administrators may start a run."))
        self.env.company.sudo().client_online_next_run = False
        self._client_online_trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": self.env._("The folder and the portal will be checked in a moment."), "type": "info"},
        }

    # -- the scheduled job ----------------------------------------------------------------------------------

    @api.model
    def _client_online_cron(self):
        return self.env.ref("client_online_connector.ir_cron_client_online_connector_sync", raise_if_not_found=False)

    @api.model
    def _client_online_trigger(self, at=None):
        cron = self._client_online_cron()
        if cron:
            cron.sudo()._trigger(at)

    @api.model
    def _client_online_adjust_cron(self):
        """The job runs as often as the most frequent company wants it."""
        cron = self._client_online_cron()
        if not cron:
            return
        companies = self.env["res.company"]._client_online_companies()
        minutes = min((c.client_online_interval or 30 for c in companies), default=30)
        cron.sudo().write({"interval_number": max(minutes, 1), "interval_type": "minutes"})

    @api.model
    def _cron_sync(self):
        """Per company: pick up the folder, upload what is due, ask the portal for news, move files."""
        companies = self.env["res.company"]._client_online_companies()
        for done, company in enumerate(companies, start=1):
            try:
                # what the run notes for the Settings, in the language of who reads them
                lang = self._client_online_company_lang(company)
                self.with_company(company).with_context(lang=lang)._client_online_process(company)
            except Exception:
                if odoo_module.current_test:
                    raise
                # One company's unexpected failure does not starve the others: what it had not
                # committed is rolled back, the next company runs.
                self.env.cr.rollback()
                _logger.exception("ClientOnline run of company %s failed", company.id)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(companies) - done)

    @api.model
    def _client_online_company_lang(self, company):
        """The language of the company's ClientOnline responsible (else of the company)."""
        company = company.sudo()
        return company.client_online_responsible_id.lang or company.partner_id.lang or self.env.lang or "en_US"

    @api.model
    def _lock_key(self):
        return LOCK_COMPANY

    @api.model
    def _client_online_lock(self, company):
        """One run per company at a time: a transaction-level advisory lock on the company."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (self._lock_key(), company.id))
        return self.env.cr.fetchone()[0]

    @api.model
    def _client_online_commit(self, company):
        """Commit what is done (so that a crash later keeps it) and take the company's lock again.

        Never inside tests.  False when another run took the lock in between: it does the rest.
        """
        if odoo_module.current_test or self.env.context.get("client_online_no_commit"):
            return True
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return self._client_online_lock(company)

    @api.model
    def _client_online_process(self, company, uploads=None, scan=True, poll=True, counts=None):
        """One run for ``company``.  ``uploads``/``poll``: documents to handle now instead of those due.

        ``counts`` (a dict, optional) receives what the run did: files picked up, documents sent,
        uploads failed, states changed, files moved (``COUNTS``), and under ``notes`` what it could
        not do.  A run of the scheduled job (``scan`` and nothing given) is recorded as a job run with
        these counts; a button's run is not.
        """
        company = company.sudo()
        job = scan and uploads is None and poll is True
        started = fields.Datetime.now()
        if not self._client_online_lock(company):
            _logger.info("ClientOnline run of company %s skipped: another run is busy with it.", company.id)
            if not job:
                raise UserError(self.env._("The scheduled job is busy with this company; try again in a moment."))
            self.env["client.online.job.run"]._record(company, started, state="skipped")
            return False
        now = fields.Datetime.now()
        due = not company.client_online_next_run or company.client_online_next_run <= now
        ready = self.env["client.online.service"]._connection_ready(company)
        notes = []
        counts = counts if counts is not None else {}
        counts.update(dict.fromkeys(COUNTS, 0), notes=notes)
        FolderFile = self.env["client.online.folder.file"].sudo()
        settling = remaining = 0
        if scan and due and company.client_online_folder_inbox:
            outcome = FolderFile._client_online_scan(company)
            notes += outcome.problems
            settling = outcome.settling
            if not self._client_online_commit(company):
                return False
            before = self._client_online_last_id()
            remaining = FolderFile._client_online_pickup(company, outcome.pending)
            counts["picked"] = self.sudo().search_count([("company_id", "=", company.id), ("id", ">", before)])
            if remaining:
                self._client_online_trigger()
            if not self._client_online_commit(company):
                return False
        if uploads is not False and ready:
            notes += self._client_online_upload_due(company, uploads, counts=counts)
            if not self._client_online_commit(company):
                return False
        elif uploads is not False and self.sudo().search_count(
            [("company_id", "=", company.id), ("state", "in", RETRY_STATES), ("portal_ref", "=", False)], limit=1
        ):
            notes.append(self.env["client.online.service"]._error_message(PortalError("config", "")))
        if poll is not False and (due or poll is not True) and ready:
            notes += self._client_online_poll(company, None if poll is True else poll, counts=counts)
            if not self._client_online_commit(company):
                return False
        if scan or uploads is not None or poll is not True:
            notes += self._client_online_place_files(company, counts=counts)
        if scan and due:
            company.write(
                {
                    "client_online_last_run": now,
                    "client_online_next_run": now + timedelta(minutes=company.client_online_interval or 30),
                    "client_online_status": "\n".join(notes) or False,
                }
            )
        if job and (due or any(counts[key] for key in COUNTS)):
            self.env["client.online.job.run"]._record(company, started, counts=counts, problems=notes)
        self._client_online_schedule_next(company, settling, remaining)
        self._client_online_commit(company)
        return True

    @api.model
    def _client_online_last_id(self):
        self.flush_model()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM client_online_document")
        return self.env.cr.fetchone()[0]

    @api.model
    def _client_online_schedule_next(self, company, settling=0, remaining=0):
        """Wake the job for the earliest retry or settling file, when sooner than its interval."""
        first = self.sudo().search(
            [("company_id", "=", company.id), ("state", "=", "failed"), ("portal_ref", "=", False),
             ("next_attempt", "!=", False)],
            order="next_attempt", limit=1,
        )  # fmt: skip
        if first:
            self._client_online_trigger(first.next_attempt)
        if remaining:
            company.client_online_next_run = False  # the next batch of the folder at the next wake-up
        if settling:
            company.client_online_next_run = False  # look at the folder again at the next wake-up
            seconds = company.client_online_settle_seconds or 10
            self._client_online_trigger(fields.Datetime.now() + timedelta(seconds=seconds + 1))

    @api.model
    def _client_online_upload_due(self, company, documents=None, counts=None):
        if documents is None:
            documents = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", RETRY_STATES),
                    ("portal_ref", "=", False),
                    "|",
                    ("next_attempt", "=", False),
                    ("next_attempt", "<=", fields.Datetime.now()),
                ],
                order="id",
                limit=UPLOAD_BATCH + 1,
            )
            if len(documents) > UPLOAD_BATCH:
                documents = documents[:UPLOAD_BATCH]
                self._client_online_trigger()
        if not documents:
            return []
        service = self.env["client.online.service"]
        try:
            client = service._get_client(company)
        except PortalError as error:
            return [service._error_message(error)]
        try:
            for document in documents.sudo():
                document = document.with_context(lang=document._client_online_lang())
                if document.state not in RETRY_STATES or document.portal_ref:
                    continue
                if not document.partner_id:
                    continue
                problem = document._client_online_cross_check()  # the contact may have changed since pickup
                if problem:
                    document._client_online_refuse("identifier_mismatch", problem)
                    continue
                try:
                    result = service._upload(document, client)
                except PortalError as error:
                    if error.code in ("login", "config", "certificate"):  # the connection's: stop for this company
                        _logger.warning("ClientOnline uploads of company %s stopped: %s", company.id, error.code)
                        return [service._error_message(error)]
                    with self.env.cr.savepoint():
                        document._client_online_upload_failed(error)
                    if counts is not None:
                        counts["failed"] += 1
                    continue
                with self.env.cr.savepoint():
                    state = document._client_online_apply_upload(result)
                if counts is not None:
                    counts["sent" if state == "sent" else "failed"] += 1
        finally:
            client.close()
        return []

    @api.model
    def _client_online_poll(self, company, documents=None, counts=None):
        if documents is None:
            documents = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("portal_ref", "!=", False),
                    "|",
                    ("state", "in", ("sent", "failed")),
                    "&",
                    "&",
                    ("state", "=", "approved"),
                    ("kind", "=", "xbrl"),
                    ("portal_status", "=", portal.APPROVED),
                ],
                order="id",
                limit=STATUS_LIMIT,
            )
        documents = documents.sudo().filtered("portal_ref")
        if not documents:
            return []
        service = self.env["client.online.service"]
        try:
            client = service._get_client(company)
        except PortalError as error:
            return [service._error_message(error)]
        try:
            answers = service._fetch_status(company, documents.mapped("portal_ref"), client)
        except PortalError as error:
            return [self.env._("The portal's status could not be read: %(error)s", error=service._error_message(error))]
        finally:
            client.close()
        for document in documents:
            document = document.with_context(lang=document._client_online_lang())
            answer = answers.get(document.portal_ref)
            if answer is not None:
                with self.env.cr.savepoint():
                    changed = document._client_online_apply_status(answer)
                if changed and counts is not None:
                    counts["changed"] += 1
        return []

    # -- files in the folders ----------------------------------------------------------------------------------

    @api.model
    def _client_online_place_files(self, company, counts=None):
        """Move (or, for documents sent from Odoo, write a copy of) the file of each closed document into the
        folder of its state.  Returns what went wrong, for the settings."""
        notes = []
        documents = self.sudo().search([("company_id", "=", company.id), ("file_pending", "=", True)], order="id")
        for document in documents:
            document = document.with_context(lang=document._client_online_lang())
            target_folder = company[f"client_online_folder_{STATE_FOLDERS[document.state]}"]
            if not target_folder:
                document.file_done_state = document.state  # no folder for this outcome: the file stays
                continue
            problem = folder_tools.check_folder(target_folder)
            if problem is not None:
                notes.append(self.env["client.online.service"]._folder_message(problem))
                continue
            try:
                document._client_online_place_file(target_folder)
                if counts is not None:
                    counts["moved"] += 1
            except FolderError as error:
                document._client_online_post_error(
                    error.code, self.env._("The file could not be moved: %(error)s", error=error.message)
                )
                notes.append(f"{document.name}: {error.message}")
                if error.code in ("outside", "changed", "source_missing", "unsafe_name", "not_regular"):
                    document.file_done_state = document.state  # retrying cannot help
        return sorted(set(notes))

    def _client_online_folders(self):
        company = self.company_id.sudo()
        return {
            key: company[f"client_online_folder_{key}"]
            for key in ("inbox", "approved", "rejected", "not_found", "failed")
            if company[f"client_online_folder_{key}"]
        }

    def _client_online_place_file(self, target_folder):
        self.ensure_one()
        folder_key = STATE_FOLDERS[self.state]
        if self.file_path:
            if not any(
                folder_tools.inside(folder, self.file_path) for folder in self._client_online_folders().values()
            ):
                raise FolderError(
                    "outside", f"{self.file_path} is not in one of the configured folders; it is left where it is."
                )
            if not os.path.lexists(self.file_path):
                found = self._client_online_find_moved(target_folder)
                if not found:
                    raise FolderError("source_missing", f"{self.file_path} is not there any more.")
                key = folder_tools.stat_key(os.stat(found, follow_symlinks=False))
                self.sudo().write(
                    {"file_path": found, "file_folder": folder_key, "file_key": key, "file_done_state": self.state}
                )
                return found
            current = folder_tools.stat_key(os.stat(self.file_path, follow_symlinks=False))
            if self.file_key and current != self.file_key:
                raise FolderError(
                    "changed", f"{self.file_path} changed since it was picked up; it is left for its new version."
                )
            target = folder_tools.move_into(
                self.file_path, target_folder, self.name, self.file_size, self.content_hash, self.id
            )
        else:
            target = folder_tools.write_into(
                target_folder,
                folder_tools.safe_name(self.name),
                self.sudo().attachment_id.raw,
                self.content_hash,
                self.id,
            )
        key = folder_tools.stat_key(os.stat(target, follow_symlinks=False))
        self.sudo().write(
            {"file_path": target, "file_folder": folder_key, "file_key": key, "file_done_state": self.state}
        )
        if folder_key == "failed" and self.last_error:
            # the reason goes with the file, for whoever looks in the folder
            reason = f"{self.last_error}\n".encode()
            folder_tools.write_into(
                target_folder,
                f"{os.path.basename(target)}.error.txt",
                reason,
                hashlib.sha256(reason).hexdigest(),
                self.id,
            )
        return target

    def _client_online_find_moved(self, target_folder):
        """After a crash between moving a file and recording it: the file already in ``target_folder``."""
        for candidate in folder_tools.candidates(target_folder, self.name, self.id):
            if os.path.lexists(candidate) and folder_tools.same_content(candidate, self.file_size, self.content_hash):
                return candidate
            if not os.path.lexists(candidate):
                break
        return None
