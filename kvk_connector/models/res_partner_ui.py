"""Where the register shows on a contact.

The KvK button and tab show on companies that are Dutch or have no country (and on contacts already
linked to the register, whatever country their address is in), for KvK users only.
"""

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"
    kvk_applies = fields.Boolean(
        string="KvK Register Applies",
        compute="_compute_kvk_applies",
        help="A company that is Dutch or has no country, or one already linked to the register.",
    )

    @api.depends("is_company", "parent_id", "country_id", "kvk_linked")
    def _compute_kvk_applies(self):
        for partner in self:
            partner.kvk_applies = bool(
                partner.is_company
                and not partner.parent_id
                and (not partner.country_id or partner.country_id.code == "NL" or partner.kvk_linked)
            )
