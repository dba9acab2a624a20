from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from .creditcheck_status import COUNTRIES, STATES


class CreditcheckEvent(models.Model):
    """A partial CreditCheck record (GetCreditChecksBatch) of a subject among our partners."""

    _name = "creditcheck.event"
    _description = "CreditCheck Change Event"
    _order = "id desc"
    _rec_name = "record_id"

    country = fields.Selection(COUNTRIES, required=True, readonly=True, index=True)
    ico = fields.Char(string="IČO", required=True, readonly=True, index=True)
    record_id = fields.Char(string="Record ID", required=True, readonly=True)
    state = fields.Selection(STATES, string="Status", readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Partners", compute="_compute_partner_ids")
    notified = fields.Boolean(readonly=True, index=True)
    acknowledged = fields.Boolean(readonly=True, index=True)
    acknowledged_by = fields.Many2one("res.users", readonly=True)
    acknowledged_on = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("record_uniq", "unique(country, ico, record_id)", "A CreditCheck record is one event."),
    ]

    def _compute_partner_ids(self):
        partners = self.env["res.partner"].search(
            [("creditcheck_ico", "in", list(set(self.mapped("ico")))), ("creditcheck_ico", "!=", False)]
        )
        for event in self:
            event.partner_ids = partners.filtered(
                lambda p, e=event: p.creditcheck_ico == e.ico and p.creditcheck_country == e.country
            )

    def action_acknowledge(self):
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_user"):
            raise UserError(self.env._("Only CreditCheck users acknowledge events."))
        self.filtered(lambda event: not event.acknowledged).sudo().write(
            {"acknowledged": True, "acknowledged_by": self.env.uid, "acknowledged_on": fields.Datetime.now()}
        )
        return True

    def _notify_partners(self):
        """A chatter message and an activity for the salesperson, per partner of each event."""
        partners = self.env["res.partner"].sudo().search([("creditcheck_ico", "in", list(set(self.mapped("ico"))))])
        state_names = dict(self._fields["state"]._description_selection(self.env))
        for event in self:
            for partner in partners.filtered(
                lambda p, e=event: p.creditcheck_ico == e.ico and p.creditcheck_country == e.country
            ):
                body = Markup("<p>%s</p>") % self.env._(
                    "New CreditCheck event %(record)s: %(state)s.",
                    record=event.record_id,
                    state=state_names.get(event.state, event.state),
                )
                partner.message_post(body=body, subtype_xmlid="mail.mt_note")
                if partner.user_id:
                    partner.activity_schedule(
                        "mail.mail_activity_data_todo",
                        summary=self.env._("CreditCheck: new event %s", event.record_id),
                        note=body,
                        user_id=partner.user_id.id,
                    )
        self.write({"notified": True})
