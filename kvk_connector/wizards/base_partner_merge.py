from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """Contacts merged into another stop following their registrations; their open review items are
        superseded.  (The enrolments are kept as history, on the contact that remains.)"""
        src_partners._kvk_all_enrolments()._end("merged")
        items = self.env["kvk.review"].sudo().search([("partner_id", "in", src_partners.ids), ("to_review", "=", True)])
        items.line_ids.filtered(lambda line: line.state == "pending").write({"state": "superseded"})
        items.write({"state": "superseded", "to_review": False})
        items.activity_unlink(["mail.mail_activity_data_todo"])
        return super()._update_foreign_keys(src_partners, dst_partner)
