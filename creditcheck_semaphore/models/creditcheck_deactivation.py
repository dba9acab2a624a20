from odoo import api, fields, models

from .creditcheck_status import COUNTRIES


class CreditcheckDeactivation(models.Model):
    """The semaphore of a subject switched off in one company, with the reason (for example the company itself)."""

    _name = "creditcheck.deactivation"
    _description = "CreditCheck Semaphore Deactivation"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "ico"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    country = fields.Selection(COUNTRIES, required=True, default="cz", tracking=True)
    ico = fields.Char(string="IČO", required=True, index=True, tracking=True)
    reason = fields.Text(required=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Deactivated by", default=lambda self: self.env.user, readonly=True)
    active = fields.Boolean(default=True, tracking=True)

    _sql_constraints = [
        ("ico_uniq", "unique(company_id, country, ico)", "A subject is deactivated once per company."),
    ]

    @api.model
    def _key(self, partner):
        """(company, country, IČO) of a partner's commercial entity: where its deactivation would be."""
        entity = partner.commercial_partner_id
        return (entity.company_id or self.env.company).id, entity.creditcheck_country, entity.creditcheck_ico

    @api.model
    def _deactivated(self, partners):
        """The ids of the commercial entities among ``partners`` whose semaphore is switched off."""
        entities = partners.commercial_partner_id.filtered("creditcheck_ico")
        if not entities:
            return set()
        rows = self.sudo().search([("ico", "in", list(set(entities.mapped("creditcheck_ico"))))])
        keys = {(row.company_id.id, row.country, row.ico) for row in rows}
        return {entity.id for entity in entities if self._key(entity) in keys}

    @api.model
    def _of_partner(self, partner, active_test=True):
        company_id, country, ico = self._key(partner)
        return (
            self.with_context(active_test=active_test)
            .sudo()
            .search([("company_id", "=", company_id), ("country", "=", country), ("ico", "=", ico)])
        )
