from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class CreditcheckDeactivateWizard(models.TransientModel):
    """Switch off the semaphore of one subject in the partner's company, with a reason.

    The subject is read from the partner on the server; the wizard's fields are
    the browser's and are trusted for nothing else.
    """

    _name = "creditcheck.deactivate.wizard"
    _description = "Deactivate a CreditCheck Semaphore"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_manager"):
            raise AccessError(self.env._("Only CreditCheck administrators deactivate a semaphore."))
        partner = self.partner_id
        partner.check_access("read")
        entity = partner.commercial_partner_id
        if not entity.creditcheck_ico:
            raise UserError(self.env._("This partner has no valid Czech or Slovak IČO."))
        deactivations = self.env["creditcheck.deactivation"]
        existing = deactivations._of_partner(entity, active_test=False)
        company_id, country, ico = deactivations._key(entity)
        if existing:
            existing.write({"active": True, "reason": self.reason, "user_id": self.env.uid})
        else:
            deactivations.create({"company_id": company_id, "country": country, "ico": ico, "reason": self.reason})
        partners = self.env["res.partner"].search(
            [
                ("creditcheck_ico", "=", ico),
                ("creditcheck_country", "=", country),
                ("company_id", "in", [company_id, False]),
            ]
        )
        partners = partners.filtered(lambda p: deactivations._key(p) == (company_id, country, ico))
        note = self.env._("CreditCheck semaphore deactivated for IČO %(ico)s: %(reason)s", ico=ico, reason=self.reason)
        for one in partners:
            one.message_post(
                body=Markup("<p>%s</p>") % note,
                subtype_xmlid="mail.mt_note",
            )
        self.env["res.partner"].invalidate_model(["creditcheck_badge"])
        return {"type": "ir.actions.act_window_close"}
