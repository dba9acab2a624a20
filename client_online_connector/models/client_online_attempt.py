import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..clients import PortalError, portal

OPERATIONS = [
    ("login", "Log in"),
    ("upload", "Upload"),
    ("status", "Status"),
    ("lookup", "Client lookup"),
]
OUTCOMES = [("ok", "Answered"), ("no_result", "No result"), ("refused", "Refused"), ("error", "Error")]
# The portal's answers to an upload, as a person reads them.
UPLOAD_RESULTS = {
    portal.PLACED: "placed",
    portal.DUPLICATE: "duplicate",
    portal.CLIENT_UNKNOWN: "client_unknown",
    portal.IDENTIFIER_MISMATCH: "identifier_mismatch",
    portal.INVALID: "invalid",
}


def refuse(env, operation):
    """Entries are never changed or deleted through the ORM, by anyone (sudo included)."""
    if operation == "write":
        raise UserError(env._("The record of portal calls cannot be changed."))
    raise UserError(env._("The record of portal calls cannot be deleted."))


class ClientOnlineAttempt(models.Model):
    """One call to the portal: when, what was asked, how it went and how long it took.

    Written by the service seam only (sudo); nobody changes or deletes entries
    through the ORM.  What was asked and what came back are kept as data (the
    parameters, the portal's answer code) and read in words in the reader's language.
    """

    _name = "client.online.attempt"
    _description = "ClientOnline Portal Call"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    document_id = fields.Many2one(
        "client.online.document", string="Document", readonly=True, index=True, ondelete="cascade", check_company=True
    )
    user_id = fields.Many2one("res.users", string="User", readonly=True, default=lambda self: self.env.uid)
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True, index=True)
    params = fields.Text(string="Parameters (JSON)", readonly=True, help="What was asked, as sent.")
    request_text = fields.Char(string="What Was Asked", compute="_compute_texts")
    answer_text = fields.Char(string="Answer", compute="_compute_texts")
    result_code = fields.Char(string="Portal's Answer Code", readonly=True)
    portal_ref = fields.Char(string="Portal Document ID", readonly=True)
    error_code = fields.Char(readonly=True)
    message = fields.Char(string="Portal's Message", readonly=True)
    detail = fields.Text(string="Portal's Text", readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    duration_ms = fields.Float(string="Duration (ms)", digits=(12, 1), readonly=True)
    document_count = fields.Integer(string="Documents Asked", readonly=True)
    answer_count = fields.Integer(string="Answered", readonly=True)

    @api.depends(
        "operation", "outcome", "params", "result_code", "portal_ref", "error_code", "message", "http_status",
        "document_count", "answer_count",
    )  # fmt: skip
    @api.depends_context("lang")
    def _compute_texts(self):
        for call in self:
            try:
                params = json.loads(call.params or "{}")
            except ValueError:
                params = {}
            call.request_text = call._request_in_words(params if isinstance(params, dict) else {})
            call.answer_text = call._answer_in_words()

    def _request_in_words(self, params):
        _ = self.env._
        if self.operation == "login":
            return _("Log in as %(user)s", user=params["user"]) if params.get("user") else _("Log in")
        if self.operation == "upload":
            if params.get("hidden_id"):
                client = _("the client with hidden ID %(number)s", number=params["hidden_id"])
            elif params.get("kvk_number"):
                client = _("the client with KvK number %(number)s", number=params["kvk_number"])
            else:
                client = _("a client")
            types = dict(self.env["res.company"]._fields["client_online_pdf_document_type"]._description_selection(
                self.env))  # fmt: skip
            document_type = types.get(params.get("document_type"), params.get("document_type") or "")
            return _(
                "Upload %(file)s (%(kind)s, %(type)s) for %(client)s",
                file=params.get("file") or self.document_id.name or "",
                kind=params.get("kind") or "",
                type=document_type,
                client=client,
            )
        if self.operation == "status":
            documents = params.get("documents") or []
            if self.document_count == 1 and documents:
                return _("State of document %(ref)s", ref=documents[0])
            return _("State of %(count)s documents", count=self.document_count)
        if self.operation == "lookup":
            if params.get("kvk_number"):
                return _("Client with KvK number %(number)s", number=params["kvk_number"])
            if params.get("hidden_id"):
                return _("Client with hidden ID %(number)s", number=params["hidden_id"])
            return _("Clients named %(name)s", name=params.get("name") or "")
        return ""

    def _answer_in_words(self):
        _ = self.env._
        if self.outcome == "error":
            error = PortalError(self.error_code or "", self.message or "", status=self.http_status or None)
            return self.env["client.online.service"]._error_message(error)
        if self.operation == "login":
            return _("Logged in")
        if self.operation == "upload":
            kind = UPLOAD_RESULTS.get(self.result_code)
            texts = {
                "placed": _("Placed as %(ref)s, for the client's approval", ref=self.portal_ref or ""),
                "duplicate": _("Already in the portal as %(ref)s", ref=self.portal_ref or ""),
                "client_unknown": _("The portal knows no such client"),
                "identifier_mismatch": _("Refused: the number in the declaration is not the client's"),
                "invalid": _("Refused by the portal"),
            }
            text = texts.get(kind) or _("Answered %(code)s", code=self.result_code or "")
            return f"{text}: {self.message}" if self.message and kind != "placed" else text
        if self.operation == "status":
            return _("%(answered)s of %(count)s answered", answered=self.answer_count, count=self.document_count)
        if self.operation == "lookup":
            if self.outcome == "no_result":
                return _("The portal knows no such client")
            return _("Found: %(clients)s", clients=self.message or str(self.answer_count))
        return self.message or ""

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Portal calls are recorded by the portal connection only."))
        return super().create(vals_list)

    def write(self, vals):
        refuse(self.env, "write")
        return super().write(vals)

    def unlink(self):
        refuse(self.env, "unlink")
        return super().unlink()
