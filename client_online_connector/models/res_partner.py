import re

from stdnum.nl import bsn as nl_bsn
from stdnum.nl import btw as nl_btw

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..clients import PortalError
from ..clients.xbrl import normalise_identifier

OB_NUMBER = re.compile(r"\d{9}B\d{2}")
NORMALISED = {
    "client_online_ob_number": "ob",
    "client_online_lh_number": "lh",
    "client_online_rsin": "rsin",
    "client_online_bsn": "bsn",
}
LH_NUMBER = re.compile(r"\d{9}L\d{2}")


class ResPartner(models.Model):
    _inherit = "res.partner"

    client_online_hidden_id = fields.Char(
        string="ClientOnline Hidden ID",
        copy=False,
        index="btree_not_null",
        help="The client's number in the ClientOnline portal (not shown in the portal itself). PDFs whose name "
        "starts with it are matched to this contact when hidden-ID matching is on.",
    )
    client_online_ob_number = fields.Char(
        string="OB Number",
        help="Omzetbelastingnummer, as on VAT returns (e.g. 001000044B37). When empty, the VAT number is used; "
        "sole traders have an OB number that differs from their VAT ID.",
    )
    client_online_lh_number = fields.Char(string="Loonheffingennummer", help="Payroll tax number, e.g. 001000044L01.")
    client_online_rsin = fields.Char(
        string="Fiscal Number (RSIN)",
        help="Fiscal number of a legal entity (corporate income tax). When empty, the RSIN of the KvK register "
        "is used where the KvK connector keeps one.",
    )
    client_online_bsn = fields.Char(
        string="BSN",
        groups="client_online_connector.group_client_online_user",
        help="Citizen service number of a private client (income tax returns).",
    )
    client_online_document_ids = fields.One2many(
        "client.online.document", "partner_id", string="Documents for Approval"
    )
    client_online_applies = fields.Boolean(
        string="ClientOnline Applies",
        compute="_compute_client_online_applies",
        help="A client of the office: a company or a person without a parent contact that is Dutch or has no "
        "country, or one the portal or the Dutch tax office already knows by a number on the contact.",
    )
    client_online_awaiting_count = fields.Integer(compute="_compute_client_online_counts", string="Awaiting Approval")
    client_online_document_count = fields.Integer(compute="_compute_client_online_counts", string="Approvals (count)")

    # -- identifiers -------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._client_online_normalise(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._client_online_normalise(vals)
        return super().write(vals)

    @api.model
    def _client_online_normalise(self, vals):
        """Numbers stored as the portal and the declarations write them: no spaces or dots, upper case,
        an OB number without NL."""
        for field, kind in NORMALISED.items():
            if vals.get(field):
                vals[field] = normalise_identifier(kind, vals[field])

    @api.constrains("client_online_ob_number", "client_online_lh_number", "client_online_rsin")
    def _check_client_online_numbers(self):
        for partner in self:
            ob = normalise_identifier("ob", partner.client_online_ob_number or "")
            if ob and not (OB_NUMBER.fullmatch(ob) and nl_btw.is_valid("NL" + ob)):
                raise ValidationError(
                    self.env._("%(number)s is not a valid OB number (9 digits, B, 2 digits).", number=ob)
                )
            lh = normalise_identifier("lh", partner.client_online_lh_number or "")
            if lh and not (LH_NUMBER.fullmatch(lh) and nl_bsn.is_valid(lh[:9])):
                raise ValidationError(
                    self.env._("%(number)s is not a valid loonheffingennummer (9 digits, L, 2 digits).", number=lh)
                )
            rsin = normalise_identifier("rsin", partner.client_online_rsin or "")
            if rsin and not nl_bsn.is_valid(rsin):
                raise ValidationError(self.env._("%(number)s is not a valid RSIN (9 digits, 11-check).", number=rsin))

    @api.constrains("client_online_bsn")
    def _check_client_online_bsn(self):
        for partner in self.sudo():
            number = normalise_identifier("bsn", partner.client_online_bsn or "")
            if number and not nl_bsn.is_valid(number):
                raise ValidationError(self.env._("This is not a valid BSN (9 digits, 11-check)."))

    def _client_online_identifier(self, kind):
        """The number of ``kind`` (ob, lh, bsn, rsin, kvk) this contact has, as stored; "" when none."""
        self.ensure_one()
        partner = self.sudo()
        if kind == "ob":
            if partner.client_online_ob_number:
                return partner.client_online_ob_number
            vat = (partner.vat or "").replace(" ", "").upper()
            return vat if vat.startswith("NL") else ""
        if kind == "lh":
            return partner.client_online_lh_number or ""
        if kind == "bsn":
            return partner.client_online_bsn or ""
        if kind == "rsin":
            # the KvK connector, when installed, keeps the register's RSIN on the contact
            registered = partner["kvk_rsin"] if "kvk_rsin" in partner._fields else ""
            return partner.client_online_rsin or registered or ""
        if kind == "kvk":
            return partner.company_registry or ""
        return ""

    @api.model
    def _client_online_identifier_domain(self, kind, value):
        """A domain of the contacts whose number of ``kind`` is ``value`` (written in any usual way)."""
        number = normalise_identifier(kind, value)
        if not number:
            return [("id", "=", 0)]
        if kind == "ob":
            variants = [number, f"NL{number}"]
            return ["|", ("client_online_ob_number", "in", variants), "&", ("client_online_ob_number", "=", False),
                    ("vat", "in", variants)]  # fmt: skip
        field = {
            "lh": "client_online_lh_number",
            "bsn": "client_online_bsn",
            "rsin": "client_online_rsin",
            "kvk": "company_registry",
        }[kind]
        variants = sorted({number, number.lstrip("0"), value.strip()})
        return [(field, "in", variants)]

    @api.depends(
        "parent_id", "country_id", "client_online_hidden_id", "client_online_ob_number", "client_online_lh_number",
        "client_online_rsin",
    )  # fmt: skip
    def _compute_client_online_applies(self):
        for partner in self:
            known = (
                partner.client_online_hidden_id
                or partner.client_online_ob_number
                or partner.client_online_lh_number
                or partner.client_online_rsin
            )
            partner.client_online_applies = bool(
                not partner.parent_id and (not partner.country_id or partner.country_id.code == "NL" or known)
            )

    # -- approvals -----------------------------------------------------------------------------------

    @api.depends("client_online_document_ids.state")
    def _compute_client_online_counts(self):
        Document = self.env["client.online.document"]
        if not Document.has_access("read"):
            self.client_online_awaiting_count = self.client_online_document_count = 0
            return
        groups = Document._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id", "state"], ["__count"]
        )
        totals, awaiting = {}, {}
        for partner, state, count in groups:
            totals[partner.id] = totals.get(partner.id, 0) + count
            if state == "sent":
                awaiting[partner.id] = awaiting.get(partner.id, 0) + count
        for partner in self:
            key = partner.commercial_partner_id.id
            partner.client_online_document_count = totals.get(key, 0)
            partner.client_online_awaiting_count = awaiting.get(key, 0)

    def _client_online_check_user(self):
        if not self.env.user.has_group("client_online_connector.group_client_online_user"):
            raise AccessError(self.env._("Only ClientOnline users may do this."))

    def action_client_online_documents(self):
        self._client_online_check_user()
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("client_online_connector.client_online_document_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

    def action_client_online_send(self):
        """Open "Send for approval" for this contact."""
        self._client_online_check_user()
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send for approval"),
            "res_model": "client.online.send.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_id": self.id, "active_ids": self.ids},
        }

    def action_client_online_assign(self):
        """From the suggestions of a document that matched no client: make this contact its client."""
        self._client_online_check_user()
        self.ensure_one()
        document_id = self.env.context.get("client_online_document_id")
        document = self.env["client.online.document"].browse(int(document_id or 0)).exists()
        if not document:
            raise UserError(self.env._("Open the document to assign a client to it."))
        document.action_assign_client(self.id)
        return {"type": "ir.actions.act_window_close"}

    def action_client_online_lookup(self):
        """Ask the portal for this client by KvK number and take its hidden ID."""
        self._client_online_check_user()
        self.ensure_one()
        self.check_access("write")
        partner = self.commercial_partner_id
        kvk = normalise_identifier("kvk", partner.company_registry or "")
        if not kvk:
            raise UserError(self.env._("The contact has no KvK number to look up in the portal."))
        service = self.env["client.online.service"]
        # Answers are notifications, not errors: the record of the portal call stays (an error rolls it back).
        try:
            found = service._find_clients(self.env.company, kvk_number=kvk)
        except PortalError as error:
            return self._client_online_notification(service._error_message(error), "danger")
        if not found:
            return self._client_online_notification(
                self.env._("The portal has no client with KvK number %(kvk)s.", kvk=kvk), "warning"
            )
        if partner.client_online_hidden_id == found[0].hidden_id:
            message = self.env._(
                "No change: the portal knows %(name)s with hidden ID %(hidden)s, as the contact says.",
                name=found[0].name,
                hidden=found[0].hidden_id,
            )
            return self._client_online_notification(message, "info")
        partner.client_online_hidden_id = found[0].hidden_id
        message = self.env._(
            "The portal knows %(name)s with hidden ID %(hidden)s; the contact now has it.",
            name=found[0].name,
            hidden=found[0].hidden_id,
        )
        return self._client_online_notification(message, "success")

    def _client_online_notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": kind, "message": message, "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }
