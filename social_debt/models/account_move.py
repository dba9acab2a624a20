from odoo import api, fields, models
from odoo.tools import format_date


class AccountMove(models.Model):
    _inherit = "account.move"

    social_debt_scope = fields.Selection(related="commercial_partner_id.social_debt_scope", string="Withholding Scope")
    social_debt_verdict = fields.Selection(related="commercial_partner_id.social_debt_verdict")
    social_debt_validity = fields.Char(related="commercial_partner_id.social_debt_validity")
    social_debt_show = fields.Boolean(compute="_compute_social_debt_show")

    @api.depends("move_type", "commercial_partner_id.social_debt_scope")
    def _compute_social_debt_show(self):
        for move in self:
            move.social_debt_show = move.move_type in ("in_invoice", "in_refund") and move.social_debt_scope in (
                "art30bis",
                "art30ter",
                "meat",
            )

    def action_social_debt_check(self):
        """Check the bill's supplier now (needs the Social Debt User group)."""
        self.ensure_one()
        return self.commercial_partner_id.action_social_debt_check()

    def _social_debt_attach_proof(self, check):
        """Attach the check's proof (PDF) to these bills, with a note."""
        proof = check._ensure_proof()
        if not proof:
            return
        for move in self:
            copy = proof.sudo().copy({"res_model": "account.move", "res_id": move.id})
            move.sudo().message_post(
                body=self.env._(
                    "Social debt check of %(date)s (%(verdict)s) attached as proof of the payment.",
                    date=format_date(self.env, check.answer_date),
                    verdict=dict(check._fields["verdict"]._description_selection(self.env))[check.verdict],
                ),
                attachment_ids=copy.ids,
            )
