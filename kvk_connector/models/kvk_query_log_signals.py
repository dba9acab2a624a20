from odoo import fields, models

from ..clients.kvk_mutaties import PRODUCTS as MUTATIE_PRODUCTS


class KvkQueryLog(models.Model):
    _inherit = "kvk.query.log"

    channel = fields.Selection(
        selection_add=[("signal", "Change signals"), ("import", "Profile import")],
        ondelete={"signal": "cascade", "import": "cascade"},
    )
    product = fields.Selection(
        selection_add=[(product, product.capitalize()) for product in MUTATIE_PRODUCTS],
        ondelete={product: "cascade" for product in MUTATIE_PRODUCTS},
    )
