import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval, time

from ..clients import XbrlError, parse_declaration
from ..models.client_online_document import XBRL_EXTENSIONS
from ..models.res_company import PORTAL_DOCUMENT_TYPES

UNSAFE_NAME = re.compile(r"[^\w.,()+ -]+", re.UNICODE)


class ClientOnlineSendWizard(models.TransientModel):
    """Send for approval: an attachment or a PDF report of a record, for the client of that record.

    Everything here is browser input: the record, the attachment and the client are
    read again with the user's rights when sending, and the document is built on
    the server from them.
    """

    _name = "client.online.send.wizard"
    _description = "Send for Approval"

    res_model = fields.Char(string="Source Model", required=True, readonly=True)
    res_id = fields.Integer(string="Source Record ID", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", required=True, domain=[("parent_id", "=", False)])
    source = fields.Selection(
        [("attachment", "An attachment"), ("report", "A PDF report")], required=True, default="attachment"
    )
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="File",
        domain="[('res_model', '=', res_model), ('res_id', '=', res_id), ('res_field', '=', False), '|', "
        "('mimetype', 'in', ('application/pdf', 'application/xml', 'text/xml')), ('name', '=ilike', '%.xbrl')]",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Report",
        domain="[('model', '=', res_model), ('report_type', '=', 'qweb-pdf')]",
    )
    document_type = fields.Selection(PORTAL_DOCUMENT_TYPES, required=True)
    period_start = fields.Date(string="Period From")
    period_end = fields.Date(string="Period To")
    is_xbrl = fields.Boolean(string="XBRL Declaration", compute="_compute_check")
    declaration = fields.Char(compute="_compute_check")
    check_message = fields.Text(compute="_compute_check", string="Check")
    check_ok = fields.Boolean(string="Check Passed", compute="_compute_check")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        record_id = self.env.context.get("active_id")
        if not model or not record_id or model not in self.env:
            raise UserError(self.env._("Send for approval starts from a record (a contact, an invoice...)."))
        record = self.env[model].browse(record_id).exists()
        record.check_access("read")
        company = self.env.company
        values.update(
            res_model=model,
            res_id=record.id,
            partner_id=self._client_of(record).id,
            document_type=company.client_online_pdf_document_type or "Overig",
            period_start=company.client_online_pdf_date_from,
            period_end=company.client_online_pdf_date_to,
        )
        attachments = self._attachments(record)
        if attachments:
            values["attachment_id"] = attachments[0].id
        else:
            report = self.env["ir.actions.report"].search(
                [("model", "=", model), ("report_type", "=", "qweb-pdf")], limit=1
            )
            if report:
                values.update(source="report", report_id=report.id)
        return values

    @api.model
    def _client_of(self, record):
        """The client a record is about: the commercial entity of the contact, or of the record's partner."""
        if record._name == "res.partner":
            return record.commercial_partner_id
        for field in ("commercial_partner_id", "partner_id"):
            if field in record._fields and record._fields[field].comodel_name == "res.partner" and record[field]:
                return record[field].commercial_partner_id
        return self.env["res.partner"]

    @api.model
    def _attachments(self, record):
        return self.env["ir.attachment"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id), ("res_field", "=", False), "|",
             ("mimetype", "in", ("application/pdf", "application/xml", "text/xml")), ("name", "=ilike", "%.xbrl")],
            order="id desc",
        )  # fmt: skip

    # -- what will be sent ---------------------------------------------------------------------------

    def _record(self):
        self.ensure_one()
        if self.res_model not in self.env:
            raise UserError(self.env._("Send for approval starts from a record (a contact, an invoice...)."))
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(self.env._("The record to send from does not exist (any more)."))
        record.check_access("read")
        return record

    def _file(self):
        """(name, content) of what is to be sent, read with the user's rights."""
        self.ensure_one()
        record = self._record()
        if self.source == "attachment":
            attachment = self.attachment_id
            if not attachment:
                raise UserError(self.env._("Pick the file to send."))
            if attachment.res_model != record._name or attachment.res_id != record.id or attachment.res_field:
                raise AccessError(self.env._("That file is not attached to %(record)s.", record=record.display_name))
            attachment.check("read")
            return attachment.name, attachment.raw or b""
        report = self.report_id
        if not report or report.model != record._name or report.report_type != "qweb-pdf":
            raise UserError(self.env._("Pick a PDF report of %(record)s.", record=record.display_name))
        if report.groups_id and not (report.groups_id & self.env.user.groups_id):
            raise AccessError(self.env._("You may not print the report %(report)s.", report=report.name))
        content, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, report_pdf_no_attachment=True)
            ._render_qweb_pdf(report.report_name, record.ids)
        )
        if kind != "pdf":
            raise UserError(self.env._("The report %(report)s did not give a PDF.", report=report.name))
        name = report.name
        if report.print_report_name:
            try:
                name = safe_eval(report.print_report_name, {"object": record, "time": time})
            except Exception:  # noqa: BLE001 - a report name that cannot be computed falls back to the report's
                name = report.name
        return f"{UNSAFE_NAME.sub('_', str(name)).strip(' ._') or 'document'}.pdf", content

    @api.depends("source", "attachment_id", "report_id", "partner_id")
    def _compute_check(self):
        Document = self.env["client.online.document"]
        for wizard in self:
            wizard.is_xbrl = wizard.declaration = wizard.check_message = False
            wizard.check_ok = bool(wizard.partner_id)
            name = wizard.attachment_id.name if wizard.source == "attachment" else ""
            if not name or not name.lower().endswith(XBRL_EXTENSIONS):
                continue
            wizard.is_xbrl = True
            try:
                content = wizard.attachment_id.raw or b""
                declaration = parse_declaration(content, max_size=wizard._max_size())
            except XbrlError as error:
                wizard.check_ok = False
                wizard.check_message = Document._xbrl_message(error)
                continue
            except AccessError:
                wizard.check_ok = False
                continue
            wizard.declaration = Document._client_online_describe(declaration)
            message = Document._client_online_mismatch(
                wizard.partner_id, declaration.identifier_kind, declaration.identifier
            )
            wizard.check_ok = not message and bool(wizard.partner_id)
            wizard.check_message = message or self.env._(
                "The declaration's %(kind)s is the client's.",
                kind=Document._client_online_kind_label(declaration.identifier_kind),
            )

    def _max_size(self):
        return (self.env.company.client_online_max_file_mb or 25) * 1024 * 1024

    # -- sending -----------------------------------------------------------------------------------

    def action_send(self):
        self.ensure_one()
        if not self.env.user.has_group("client_online_connector.group_client_online_user"):
            raise AccessError(self.env._("Only ClientOnline users may send documents for approval."))
        partner = self.partner_id.exists()
        if not partner:
            raise UserError(self.env._("Pick the client."))
        partner.check_access("read")
        company = self.env.company
        if partner.company_id and partner.company_id != company:
            raise UserError(
                self.env._("The client %(client)s belongs to another company.", client=partner.display_name)
            )
        name, content = self._file()
        if not content:
            raise UserError(self.env._("The file %(name)s is empty.", name=name))
        if len(content) > self._max_size():
            raise UserError(
                self.env._(
                    "The file %(name)s is larger than the limit of %(limit)s MB.",
                    name=name,
                    limit=company.client_online_max_file_mb,
                )
            )
        Document = self.env["client.online.document"]
        if name.lower().endswith(XBRL_EXTENSIONS):
            try:
                declaration = parse_declaration(content, max_size=self._max_size())
            except XbrlError as error:
                raise UserError(Document._xbrl_message(error)) from None
            message = Document._client_online_mismatch(partner, declaration.identifier_kind, declaration.identifier)
            if message:
                raise UserError(message)
        values = {
            "partner_id": partner.commercial_partner_id.id,
            "res_model": self.res_model,
            "res_id": self.res_id,
            "user_id": self.env.uid,
            "document_type": self.document_type,
            "period_start": self.period_start,
            "period_end": self.period_end,
        }
        document = Document._client_online_create(company, name, content, "odoo", values)
        if document.state == "permanently_failed":  # a PDF the portal cannot take
            raise UserError(document.last_error)
        record = self._record()
        if hasattr(record, "message_post") and record.has_access("write"):
            record.message_post(
                body=self.env._("Sent for approval through ClientOnline: %(name)s", name=name),
                subtype_xmlid="mail.mt_note",
            )
        document._client_online_trigger()
        return {
            "type": "ir.actions.act_window",
            "res_model": document._name,
            "res_id": document.id,
            "view_mode": "form",
            "target": "current",
        }
