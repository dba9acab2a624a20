"""What the web client and the Settings are told about a company's KvK connection."""

from odoo import api, models


class KvkService(models.AbstractModel):
    _inherit = "kvk.service"

    @api.model
    def _connection_ready(self, company=None):
        """True when the company can ask the register: a key of its own, or the default of its environment."""
        company = company or self.env.company
        return bool(self._api_key(company))
