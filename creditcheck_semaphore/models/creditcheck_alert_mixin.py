from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning

POLICIES = [("off", "Off"), ("warn", "Warn"), ("block", "Block")]
ACTIVITIES = {
    # activity: (setting, label)
    "quotation": ("creditcheck_semaphore.alert_quotation", "sending a quotation"),
    "order": ("creditcheck_semaphore.alert_order", "confirming a sale order"),
    "invoice": ("creditcheck_semaphore.alert_invoice", "posting a customer invoice"),
}


class CreditcheckAlertMixin(models.AbstractModel):
    """Warn or block an activity on a document whose partner has a risky CreditCheck status."""

    _name = "creditcheck.alert.mixin"
    _description = "CreditCheck Alerts on Documents"

    creditcheck_alert = fields.Char(string="CreditCheck Alert", compute="_compute_creditcheck_alert")

    def _creditcheck_activity(self):
        """The activity this document's alert is about (for the banner)."""
        return "order"

    @api.model
    def _creditcheck_policy(self, activity):
        setting = ACTIVITIES[activity][0]
        return self.env["ir.config_parameter"].sudo().get_param(setting, "warn")

    @api.depends("partner_id")
    def _compute_creditcheck_alert(self):
        for record in self:
            partner = record.partner_id
            if (
                partner
                and self._creditcheck_policy(record._creditcheck_activity()) != "off"
                and (partner._creditcheck_is_risky())
            ):
                record.creditcheck_alert = self._creditcheck_message(partner.commercial_partner_id)
            else:
                record.creditcheck_alert = False

    def _creditcheck_message(self, partner):
        names = dict(partner._fields["creditcheck_state"]._description_selection(self.env))
        text = self.env._(
            "CreditCheck shows %(partner)s as %(state)s (record %(record)s).",
            partner=partner.name,
            state=names.get(partner.creditcheck_state, partner.creditcheck_state),
            record=partner.creditcheck_record_id or "-",
        )
        if partner.creditcheck_defunct:
            text += " " + self.env._("The subject is defunct.")
        return text

    def _creditcheck_check(self, activity, method):
        """Before ``method``: post a warning, or block unless overridden with a reason."""
        policy = self._creditcheck_policy(activity)
        if policy == "off":
            return
        reason = self.env.context.get("creditcheck_override_reason")
        risky = self.filtered(lambda record: record.partner_id and record.partner_id._creditcheck_is_risky())
        if not risky:
            return
        label = ACTIVITIES[activity][1]
        if policy == "block" and not reason:
            message = (
                "\n".join(self._creditcheck_message(record.partner_id.commercial_partner_id) for record in risky)
                + "\n"
                + self.env._("CreditCheck alerts block %s. An override needs a reason.", label)
            )
            raise RedirectWarning(
                message,
                self.env.ref("creditcheck_semaphore.creditcheck_override_wizard_action").id,
                self.env._("Override with a reason"),
                additional_context={
                    "default_res_model": self._name,
                    "default_res_ids": ",".join(str(record_id) for record_id in self.ids),
                    "default_method": method,
                    "default_activity": activity,
                },
            )
        for record in risky:
            text = record._creditcheck_message(record.partner_id.commercial_partner_id)
            if reason:
                note = self.env._("CreditCheck block overridden when %(label)s: %(reason)s", label=label, reason=reason)
            else:
                note = self.env._("CreditCheck warning when %s.", label)
            record.message_post(body=Markup("<p>%s</p><p>%s</p>") % (note, text), subtype_xmlid="mail.mt_note")
